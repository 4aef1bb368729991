// The command line proper, imported by bin.ts for everything but a bare `--version`.
// NodeServices by its own path: the package's index also loads its Redis and HTTP modules.
import * as NodeServices from "@effect/platform-node/NodeServices"
import { Effect, Runtime } from "effect"
import { receive, receivedSignal, type StopSignal, setInterruptMain, signalExitCode } from "./interrupts.js"
import { runCli } from "./main.js"

// The platform's runMain, with standin's own signal handling (see interrupts.ts): a run drains its
// calls in flight on the first Ctrl-C or SIGTERM, and the exit code tells which signal stopped it.
const runMain = Runtime.makeRunMain(({ fiber, teardown }) => {
  setInterruptMain(() => fiber.interruptUnsafe(fiber.id))
  const onSignal = (signal: StopSignal) => {
    switch (receive(signal)) {
      case "interrupt":
        return fiber.interruptUnsafe(fiber.id)
      case "force":
        process.stderr.write(
          `\nstandin: stopped at once (${signal} again): answers not yet stored are lost and their calls will be paid again when the run is resumed.\n`,
        )
        return process.exit(signalExitCode(receivedSignal() ?? signal))
      case "drain":
        return
    }
  }
  const onSigint = () => onSignal("SIGINT")
  const onSigterm = () => onSignal("SIGTERM")
  fiber.addObserver((exit) => {
    process.removeListener("SIGINT", onSigint)
    process.removeListener("SIGTERM", onSigterm)
    teardown(exit, (code) => {
      const signal = receivedSignal()
      if (signal !== undefined)
        process.exit(
          code === 0 && process.exitCode !== undefined ? Number(process.exitCode) : signalExitCode(signal),
        )
      else if (code !== 0) process.exit(code)
    })
  })
  process.on("SIGINT", onSigint)
  process.on("SIGTERM", onSigterm)
})

runMain(runCli(process.argv.slice(2)).pipe(Effect.provide(NodeServices.layer)), {
  disableErrorReporting: false,
})
