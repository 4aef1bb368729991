export * from "./baselines.js"
export { BASELINES_VERSION, cellIndex, cellKey, matchDonors } from "./shared.js"
