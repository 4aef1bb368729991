import { mkdirSync } from "node:fs"
import { hostname } from "node:os"
import { dirname } from "node:path"
import Database from "better-sqlite3"
import { Clock, Context, Deferred, Effect, Exit, Layer, Schedule, type Scope } from "effect"
import { contentHash } from "./canonical-json.js"
import { type StoreError, storeError } from "./errors.js"
import { migrate } from "./migrations.js"

/** One cached model answer. `response` is the provider response as JSON text, decoded by its reader. */
export interface CachedCall {
  readonly key: string
  readonly provider: string
  readonly model: string
  readonly response: string
  readonly inputTokens: number
  readonly outputTokens: number
  /** null when no price was known for the model. */
  readonly costUsd: number | null
  readonly modelVersion: string
  readonly createdAt: number
}

/** A cached answer as a run reads it back. */
export interface RunAnswer {
  readonly response: string
  readonly costUsd: number | null
}

export type CallStatus = "ok" | "failed"

/** What became of one call in one run. */
export interface CallStatusRow {
  readonly runId: string
  readonly callKey: string
  readonly provider: string
  readonly model: string
  readonly twinId: string
  readonly replicate: number
  readonly attempt: number
  readonly status: CallStatus
  readonly reason: string | null
  readonly message: string | null
}

export type RunStatus = "running" | "completed" | "stopped" | "failed"

export interface RunRecord {
  readonly runId: string
  /** The run's manifest as canonical JSON text. */
  readonly manifest: string
  readonly status: RunStatus
  readonly createdAt: number
  readonly updatedAt: number
}

export interface FinetuneJobRecord {
  /** Hash of the finetune request (see `contentHash`). */
  readonly key: string
  readonly finetuner: string
  readonly jobId: string | null
  readonly fileIds: ReadonlyArray<string>
  /** The estimate as JSON text (trained tokens, cost). */
  readonly estimate: string | null
  readonly status: string
  readonly lastEvent: string | null
}

export interface BatchRecord {
  readonly provider: string
  readonly batchId: string
  readonly runId: string | null
  readonly chunkIndex: number
  readonly requestKeys: ReadonlyArray<string>
  readonly status: string
  readonly submittedAt: number | null
  readonly finishedAt: number | null
}

/** The process that holds a run's lock. */
export interface RunHolder {
  readonly pid: number
  readonly host: string
  readonly startedAt: number
}

export interface StatusSummary {
  readonly ok: number
  readonly failed: number
  /** Failed calls by reason. */
  readonly reasons: Readonly<Record<string, number>>
}

export interface StoreShape {
  /** The database file (":memory:" for a private in-memory store). */
  readonly path: string
  readonly getCall: (key: string) => Effect.Effect<CachedCall | undefined, StoreError>
  /**
   * The cached answers of many keys at once (a replay's batched lookup): by key, only those found. A key
   * given twice is read once. The map is new and the caller's.
   */
  readonly getCalls: (keys: ReadonlyArray<string>) => Effect.Effect<Map<string, RunAnswer>, StoreError>
  /**
   * Writes one answer, and the call's status row with it in the same transaction when given; succeeds
   * once both are committed. Writes made at the same moment share one commit. A later write of the
   * same key replaces the earlier one (that is what `--fresh` asks for).
   */
  readonly putCall: (
    call: Omit<CachedCall, "createdAt">,
    status?: CallStatusRow,
  ) => Effect.Effect<void, StoreError>
  readonly countCalls: Effect.Effect<number, StoreError>
  /**
   * The cached answers of every call this run recorded as ok (optionally only one provider's or model's),
   * by call key, in one pass: what a resumed
   * or repeated run reads instead of looking calls up one by one. The map is new and the caller's.
   */
  readonly runAnswers: (
    runId: string,
    only?: { readonly provider?: string; readonly model?: string },
  ) => Effect.Effect<Map<string, RunAnswer>, StoreError>
  /** Starts a run, or finds it again to resume it: `resumed` tells which. Status becomes "running". */
  readonly beginRun: (
    runId: string,
    manifest: string,
  ) => Effect.Effect<{ readonly resumed: boolean; readonly run: RunRecord }, StoreError>
  readonly getRun: (runId: string) => Effect.Effect<RunRecord | undefined, StoreError>
  /**
   * Takes the run's lock for this process, unless a live process holds it: then that holder is
   * returned and nothing changes. A lock left by a process that died (kill -9) is taken over. Different
   * runs have different locks, so they share one store freely.
   */
  readonly lockRun: (runId: string) => Effect.Effect<RunHolder | undefined, StoreError>
  /** Gives the run's lock back (only if this process holds it). */
  readonly unlockRun: (runId: string) => Effect.Effect<void, StoreError>
  readonly setRunStatus: (runId: string, status: RunStatus) => Effect.Effect<void, StoreError>
  /** Upserts status rows (one transaction for all of them). */
  readonly recordStatuses: (rows: ReadonlyArray<CallStatusRow>) => Effect.Effect<void, StoreError>
  readonly listStatuses: (runId: string) => Effect.Effect<ReadonlyArray<CallStatusRow>, StoreError>
  readonly statusSummary: (runId: string) => Effect.Effect<StatusSummary, StoreError>
  readonly putFinetuneJob: (job: FinetuneJobRecord) => Effect.Effect<void, StoreError>
  readonly getFinetuneJob: (key: string) => Effect.Effect<FinetuneJobRecord | undefined, StoreError>
  readonly putBatch: (batch: BatchRecord) => Effect.Effect<void, StoreError>
  readonly listBatches: (filter: {
    readonly runId?: string
    readonly provider?: string
  }) => Effect.Effect<ReadonlyArray<BatchRecord>, StoreError>
}

/** The local store: call cache, runs, per-call status, finetune jobs and batches, in one SQLite file. */
export class Store extends Context.Service<Store, StoreShape>()("@standin/store/Store") {}

export interface StoreOptions {
  /** How long a writer waits for another process's lock before failing (default 10 s). */
  readonly busyTimeoutMs?: number
}

/** A run id is a content address of the command's canonical options: the same command resumes the same run. */
export const runIdOf = (options: unknown): string => contentHash(options).slice(0, 24)

interface CallRow {
  key: string
  provider: string
  model: string
  response: string
  input_tokens: number
  output_tokens: number
  cost_usd: number | null
  model_version: string
  created_at: number
}

interface StatusRow {
  run_id: string
  call_key: string
  provider: string
  model: string
  twin_id: string
  replicate: number
  attempt: number
  status: CallStatus
  reason: string | null
  message: string | null
}

interface RunRow {
  run_id: string
  manifest: string
  status: RunStatus
  created_at: number
  updated_at: number
}

interface JobRow {
  key: string
  finetuner: string
  job_id: string | null
  file_ids: string
  estimate: string | null
  status: string
  last_event: string | null
}

interface BatchRow {
  provider: string
  batch_id: string
  run_id: string | null
  chunk_index: number
  request_keys: string
  status: string
  submitted_at: number | null
  finished_at: number | null
}

interface PendingWrite {
  readonly call: Record<string, unknown>
  readonly status: Record<string, unknown> | undefined
  readonly done: Deferred.Deferred<void, StoreError>
}

const toRun = (row: RunRow): RunRecord => ({
  runId: row.run_id,
  manifest: row.manifest,
  status: row.status,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
})

const toStatus = (row: StatusRow): CallStatusRow => ({
  runId: row.run_id,
  callKey: row.call_key,
  provider: row.provider,
  model: row.model,
  twinId: row.twin_id,
  replicate: row.replicate,
  attempt: row.attempt,
  status: row.status,
  reason: row.reason,
  message: row.message,
})

/** Whether a process that took a lock still runs: on this host, by asking the kernel; elsewhere, assumed. */
const holderAlive = (holder: RunHolder): boolean => {
  if (holder.host !== hostname()) return true
  if (holder.pid === process.pid) return false
  try {
    process.kill(holder.pid, 0)
    return true
  } catch (cause) {
    // EPERM: the process exists but belongs to someone else
    return typeof cause === "object" && cause !== null && "code" in cause && cause.code === "EPERM"
  }
}

const isBusy = (cause: unknown): boolean =>
  typeof cause === "object" &&
  cause !== null &&
  "code" in cause &&
  typeof cause.code === "string" &&
  cause.code.startsWith("SQLITE_BUSY")

/**
 * Opens the database: WAL (readers never block the writer; a killed process loses only what it had not
 * committed), synchronous=NORMAL (durable against process crashes, the case that matters here), a busy
 * timeout so two processes queue for the write lock instead of failing, then migrations.
 */
const openOnce = (path: string, busyTimeoutMs: number): Database.Database => {
  if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path, { timeout: busyTimeoutMs })
  try {
    db.pragma("journal_mode = WAL")
    db.pragma("synchronous = NORMAL")
    db.pragma("foreign_keys = ON")
    // Cache keys are uniformly random hashes, so lookups touch pages all over the file: a larger page
    // cache and memory-mapped reads turn most of them from system calls into memory reads.
    db.pragma("cache_size = -65536")
    db.pragma("mmap_size = 268435456")
    // Answers are keyed by random hashes, so each one dirties its own pages; checkpointing every 40 MB
    // of WAL instead of every 4 MB writes a page back once for many answers instead of once for few.
    db.pragma("wal_autocheckpoint = 10000")
    migrate(db)
    return db
  } catch (cause) {
    db.close()
    throw cause
  }
}

class Busy {
  constructor(readonly cause: unknown) {}
}

// Switching to WAL needs a lock that SQLite's busy handler does not always wait for when another
// process is opening the same file at the same moment: retry that case briefly.
const open = (path: string, busyTimeoutMs: number): Effect.Effect<Database.Database, StoreError> =>
  Effect.try({
    try: () => openOnce(path, busyTimeoutMs),
    catch: (cause) => (isBusy(cause) ? new Busy(cause) : storeError(path, "open", cause)),
  }).pipe(
    Effect.retry({
      while: (error) => error instanceof Busy,
      schedule: Schedule.spaced("25 millis"),
      times: 100,
    }),
    Effect.mapError((error) => (error instanceof Busy ? storeError(path, "open", error.cause) : error)),
  )

const build = (path: string, db: Database.Database): StoreShape => {
  const attempt = <A>(operation: string, run: () => A): Effect.Effect<A, StoreError> =>
    Effect.try({ try: run, catch: (cause) => storeError(path, operation, cause) })

  const statements = {
    getCall: db.prepare<[string], CallRow>("SELECT * FROM calls WHERE key = ?"),
    putCall: db.prepare(
      `INSERT OR REPLACE INTO calls (key, provider, model, response, input_tokens, output_tokens, cost_usd, model_version, created_at)
       VALUES (@key, @provider, @model, @response, @inputTokens, @outputTokens, @costUsd, @modelVersion, @createdAt)`,
    ),
    countCalls: db.prepare<[], { n: number }>("SELECT count(*) AS n FROM calls"),
    runAnswers: db
      .prepare<
        [{ runId: string; provider: string | null; model: string | null }],
        [string, string, number | null]
      >(
        `SELECT c.key, c.response, c.cost_usd FROM call_status s JOIN calls c ON c.key = s.call_key
         WHERE s.run_id = @runId AND s.status = 'ok'
           AND (@provider IS NULL OR s.provider = @provider) AND (@model IS NULL OR s.model = @model)`,
      )
      .raw(true),
    getRun: db.prepare<[string], RunRow>("SELECT * FROM runs WHERE run_id = ?"),
    getLock: db.prepare<[string], { pid: number; host: string; started_at: number }>(
      "SELECT pid, host, started_at FROM run_locks WHERE run_id = ?",
    ),
    putLock: db.prepare(
      "INSERT OR REPLACE INTO run_locks (run_id, pid, host, started_at) VALUES (?, ?, ?, ?)",
    ),
    deleteLock: db.prepare("DELETE FROM run_locks WHERE run_id = ? AND pid = ? AND host = ?"),
    insertRun: db.prepare(
      "INSERT INTO runs (run_id, manifest, status, created_at, updated_at) VALUES (?, ?, 'running', ?, ?)",
    ),
    setRunStatus: db.prepare("UPDATE runs SET status = ?, updated_at = ? WHERE run_id = ?"),
    putStatus: db.prepare(
      `INSERT OR REPLACE INTO call_status (run_id, call_key, provider, model, twin_id, replicate, attempt, status, reason, message, updated_at)
       VALUES (@runId, @callKey, @provider, @model, @twinId, @replicate, @attempt, @status, @reason, @message, @updatedAt)`,
    ),
    listStatuses: db.prepare<[string], StatusRow>(
      "SELECT * FROM call_status WHERE run_id = ? ORDER BY twin_id, replicate, attempt, call_key",
    ),
    summary: db.prepare<[string], { status: CallStatus; reason: string | null; n: number }>(
      "SELECT status, reason, count(*) AS n FROM call_status WHERE run_id = ? GROUP BY status, reason",
    ),
    putJob: db.prepare(
      `INSERT INTO finetune_jobs (key, finetuner, job_id, file_ids, estimate, status, last_event, created_at, updated_at)
       VALUES (@key, @finetuner, @jobId, @fileIds, @estimate, @status, @lastEvent, @now, @now)
       ON CONFLICT (key) DO UPDATE SET finetuner = excluded.finetuner, job_id = excluded.job_id,
         file_ids = excluded.file_ids, estimate = excluded.estimate, status = excluded.status,
         last_event = excluded.last_event, updated_at = excluded.updated_at`,
    ),
    getJob: db.prepare<[string], JobRow>("SELECT * FROM finetune_jobs WHERE key = ?"),
    putBatch: db.prepare(
      `INSERT OR REPLACE INTO batches (provider, batch_id, run_id, chunk_index, request_keys, status, submitted_at, finished_at)
       VALUES (@provider, @batchId, @runId, @chunkIndex, @requestKeys, @status, @submittedAt, @finishedAt)`,
    ),
    listBatches: db.prepare<[{ runId: string | null; provider: string | null }], BatchRow>(
      `SELECT * FROM batches WHERE (@runId IS NULL OR run_id = @runId) AND (@provider IS NULL OR provider = @provider)
       ORDER BY run_id, provider, chunk_index, batch_id`,
    ),
  }

  const statusParams = (row: CallStatusRow, now: number) => ({ ...row, updatedAt: now })

  // Batched lookups: one statement per batch size (the last, shorter batch of a lookup has its own).
  const lookupBatch = 256
  const lookups = new Map<number, Database.Statement<Array<string>, [string, string, number | null]>>()
  const lookupOf = (size: number) => {
    let statement = lookups.get(size)
    if (statement === undefined) {
      statement = db
        .prepare<Array<string>, [string, string, number | null]>(
          `SELECT key, response, cost_usd FROM calls WHERE key IN (${Array.from({ length: size }, () => "?").join(",")})`,
        )
        .raw(true)
      lookups.set(size, statement)
    }
    return statement
  }

  // Writes take the lock up front (BEGIN IMMEDIATE): a deferred transaction that upgrades from read to
  // write can fail with SQLITE_BUSY at once instead of waiting, when another process holds the lock.
  // Group commit: answers that arrive together are committed in one transaction (a commit, not the
  // inserts, is most of a write's cost). `putCall` returns only once its answer is committed, so a
  // crash still loses nothing but calls that had not returned. If a batch fails, each write is retried
  // alone, so one bad write fails only its own caller.
  const writeOne = (write: PendingWrite) => {
    statements.putCall.run(write.call)
    if (write.status !== undefined) statements.putStatus.run(write.status)
  }
  const writeBatch = db.transaction((writes: ReadonlyArray<PendingWrite>) => {
    for (const write of writes) writeOne(write)
  })
  const writeAlone = db.transaction(writeOne)
  let pendingWrites: Array<PendingWrite> = []
  const commitPending = Effect.sync(() => {
    const writes = pendingWrites
    pendingWrites = []
    try {
      writeBatch.immediate(writes)
      for (const write of writes) Deferred.doneUnsafe(write.done, Exit.void)
    } catch {
      for (const write of writes) {
        try {
          writeAlone.immediate(write)
          Deferred.doneUnsafe(write.done, Exit.void)
        } catch (cause) {
          Deferred.doneUnsafe(write.done, Exit.fail(storeError(path, "putCall", cause)))
        }
      }
    }
  })
  const putStatuses = db.transaction((rows: ReadonlyArray<Record<string, unknown>>) => {
    for (const row of rows) statements.putStatus.run(row)
  })
  const beginRun = db.transaction((runId: string, manifest: string, now: number) => {
    const existing = statements.getRun.get(runId)
    if (existing === undefined) statements.insertRun.run(runId, manifest, now, now)
    else statements.setRunStatus.run("running", now, runId)
    return { resumed: existing !== undefined, run: toRun(statements.getRun.get(runId)!) }
  })

  // Read and write in one immediate transaction: two processes taking the same lock are serialised.
  const lockRun = db.transaction((runId: string, now: number): RunHolder | undefined => {
    const row = statements.getLock.get(runId)
    if (row !== undefined) {
      const holder = { pid: row.pid, host: row.host, startedAt: row.started_at }
      if (holderAlive(holder)) return holder
    }
    statements.putLock.run(runId, process.pid, hostname(), now)
    return undefined
  })

  return {
    path,
    lockRun: (runId) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        attempt("lockRun", () => lockRun.immediate(runId, now)),
      ),
    unlockRun: (runId) =>
      attempt("unlockRun", () => {
        statements.deleteLock.run(runId, process.pid, hostname())
      }),
    getCall: (key) =>
      attempt("getCall", () => {
        const row = statements.getCall.get(key)
        if (row === undefined) return undefined
        return {
          key: row.key,
          provider: row.provider,
          model: row.model,
          response: row.response,
          inputTokens: row.input_tokens,
          outputTokens: row.output_tokens,
          costUsd: row.cost_usd,
          modelVersion: row.model_version,
          createdAt: row.created_at,
        }
      }),
    getCalls: (keys) =>
      attempt("getCalls", () => {
        const answers = new Map<string, RunAnswer>()
        for (let start = 0; start < keys.length; start += lookupBatch) {
          const batch = keys.slice(start, start + lookupBatch)
          for (const [key, response, costUsd] of lookupOf(batch.length).iterate(...batch))
            answers.set(key, { response, costUsd })
        }
        return answers
      }),
    putCall: (call, status) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const done = Deferred.makeUnsafe<void, StoreError>()
        pendingWrites.push({
          call: { ...call, createdAt: now },
          status: status === undefined ? undefined : statusParams(status, now),
          done,
        })
        // the first write of a batch schedules its commit, after the fibers that are ready to run
        if (pendingWrites.length > 1) return Deferred.await(done)
        return Effect.andThen(
          Effect.forkDetach(Effect.andThen(Effect.yieldNow, commitPending)),
          Deferred.await(done),
        )
      }),
    countCalls: attempt("countCalls", () => statements.countCalls.get()!.n),
    runAnswers: (runId, only = {}) =>
      attempt("runAnswers", () => {
        const answers = new Map<string, RunAnswer>()
        const filter = { runId, provider: only.provider ?? null, model: only.model ?? null }
        for (const [key, response, costUsd] of statements.runAnswers.iterate(filter))
          answers.set(key, { response, costUsd })
        return answers
      }),
    beginRun: (runId, manifest) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        attempt("beginRun", () => beginRun.immediate(runId, manifest, now)),
      ),
    getRun: (runId) =>
      attempt("getRun", () => {
        const row = statements.getRun.get(runId)
        return row === undefined ? undefined : toRun(row)
      }),
    setRunStatus: (runId, status) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        attempt("setRunStatus", () => {
          statements.setRunStatus.run(status, now, runId)
        }),
      ),
    recordStatuses: (rows) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        attempt("recordStatuses", () => putStatuses.immediate(rows.map((row) => statusParams(row, now)))),
      ),
    listStatuses: (runId) => attempt("listStatuses", () => statements.listStatuses.all(runId).map(toStatus)),
    statusSummary: (runId) =>
      attempt("statusSummary", () => {
        let ok = 0
        let failed = 0
        const reasons: Record<string, number> = {}
        for (const row of statements.summary.all(runId)) {
          if (row.status === "ok") ok += row.n
          else {
            failed += row.n
            const reason = row.reason ?? "unknown"
            reasons[reason] = (reasons[reason] ?? 0) + row.n
          }
        }
        return { ok, failed, reasons }
      }),
    putFinetuneJob: (job) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        attempt("putFinetuneJob", () => {
          statements.putJob.run({ ...job, fileIds: JSON.stringify(job.fileIds), now })
        }),
      ),
    getFinetuneJob: (key) =>
      attempt("getFinetuneJob", () => {
        const row = statements.getJob.get(key)
        if (row === undefined) return undefined
        return {
          key: row.key,
          finetuner: row.finetuner,
          jobId: row.job_id,
          fileIds: JSON.parse(row.file_ids) as Array<string>,
          estimate: row.estimate,
          status: row.status,
          lastEvent: row.last_event,
        }
      }),
    putBatch: (batch) =>
      attempt("putBatch", () => {
        statements.putBatch.run({ ...batch, requestKeys: JSON.stringify(batch.requestKeys) })
      }),
    listBatches: (filter) =>
      attempt("listBatches", () =>
        statements.listBatches
          .all({ runId: filter.runId ?? null, provider: filter.provider ?? null })
          .map((row) => ({
            provider: row.provider,
            batchId: row.batch_id,
            runId: row.run_id,
            chunkIndex: row.chunk_index,
            requestKeys: JSON.parse(row.request_keys) as Array<string>,
            status: row.status,
            submittedAt: row.submitted_at,
            finishedAt: row.finished_at,
          })),
      ),
  }
}

/** Opens (creating and migrating if needed) the store at `path`; closes it when the scope ends. */
export const make = (
  path: string,
  options: StoreOptions = {},
): Effect.Effect<StoreShape, StoreError, Scope.Scope> =>
  Effect.acquireRelease(open(path, options.busyTimeoutMs ?? 10_000), (db) =>
    Effect.sync(() => db.close()),
  ).pipe(Effect.map((db) => build(path, db)))

/** The store as a layer: opened when the layer is built, closed when its scope ends. */
export const layer = (path: string, options: StoreOptions = {}): Layer.Layer<Store, StoreError> =>
  Layer.effect(Store, make(path, options))
