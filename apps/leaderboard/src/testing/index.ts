export * from "./fixtures.js"
export * from "./serve.js"
