/** Holm's step-down adjustment of p-values (family-wise error control); returns adjusted p in input order. */
export const holm = (pValues: ReadonlyArray<number>): Array<number> => {
  const m = pValues.length
  const order = pValues.map((_, index) => index).sort((a, b) => pValues[a]! - pValues[b]!)
  const adjusted = new Array<number>(m)
  let running = 0
  for (let rank = 0; rank < m; rank++) {
    const index = order[rank]!
    running = Math.max(running, Math.min(1, (m - rank) * pValues[index]!))
    adjusted[index] = running
  }
  return adjusted
}
