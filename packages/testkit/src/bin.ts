#!/usr/bin/env node
import { fakeUsage, parseFakeArguments, runFake } from "./cli.js"

const parsed = parseFakeArguments(process.argv.slice(2))
if ("error" in parsed) {
  if (parsed.error !== "") console.error(`standin-fake: ${parsed.error}\n`)
  console.error(fakeUsage)
  process.exit(parsed.error === "" ? 0 : 2)
}
const fake = await runFake(parsed, (line) => console.log(line))
const stop = () => {
  fake.close().then(() => process.exit(0))
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
