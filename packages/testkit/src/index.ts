export * from "./fakes.js"
export * from "./fixture-study.js"
