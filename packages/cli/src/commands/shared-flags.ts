import { Flag } from "effect/cli"
import { defaultTo } from "../options.js"

/**
 * Flags that `standin run` and `standin sweep` share: how twins are simulated and scored, and how the
 * command reports. One definition, so the two commands cannot drift apart.
 */
export const simulationFlags = {
  replicates: Flag.Int("replicates").pipe(defaultTo("Synthetic twins per holdout respondent.", 1)),
  temperature: Flag.Finite("temperature").pipe(
    Flag.withDescription("Sampling temperature (0–2). Default: the provider's own (not sent)."),
    Flag.optional,
  ),
  demographics: Flag.Boolean("demographics").pipe(
    defaultTo(
      "Include the persona in prompts; --no-demographics runs the demographics-removed ablation.",
      true,
    ),
  ),
  maxReasks: Flag.Int("max-reasks").pipe(
    defaultTo("Times an invalid answer is re-asked before it is recorded as invalid.", 2),
  ),
  bootstrap: Flag.Int("bootstrap").pipe(defaultTo("Bootstrap resamples for 95% CIs (0 turns CIs off).", 500)),
  minCell: Flag.Int("min-cell").pipe(
    defaultTo("Subgroup cells with fewer humans are shown and flagged, not ranked.", 30),
  ),
  concurrency: Flag.Int("concurrency").pipe(
    Flag.withDescription(
      "Concurrent model calls per provider (adaptive: halved when most recent answers are 429s, regained within a few windows). Default: the provider's own (openai 64, google 32, anthropic 16, openai-compatible 16).",
    ),
    Flag.optional,
  ),
  quiet: Flag.Boolean("quiet").pipe(defaultTo("No progress output.", false)),
  site: Flag.Boolean("site").pipe(
    defaultTo("Build the leaderboard site for the results into <out>/site (--no-site skips it).", true),
  ),
} as const
