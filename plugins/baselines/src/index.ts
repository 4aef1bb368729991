export * from "./baselines.js"
export { BASELINES_VERSION, cellIndex, cellKey } from "./shared.js"
