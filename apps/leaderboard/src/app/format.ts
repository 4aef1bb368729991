import type { Interval } from "../model.js"

const minus = (text: string) => text.replace(/^-/, "−")

/** A number for people: fixed digits, a real minus sign, "—" for nothing. */
export const formatNumber = (value: number | null | undefined, digits = 2): string =>
  value === null || value === undefined || !Number.isFinite(value) ? "—" : minus(value.toFixed(digits))

export const formatInterval = (
  interval: Interval | { lower: number; upper: number } | null | undefined,
  digits = 2,
) =>
  interval === null || interval === undefined
    ? ""
    : `${formatNumber(interval.lower, digits)} to ${formatNumber(interval.upper, digits)}`

export const formatCount = (value: number): string => value.toLocaleString("en-US")

export const formatUsd = (value: number | null): string =>
  value === null ? "—" : value < 0.01 && value > 0 ? "< $0.01" : `$${value.toFixed(2)}`

/** `item=concern|pair=concern-share` → `concern · concern-share`. */
export const qualifierLabel = (key: string): string => {
  const parts = key.split("|").slice(1)
  return parts.length === 0 ? "overall" : parts.map((part) => part.split("=").slice(1).join("=")).join(" · ")
}

export const directionText = (direction: string): string =>
  direction === "lower" ? "lower is better" : "higher is better"

/** Background for a fidelity cell: orange below the floor, white at 0, blue toward the ceiling. */
export const fidelityColor = (value: number | null): string => {
  if (value === null) return "transparent"
  if (value < 0) {
    const t = Math.min(1, -value)
    return `hsl(28 85% ${Math.round(97 - 17 * t)}%)`
  }
  const t = Math.min(1.2, value) / 1.2
  return `hsl(212 70% ${Math.round(97 - 22 * t)}%)`
}
