import { Schema } from "effect"

/**
 * The local store could not be opened, migrated, read or written. `path` names the database file;
 * `operation` names what was being done (e.g. "open", "migrate", "putCall").
 */
export class StoreError extends Schema.TaggedError<StoreError>()("StoreError", {
  path: Schema.String,
  operation: Schema.String,
  message: Schema.String,
}) {}

/** Builds a StoreError from whatever better-sqlite3 threw (its messages never hold data values). */
export const storeError = (path: string, operation: string, cause: unknown): StoreError =>
  new StoreError({
    path,
    operation,
    message: cause instanceof Error ? cause.message : String(cause),
  })
