import { describe, expect, it } from "vitest"
import { decodeCsvBytes } from "../src/index.js"

describe("a data file's encoding", () => {
  it("decodes UTF-8, with or without accents", () => {
    expect(decodeCsvBytes(Buffer.from("id,city\n1,Zürich\n", "utf8"))).toEqual({
      text: "id,city\n1,Zürich\n",
    })
  })

  it("names the first byte that is not UTF-8, its line and offset, and says how to fix it", () => {
    // Latin-1: ü is the single byte 0xFC
    const decoded = decodeCsvBytes(Buffer.from("id,city\n1,Bern\n2,Zürich\n", "latin1"))
    expect(decoded).toEqual({
      error:
        'it is not UTF-8 (byte 0xfc at line 3, byte 19, is not valid UTF-8; the file was probably saved as Latin-1 or Windows-1252). Save it as UTF-8 (in Excel: Save As → "CSV UTF-8"; or iconv -f WINDOWS-1252 -t UTF-8) and try again, or declare its encoding in the study (`data: { encoding: windows-1252 }`, with `formatVersion: 2`)',
    })
  })

  it("decodes a declared encoding, and says when the bytes are not that encoding either", () => {
    expect(decodeCsvBytes(Buffer.from("id,city\n2,Zürich\n", "latin1"), "windows-1252")).toEqual({
      text: "id,city\n2,Zürich\n",
    })
    const bad = decodeCsvBytes(Buffer.from([0x61, 0x00, 0xd8]), "utf-16le")
    expect("error" in bad && bad.error).toMatch(/^it is not valid utf-16le as declared by data.encoding/)
  })

  it("finds a bad byte after valid multi-byte characters and in a truncated sequence", () => {
    const bytes = Buffer.concat([Buffer.from("é,€\n", "utf8"), Buffer.from([0xe2, 0x82])])
    const decoded = decodeCsvBytes(bytes)
    expect("error" in decoded && decoded.error).toMatch(/^it is not UTF-8 \(byte 0xe2 at line 2, byte 8,/)
  })
})
