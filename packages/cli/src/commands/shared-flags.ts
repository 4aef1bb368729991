import { Flag } from "effect/cli"

/**
 * Flags that `standin run` and `standin sweep` share: how twins are simulated and scored, and how the
 * command reports. One definition, so the two commands cannot drift apart.
 */
export const simulationFlags = {
  replicates: Flag.Int("replicates").pipe(
    Flag.withDescription("Synthetic twins per holdout respondent."),
    Flag.withDefault(1),
  ),
  temperature: Flag.Finite("temperature").pipe(
    Flag.withDescription("Sampling temperature (0–2)."),
    Flag.optional,
  ),
  demographics: Flag.Boolean("demographics").pipe(
    Flag.withDescription(
      "Include the persona in prompts; --no-demographics runs the demographics-removed ablation.",
    ),
    Flag.withDefault(true),
  ),
  maxReasks: Flag.Int("max-reasks").pipe(
    Flag.withDescription("Times an invalid answer is re-asked before it is recorded as invalid."),
    Flag.withDefault(2),
  ),
  bootstrap: Flag.Int("bootstrap").pipe(
    Flag.withDescription("Bootstrap resamples for 95% CIs (0 turns CIs off)."),
    Flag.withDefault(500),
  ),
  minCell: Flag.Int("min-cell").pipe(
    Flag.withDescription("Subgroup cells with fewer humans are shown and flagged, not ranked."),
    Flag.withDefault(30),
  ),
  concurrency: Flag.Int("concurrency").pipe(
    Flag.withDescription(
      "Concurrent model calls per provider (adaptive: halved on 429s). Default: the provider's own (openai 64, google 32, anthropic 16, openai-compatible 16).",
    ),
    Flag.optional,
  ),
  threads: Flag.Int("threads").pipe(
    Flag.withDescription(
      "Worker threads for scoring (each metric on each entry is one task); the results are the same bytes whatever the count. Default: the machine's cores.",
    ),
    Flag.optional,
  ),
  quiet: Flag.Boolean("quiet").pipe(Flag.withDescription("No progress output."), Flag.withDefault(false)),
  site: Flag.Boolean("site").pipe(
    Flag.withDescription("Build the leaderboard site for the results into <out>/site (--no-site skips it)."),
    Flag.withDefault(true),
  ),
} as const
