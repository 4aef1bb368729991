// A scoring worker thread (see score-pool.ts): loads the run's metrics from their modules, takes the run's
// scoring data once, then scores one task per message and answers with its score or its error.
import { parentPort, workerData } from "node:worker_threads"
import type { MetricShape } from "@standin/core"
import { Cause, Effect, Exit } from "effect"
import { makeTaskInputs, runTask, type ScoreTask, type ScoringData } from "./score-tasks.js"
import type { MetricSource } from "./types.js"

const port = parentPort!
const sources = (workerData as { sources: ReadonlyArray<MetricSource> }).sources
const metrics: ReadonlyArray<MetricShape> = await Promise.all(
  sources.map(async (source) => {
    const loaded = (await import(source.module)) as Record<string, MetricShape | undefined>
    const metric = loaded[source.name]
    if (metric === undefined) throw new Error(`${source.module} exports no metric named "${source.name}"`)
    return metric
  }),
)

let inputOf: ReturnType<typeof makeTaskInputs> | undefined

port.on(
  "message",
  async (message: { type: "data"; data: ScoringData } | { type: "task"; task: ScoreTask }) => {
    if (message.type === "data") {
      inputOf = makeTaskInputs(message.data)
      return
    }
    const exit = await Effect.runPromiseExit(runTask(metrics, inputOf!, message.task))
    if (Exit.isSuccess(exit)) {
      port.postMessage({ ok: true, score: exit.value })
      return
    }
    const failure = exit.cause.reasons.find(Cause.isFailReason)
    port.postMessage(
      failure === undefined
        ? { ok: false, defect: Cause.pretty(exit.cause) }
        : { ok: false, error: { metric: failure.error.metric, message: failure.error.message } },
    )
  },
)
port.postMessage({ ready: true })
