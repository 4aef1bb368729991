import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import {
  callSeed,
  drawIndex,
  hash32,
  hashUnit,
  keyedSeed,
  makeRandom,
  mulberry32,
  sampleWithoutReplacement,
  sha256Words,
  shuffled,
  streamFor,
  vendorSeed,
} from "../src/index.js"

describe("makeRandom", () => {
  it("reproduces an independent (Python) implementation of splitmix32-seeded xoshiro128**", () => {
    const first = makeRandom(1)
    expect([first.nextUint32(), first.nextUint32(), first.nextUint32(), first.nextUint32()]).toEqual([
      2442144158, 3238099751, 3819917871, 2104621829,
    ])
    const second = makeRandom(123456)
    expect([second.nextUint32(), second.nextUint32(), second.nextUint32()]).toEqual([
      3968961998, 3276381896, 4259053971,
    ])
  })

  it("draws unbiased integers and uniform floats", () => {
    const random = makeRandom(7)
    const counts = new Array<number>(6).fill(0)
    let sum = 0
    for (let draw = 0; draw < 60_000; draw++) {
      counts[random.nextInt(6)]! += 1
      const u = random.nextFloat()
      expect(u).toBeGreaterThanOrEqual(0)
      expect(u).toBeLessThan(1)
      sum += u
    }
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(400)
    expect(Math.abs(sum / 60_000 - 0.5)).toBeLessThan(0.01)
  })

  it("samples without replacement", () => {
    const sample = sampleWithoutReplacement(makeRandom(3), 50, 20)
    expect(new Set(sample).size).toBe(20)
    for (const index of sample) expect(index).toBeLessThan(50)
  })
})

describe("keyed streams (mulberry32, keyedSeed, callSeed)", () => {
  it("mulberry32 reproduces an independent (Python) implementation", () => {
    const words = (seed: number) => {
      const stream = mulberry32(seed)
      return Array.from({ length: 4 }, () => stream.next() * 4294967296)
    }
    expect(words(1)).toEqual([2693262067, 11749833, 2265367787, 4213581821])
    expect(words(42)).toEqual([2581720956, 1925393290, 3661312704, 2876485805])
    expect(words(0xdeadbeef)).toEqual([4043151706, 1147597007, 3315858022, 1538288752])
    const stream = mulberry32(42)
    const fresh = mulberry32(42)
    expect(stream.int(10)).toBe(Math.floor(fresh.next() * 10))
  })

  it("sha256Words agrees with node:crypto on short, multi-block and non-ASCII inputs", () => {
    const texts = [
      "",
      "abc",
      "a".repeat(55),
      "a".repeat(56),
      "a".repeat(64),
      "x".repeat(1000),
      JSON.stringify([1, "call", "twin-0042", 0, 1]),
      "Zürich — 東京 🚀",
    ]
    for (const text of texts) {
      const words = sha256Words(text)
      const bytes = Buffer.alloc(32)
      words.forEach((word, index) => {
        bytes.writeUInt32BE(word, index * 4)
      })
      expect(bytes.toString("hex")).toBe(createHash("sha256").update(text).digest("hex"))
    }
  })

  it("keyedSeed is the first four sha256 bytes of the keys' JSON read little-endian", () => {
    const reference = (seed: number, ...keys: ReadonlyArray<string | number>) =>
      createHash("sha256")
        .update(JSON.stringify([seed, ...keys]))
        .digest()
        .readUInt32LE(0)
    const cases: ReadonlyArray<readonly [number, ...Array<string | number>]> = [
      [1, "split"],
      [7, "call", "t-1", 0, 0],
      [123456789, "option-order", "twin", "q1"],
      [-3, "splits", 2],
      [0],
    ]
    for (const [seed, ...keys] of cases) expect(keyedSeed(seed, ...keys)).toBe(reference(seed, ...keys))
    expect(keyedSeed(1, 1)).not.toBe(keyedSeed(1, "1"))
    const stream = streamFor(7, "a", 2)
    expect(stream.next()).toBe(mulberry32(reference(7, "a", 2)).next())
  })

  it("callSeed is the keyed 'call' seed of a twin, replicate and attempt, below 2^31 − 1", () => {
    for (const [seed, twin, replicate, attempt] of [
      [1, "r001", 0, 0],
      [7, "r123", 2, 1],
      [99, "x", 0, 3],
    ] as const) {
      const expected = keyedSeed(seed, "call", twin, replicate, attempt) % 2_147_483_647
      expect(callSeed(seed, twin, replicate, attempt)).toBe(expected)
      expect(expected).toBeLessThan(2_147_483_647)
    }
    expect(callSeed(1, "r001", 0, 0)).not.toBe(callSeed(1, "r001", 0, 1))
  })

  it("vendorSeed is callSeed without a run seed, else the run's seed moved per replicate and re-ask", () => {
    expect(vendorSeed(undefined, 7, "r123", 2, 1)).toBe(callSeed(7, "r123", 2, 1))
    expect(vendorSeed(42, 7, "r123", 0, 0)).toBe(42)
    expect(vendorSeed(42, 7, "r123", 1, 0)).toBe(42 + 1_000_003)
    expect(vendorSeed(42, 7, "r123", 0, 2)).toBe(42 + 2 * 7_919)
    expect(vendorSeed(2_147_483_646, 7, "r123", 1, 0)).toBeLessThan(2_147_483_647)
  })

  it("shuffled permutes a copy; drawIndex follows the weights and falls back to uniform", () => {
    const items = Array.from({ length: 20 }, (_, index) => index)
    const out = shuffled(items, mulberry32(5))
    expect([...out].sort((a, b) => a - b)).toEqual(items)
    expect(out).not.toEqual(items)
    expect(items[0]).toBe(0)
    const random = mulberry32(9)
    const counts = [0, 0, 0]
    for (let draw = 0; draw < 30_000; draw++) counts[drawIndex([1, 0, 3], random)]! += 1
    expect(counts[1]).toBe(0)
    expect(Math.abs(counts[2]! / 30_000 - 0.75)).toBeLessThan(0.02)
    expect(drawIndex([0, 0, 0], mulberry32(3))).toBe(mulberry32(3).int(3))
  })

  it("hash32 is FNV-1a (published test vectors)", () => {
    expect(hash32("")).toBe(0x811c9dc5)
    expect(hash32("a")).toBe(0xe40c292c)
    expect(hash32("foobar")).toBe(0xbf9cf968)
    expect(hashUnit("foobar")).toBe(0xbf9cf968 / 4294967296)
  })
})
