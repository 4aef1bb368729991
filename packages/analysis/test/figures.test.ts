import { existsSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { experiment } from "@standin/study-fingerprint-consent"
import { ConfigProvider, Effect } from "effect"
import { armSummaries, beliefActionSummaries, computeFigure } from "../src/figures.js"

const dataDir = process.env.STANDIN_DATA_DIR ?? resolve(__dirname, "../../../../shared/data")

describe.runIf(existsSync(dataDir))("descriptive figures on the bundled study", () => {
  it.effect("reproduce the published consent rates and privacy paradox", () =>
    Effect.gen(function* () {
      const { respondents } = yield* experiment.loadHumanData
      const study = experiment.definition
      const figures = Object.fromEntries(
        study.figures.map((figure) => [figure.id, computeFigure(figure, respondents)]),
      )
      // Published: 67.4% overall, 69.1% without the data shown, 65.8% with it; 63.6% of sharers and 83.6% of decliners concerned.
      expect(figures["share-rate"]!.value!).toBeCloseTo(0.674, 3)
      expect(figures["share-hidden"]!.value!).toBeCloseTo(0.691, 3)
      expect(figures["share-shown"]!.value!).toBeCloseTo(0.658, 3)
      expect(figures["concerned-sharers"]!.value!).toBeCloseTo(0.636, 3)
      expect(figures["concerned-decliners"]!.value!).toBeCloseTo(0.836, 3)
      for (const figure of Object.values(figures))
        expect(Math.abs(figure.value! - figure.published!)).toBeLessThan(0.0005)
      const [pair] = beliefActionSummaries(study, respondents)
      expect(pair!.believersAmongActors!).toBeCloseTo(0.636, 3)
      expect(pair!.n).toBe(12_461)
      const shares = armSummaries(study, respondents).find((s) => s.item === "share" && s.arm === "hidden")!
      expect(shares.shares!["Consent to share"]).toBeCloseTo(0.691, 3)
    }).pipe(
      Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env: { STANDIN_DATA_DIR: dataDir } }))),
    ),
  )
})
