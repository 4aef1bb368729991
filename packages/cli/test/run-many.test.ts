import { beforeAll, describe, expect, it } from "@effect/vitest"
import { type Catalog, loadCatalog } from "../src/catalog.js"
import { studyList } from "../src/commands/run-many.js"

describe("--study with several studies", () => {
  let catalog: Catalog
  beforeAll(async () => {
    catalog = await loadCatalog(["studies"])
  })

  it("all is every installed study, in the catalog's order", () => {
    expect(catalog.studies).toHaveLength(4)
    expect(studyList(catalog, "all")).toEqual(catalog.studies.map((study) => study.descriptor.id))
  })

  it("a comma list names studies or folders, spaces and empty parts ignored", () => {
    expect(studyList(catalog, "fingerprint-consent, ./my-study/,")).toEqual([
      "fingerprint-consent",
      "./my-study/",
    ])
  })

  it("one study (or a folder named all, written ./all) is not a list", () => {
    expect(studyList(catalog, "fingerprint-consent")).toBeUndefined()
    expect(studyList(catalog, "./all")).toBeUndefined()
  })
})
