import { Worker } from "node:worker_threads"
import type { MetricScore } from "@standin/core"
import { MetricError } from "@standin/core"
import { Effect } from "effect"
import type { ScoreTask, ScoringData } from "./score-tasks.js"
import type { MetricSource } from "./types.js"

/**
 * The worker's script: next to this module once built; from sources (tests import the engine's src/), the built
 * one in dist/.
 */
const workerScript = import.meta.url.endsWith(".ts")
  ? new URL("../../dist/run/score-worker.js", import.meta.url)
  : new URL("./score-worker.js", import.meta.url)

/**
 * The worker's Node flags: this process's, less its export conditions (a test runner's "@standin/source" would
 * have the worker import TypeScript sources): the worker imports the built packages, as a user's run does.
 */
const workerArgv = (): Array<string> => {
  const argv: Array<string> = []
  for (let i = 0; i < process.execArgv.length; i++) {
    const arg = process.execArgv[i]!
    if (arg === "--conditions" || arg === "-C") i++
    else if (!arg.startsWith("--conditions=") && !arg.startsWith("-C=")) argv.push(arg)
  }
  return argv
}

type Answer =
  | { readonly ok: true; readonly score: MetricScore }
  | { readonly ok: false; readonly error: { readonly metric: string; readonly message: string } }
  | { readonly ok: false; readonly defect: string }

/**
 * Scores `tasks` on `threads` worker threads, each loading the metrics from `sources` and taking `data` once.
 * Each worker takes a task as soon as it is free (preferring the tasks whose human-side work it already holds);
 * every score lands at its task's index, so the result does not depend on the number of threads or on which
 * worker scored what. The first metric error fails the
 * whole (as scoring in this thread would); the workers are stopped however it ends.
 */
export const scoreOnWorkers = (
  sources: ReadonlyArray<MetricSource>,
  data: ScoringData,
  tasks: ReadonlyArray<ScoreTask>,
  threads: number,
  onStart: (task: ScoreTask) => void,
): Effect.Effect<ReadonlyArray<MetricScore>, MetricError> =>
  Effect.acquireUseRelease(
    Effect.sync(() =>
      Array.from(
        { length: Math.max(1, Math.min(threads, tasks.length)) },
        () => new Worker(workerScript, { workerData: { sources }, execArgv: workerArgv() }),
      ),
    ),
    (workers) =>
      Effect.callback<ReadonlyArray<MetricScore>, MetricError>((resume) => {
        const scores: Array<MetricScore | undefined> = new Array(tasks.length)
        // The biggest tasks first (a metric on the whole holdout holds twice a half's people), so that no
        // worker is left with a long task at the end while the others idle. Only the order of work changes.
        const order = tasks
          .map((task, index) => ({ index, big: task.part === "whole" ? 0 : 1 }))
          .sort((a, b) => a.big - b.big || a.index - b.index)
          .map((entry) => entry.index)
        const pending = new Set(order)
        // Tasks of one metric on one human array (one part of one halving) share that metric's human-side work
        // (e.g. the regression metric's human refits), which a worker keeps once computed: each such group is
        // owned by the worker that starts it, and the others leave it alone while they have other work.
        const groupOf = (task: ScoreTask) => `${task.metric}|${task.part}|${task.halving}`
        const owner = new Map<string, Worker>()
        const pick = (worker: Worker): number | undefined => {
          let free: number | undefined
          let any: number | undefined
          for (const index of pending) {
            any ??= index
            const held = owner.get(groupOf(tasks[index]!))
            if (held === worker) return index
            if (held === undefined) free ??= index
          }
          return free ?? any
        }
        let finished = 0
        let over = false
        const stop = (result: Effect.Effect<ReadonlyArray<MetricScore>, MetricError>) => {
          if (over) return
          over = true
          resume(result)
        }
        const give = (worker: Worker) => {
          if (over) return
          const index = pick(worker)
          if (index === undefined) return
          pending.delete(index)
          const group = groupOf(tasks[index]!)
          if (!owner.has(group)) owner.set(group, worker)
          onStart(tasks[index]!)
          worker.removeAllListeners("message")
          worker.once("message", (answer: Answer) => {
            if (answer.ok) {
              scores[index] = answer.score
              finished++
              if (finished === tasks.length) stop(Effect.succeed(scores as ReadonlyArray<MetricScore>))
              else give(worker)
            } else if ("error" in answer) stop(Effect.fail(new MetricError(answer.error)))
            else stop(Effect.die(new Error(`a scoring worker failed: ${answer.defect}`)))
          })
          worker.postMessage({ type: "task", task: tasks[index] })
        }
        for (const worker of workers) {
          worker.once("error", (error) => stop(Effect.die(error)))
          worker.once("exit", (code) => stop(Effect.die(new Error(`a scoring worker exited (code ${code})`))))
          worker.once("message", () => {
            // ready: the metrics are loaded
            worker.postMessage({ type: "data", data })
            give(worker)
          })
        }
      }),
    (workers) => Effect.promise(() => Promise.all(workers.map((worker) => worker.terminate()))),
  )
