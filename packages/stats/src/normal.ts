/**
 * The standard normal distribution to full relative precision in both tails, for the probit likelihood
 * (jstat's cdf is 1 − erf, which loses every digit below Φ ≈ 1e-16 and many before).
 */

// Chebyshev coefficients of erfc on t = 2/(2+z), z ≥ 0 (Numerical Recipes 3rd ed., Erf::erfccheb; relative
// error below 1.2e-16). The same coefficients as jstat's erf, evaluated here without the final 1 − x.
const coefficients = [
  -1.3026537197817094, 6.419697923564902e-1, 1.9476473204185836e-2, -9.561514786808631e-3,
  -9.46595344482036e-4, 3.66839497852761e-4, 4.2523324806907e-5, -2.0278578112534e-5, -1.624290004647e-6,
  1.30365583558e-6, 1.5626441722e-8, -8.5238095915e-8, 6.529054439e-9, 5.059343495e-9, -9.91364156e-10,
  -2.27365122e-10, 9.6467911e-11, 2.394038e-12, -6.886027e-12, 8.94487e-13, 3.13092e-13, -1.12708e-13,
  3.81e-16, 7.106e-15, -1.523e-15, -9.4e-17, 1.21e-16, -2.8e-17,
]

/** The scaled complementary error function e^{z²}·erfc(z) for z ≥ 0 (never underflows). */
export const erfcx = (z: number): number => {
  const t = 2 / (2 + z)
  const ty = 4 * t - 2
  let d = 0
  let dd = 0
  for (let j = coefficients.length - 1; j > 0; j--) {
    const previous = d
    d = ty * d - dd + coefficients[j]!
    dd = previous
  }
  return t * Math.exp(0.5 * (coefficients[0]! + ty * d) - dd)
}

const SQRT1_2 = Math.SQRT1_2
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI)

/** Standard normal density. */
export const normalDensity = (x: number): number => Math.exp(-0.5 * x * x - LOG_SQRT_2PI)

/** Φ(x) with full relative precision for negative x. */
export const normalCdfPrecise = (x: number): number =>
  x < 0
    ? 0.5 * erfcx(-x * SQRT1_2) * Math.exp(-0.5 * x * x)
    : 1 - 0.5 * erfcx(x * SQRT1_2) * Math.exp(-0.5 * x * x)

/** log Φ(x), finite for every finite x. */
export const logNormalCdf = (x: number): number =>
  x < 0
    ? Math.log(0.5 * erfcx(-x * SQRT1_2)) - 0.5 * x * x
    : Math.log1p(-0.5 * erfcx(x * SQRT1_2) * Math.exp(-0.5 * x * x))

/** φ(x)/Φ(x) (the inverse Mills ratio of −x), finite for every finite x. */
export const normalHazardRatio = (x: number): number =>
  x < 0 ? Math.sqrt(2 / Math.PI) / erfcx(-x * SQRT1_2) : normalDensity(x) / normalCdfPrecise(x)
