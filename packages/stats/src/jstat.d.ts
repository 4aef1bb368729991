// jstat ships no types; these are the few functions @standin/stats calls.
declare module "jstat" {
  interface JStat {
    readonly erfc: (x: number) => number
    readonly gammaln: (x: number) => number
    readonly lowRegGamma: (a: number, x: number) => number
    readonly normal: {
      readonly cdf: (x: number, mean: number, sd: number) => number
      readonly inv: (p: number, mean: number, sd: number) => number
    }
    readonly studentt: {
      readonly cdf: (x: number, df: number) => number
      readonly inv: (p: number, df: number) => number
    }
  }
  const jStat: JStat
  export default jStat
}
