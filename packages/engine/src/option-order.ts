import type { OptionOrderMode, StudyDefinition } from "@standin/core"
import { optionsAsShown } from "@standin/core"
import { shuffled, streamFor } from "@standin/stats"

/**
 * The option order each item shows a twin under `--option-order`: undefined for "as-shown" (the order the
 * humans saw, the study's own), the reverse of it, or a shuffle seeded by the run's seed, the twin and the
 * item (so a twin sees the same order in every replicate and re-ask, and the same seed gives the same orders).
 */
export const optionOrdersFor = (
  study: StudyDefinition,
  mode: OptionOrderMode,
  seed: number,
  twinId: string,
): Readonly<Record<string, ReadonlyArray<string>>> | undefined => {
  if (mode === "as-shown") return undefined
  const orders: Record<string, ReadonlyArray<string>> = {}
  for (const item of study.items) {
    const shown = optionsAsShown(item)
    if (shown.length === 0) continue
    orders[item.id] =
      mode === "reversed"
        ? [...shown].reverse()
        : shuffled(shown, streamFor(seed, "option-order", twinId, item.id))
  }
  return orders
}
