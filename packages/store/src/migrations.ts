import type Database from "better-sqlite3"

/**
 * Schema migrations, applied in order inside one exclusive transaction. Entry i brings the schema
 * from version i to i + 1. Never edit a released entry: append a new one.
 */
export const migrations: ReadonlyArray<string> = [
  `
  CREATE TABLE calls (
    key TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    response TEXT NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    cost_usd REAL,
    model_version TEXT NOT NULL,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE runs (
    run_id TEXT PRIMARY KEY,
    manifest TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE call_status (
    run_id TEXT NOT NULL REFERENCES runs (run_id) ON DELETE CASCADE,
    call_key TEXT NOT NULL,
    provider TEXT NOT NULL,
    model TEXT NOT NULL,
    twin_id TEXT NOT NULL,
    replicate INTEGER NOT NULL,
    attempt INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    reason TEXT,
    message TEXT,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (run_id, call_key)
  ) WITHOUT ROWID;

  CREATE TABLE finetune_jobs (
    key TEXT PRIMARY KEY,
    finetuner TEXT NOT NULL,
    job_id TEXT,
    file_ids TEXT NOT NULL,
    estimate TEXT,
    status TEXT NOT NULL,
    last_event TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );

  CREATE TABLE batches (
    provider TEXT NOT NULL,
    batch_id TEXT NOT NULL,
    run_id TEXT,
    chunk_index INTEGER NOT NULL,
    request_keys TEXT NOT NULL,
    status TEXT NOT NULL,
    submitted_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (provider, batch_id)
  );
  CREATE INDEX batches_by_run ON batches (run_id, chunk_index);
  `,
  // 1 → 2: which process is running a run, so that the same run is never run twice at once.
  `
  CREATE TABLE run_locks (
    run_id TEXT PRIMARY KEY,
    pid INTEGER NOT NULL,
    host TEXT NOT NULL,
    started_at INTEGER NOT NULL
  );
  `,
]

export const SchemaVersion = migrations.length

/** Brings `db` to the latest schema. Returns the version found before migrating. */
export const migrate = (db: Database.Database): { from: number; to: number } =>
  db
    .transaction(() => {
      db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
      const row = db.prepare("SELECT version FROM schema_version").get() as { version: number } | undefined
      const from = row?.version ?? 0
      if (from > migrations.length)
        throw new Error(
          `the store has schema version ${from}, newer than this standin understands (${migrations.length}); upgrade standin`,
        )
      for (let version = from; version < migrations.length; version++) db.exec(migrations[version]!)
      if (row === undefined)
        db.prepare("INSERT INTO schema_version (version) VALUES (?)").run(migrations.length)
      else db.prepare("UPDATE schema_version SET version = ?").run(migrations.length)
      return { from, to: migrations.length }
    })
    .exclusive()
