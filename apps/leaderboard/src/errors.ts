import { Schema } from "effect"

/**
 * Why the leaderboard could not load a results file or build the site. `file` names the file (or
 * folder) concerned; `message` says what is wrong with it in words a person can act on.
 */
export class LeaderboardError extends Schema.TaggedError<LeaderboardError>()("LeaderboardError", {
  reason: Schema.Literals([
    /** A path given does not exist, or a folder holds no results.json. */
    "not-found",
    /** The file could not be read or written. */
    "io",
    /** The file is not JSON. */
    "invalid-json",
    /** `schemaVersion` is missing or written by a newer standin. */
    "unsupported-version",
    /** The file does not match its version's schema. */
    "invalid-results",
    /** A synthetic CSV named by an entry is missing or lies outside the results folder. */
    "missing-synthetic",
    /** The prebuilt site bundle is not where the package expects it. */
    "bundle-missing",
  ]),
  file: Schema.String,
  message: Schema.String,
}) {}
