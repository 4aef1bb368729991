export * from "./calls/index.js"
