import type { ProviderShape, Respondent, SyntheticRespondent, Twin } from "@standin/core"
import { HoldoutData, PilotData, Provider, slugify, twinPages } from "@standin/core"
import { Context, Effect, Layer, type Scope } from "effect"
import { type CallExecutor, directExecutor, type SimulationTotals, simulate } from "../simulate.js"
import { pilotTwins, separatePilotTwins } from "../worth.js"
import type { PreparedRun, ProviderSelection, RunOptions, SimulatedEntry } from "./types.js"

const entryId = (selection: ProviderSelection, taken: Set<string>): string => {
  const name =
    selection.plugin.descriptor.baseline !== undefined
      ? selection.plugin.descriptor.id
      : slugify(`${selection.spec.provider}-${selection.spec.model}`)
  const base = selection.tag === undefined ? name : `${name}-${slugify(selection.tag)}`
  let id = base
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`
  taken.add(id)
  return id
}

/** The pilot a provider learns from: its own (a sweep point's) or the run's. */
export const pilotOf = (prepared: PreparedRun, selection: ProviderSelection): ReadonlyArray<Respondent> =>
  selection.pilot ?? prepared.split.pilot

/** The pilot people whose own twins a provider answers for PPI: its `ppiPilot`, else its pilot. */
export const ppiPilotOf = (prepared: PreparedRun, selection: ProviderSelection): ReadonlyArray<Respondent> =>
  selection.ppiPilot ?? pilotOf(prepared, selection)

/** Whether an entry gets a PPI block: PPI asked for and a pilot to learn the correction from. */
export const withPpi = <E>(options: RunOptions<E>, prepared: PreparedRun, selection: ProviderSelection) =>
  options.ppi !== undefined && ppiPilotOf(prepared, selection).length > 0

/**
 * The run's second phase: simulate one twin (× replicates) per holdout respondent through every provider, in
 * order — baselines and models alike. The ceiling answers, for every halving, each half's twins with the other
 * half as donors. A
 * provider whose plugin refuses its configuration is skipped with the reason. With PPI, the pilot's own twins
 * ride along with the first pass and are returned apart (never scored).
 */
export const simulateEntries = <E>(
  options: RunOptions<E>,
  prepared: PreparedRun,
): Effect.Effect<
  {
    readonly simulated: ReadonlyArray<SimulatedEntry>
    readonly pilotAnswers: ReadonlyMap<string, ReadonlyArray<SyntheticRespondent>>
  },
  E,
  Scope.Scope
> =>
  Effect.gen(function* () {
    const { experiment } = options
    const { study, split, twins, halvings, halfOf } = prepared
    const emit = options.onEvent ?? (() => {})
    const donorsFor = (people: ReadonlyArray<Respondent>, asked: ReadonlyArray<Twin>) =>
      Layer.succeed(HoldoutData, {
        holdout: people,
        twinIndex: new Map(people.map((r, index) => [r.id, index])),
        twins: asked,
      })
    const pilotLayer = Layer.succeed(PilotData, { study, pilot: split.pilot, seed: options.seed })
    const noHoldout = Layer.succeed(HoldoutData, { holdout: [], twinIndex: new Map() })
    /**
     * What one provider is asked: all twins, or (the ceiling) for every halving each half's twins with the other
     * half as donors.
     */
    const passesFor = (isCeiling: boolean) =>
      isCeiling
        ? halvings.flatMap((halving, index) =>
            (["a", "b"] as const).map((half) => {
              const asked = twins.filter((twin) => halfOf(twin.id, index) === half)
              return {
                halving: index,
                twins: asked,
                donors: donorsFor(half === "a" ? halving.donors : halving.scored, asked),
              }
            }),
          )
        : [{ halving: 0, twins, donors: noHoldout }]

    const taken = new Set<string>()
    const pilotAnswers = new Map<string, ReadonlyArray<SyntheticRespondent>>()
    const simulated: Array<SimulatedEntry> = []
    for (const selection of options.providers) {
      const id = entryId(selection, taken)
      const isCeiling = selection.plugin.descriptor.baseline === "ceiling"
      const pilotData =
        selection.pilot === undefined
          ? pilotLayer
          : Layer.succeed(PilotData, { study, pilot: selection.pilot, seed: options.seed })
      const passes = passesFor(isCeiling)
      const providers: Array<ProviderShape> = []
      let refused: string | undefined
      for (const pass of passes) {
        const built = yield* Layer.build(
          selection.plugin.layer(selection.spec).pipe(Layer.provide(Layer.merge(pilotData, pass.donors))),
        ).pipe(
          Effect.map((context) => ({ ok: true as const, provider: Context.get(context, Provider) })),
          Effect.catchTag("PluginConfigError", (error) =>
            Effect.succeed({ ok: false as const, reason: error.message }),
          ),
        )
        if (!built.ok) {
          refused = built.reason
          break
        }
        providers.push(built.provider)
      }
      if (refused !== undefined) {
        emit({ _tag: "ProviderSkipped", entry: id, reason: refused })
        simulated.push({ id, selection, skipped: refused })
        continue
      }
      // the pilot's own twins (worth.ts) ride along with the first pass and are never scored
      const ownPilot = withPpi(options, prepared, selection)
        ? pilotTwins(ppiPilotOf(prepared, selection), study)
        : []
      const total =
        (passes.reduce((sum, pass) => sum + pass.twins.length, 0) + ownPilot.length) * options.replicates
      let done = 0
      const byHalving: Array<Array<SyntheticRespondent>> = halvings.map(() => [])
      let totals: SimulationTotals = { calls: 0, cachedCalls: 0, costUsd: 0 }
      emit({ _tag: "ProviderStarted", entry: id, total })
      for (const [index, pass] of passes.entries()) {
        const provider = providers[index]!
        const passTwins = index === 0 ? [...pass.twins, ...ownPilot] : pass.twins
        const executor =
          options.executor === undefined
            ? (directExecutor(provider) as CallExecutor<E>)
            : yield* options.executor(provider, selection, {
                calls:
                  options.replicates *
                  passTwins.reduce((total, twin) => total + twinPages(study, twin).length, 0),
              })
        const result = yield* simulate(
          {
            experiment,
            provider,
            twins: passTwins,
            replicates: options.replicates,
            elicitation: options.elicitation,
            settings: options.settings,
            includeDemographics: options.includeDemographics,
            maxReasks: options.maxReasks,
            ...(options.optionOrder === undefined ? {} : { optionOrder: options.optionOrder }),
            seed: options.seed,
            concurrency: selection.plugin.descriptor.baseline === undefined ? options.concurrency : 1,
            onDone: (respondent, outcome) => {
              done++
              emit({
                _tag: "TwinDone",
                entry: id,
                done,
                total,
                failed: respondent.failure !== undefined,
                costUsd: outcome.costUsd,
              })
            },
          },
          executor,
        )
        byHalving[pass.halving]!.push(...result.synthetic)
        totals = {
          calls: totals.calls + result.totals.calls,
          cachedCalls: totals.cachedCalls + result.totals.cachedCalls,
          costUsd:
            totals.costUsd === null || result.totals.costUsd === null
              ? null
              : totals.costUsd + result.totals.costUsd,
        }
      }
      // In holdout order, whatever the passes.
      if (passes.length > 1)
        for (const answers of byHalving)
          answers.sort((a, b) => a.twinId.localeCompare(b.twinId) || a.replicate - b.replicate)
      emit({ _tag: "ProviderFinished", entry: id, totals })
      const parts = separatePilotTwins(byHalving[0]!, ownPilot)
      pilotAnswers.set(id, parts.pilot)
      simulated.push({
        id,
        selection,
        synthetic: parts.holdout,
        furtherHalvings: isCeiling ? byHalving.slice(1) : [],
        totals,
      })
    }
    return { simulated, pilotAnswers }
  })
