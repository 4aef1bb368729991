import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { ConfigProvider, Effect } from "effect"
import { experiment } from "../src/index.js"

const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(__dirname, "../../../../shared/data")

describe.runIf(existsSync(dataDir))("fingerprint-consent data", () => {
  it.effect("loads all 12,461 respondents strictly", () =>
    Effect.gen(function* () {
      const data = yield* experiment.loadHumanData
      expect(data.respondents.length).toBe(12_461)
      expect(data.sha256).toBe("87a8e241552a3fb3f2f19f8ca42551d909a714ff0dc29a658cd22721e6601210")
      const shown = data.respondents.filter((r) => r.arm === "shown").length
      expect(shown).toBe(6_257)
      const consent = data.respondents.filter((r) => r.answers.share === "Consent to share").length
      expect(consent).toBe(8_400)
      const first = data.respondents.find((r) => r.id === "R_1037uEjkfmk786A")!
      expect(first.answers).toEqual({
        share: "Decline",
        understand: "Somewhat agree",
        concern: "Strongly agree",
      })
      const multi = data.respondents.find((r) => Array.isArray(r.persona.race) && r.persona.race.length > 1)
      expect(multi).toBeDefined()
    }).pipe(
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { STANDIN_DATA_DIR: dataDir } }))),
    ),
  )
})
