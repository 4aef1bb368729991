import { Finetuner, type FinetunerPlugin, PluginConfigError } from "@standin/core"
import { Effect, Layer, Schema } from "effect"
import { descriptor } from "./descriptor.js"
import { make } from "./finetuner.js"

export { DEFAULT_SERVED_AT, DEFAULTS, descriptor } from "./descriptor.js"
export { axolotlConfig, type ExportFinetunerConfig, make, vllmCommand } from "./finetuner.js"

/** Options from config, decoded strictly: a typo is an error, not a no-op. */
export const ExportFinetunerOptions = Schema.Struct({
  dir: Schema.optionalKey(Schema.String),
  servedAt: Schema.optionalKey(Schema.String),
})

/** The export finetuner: `options.dir` receives the exports, `options.servedAt` is where vLLM will listen. */
export const layer = (options: Readonly<Record<string, unknown>> = {}) =>
  Layer.effect(
    Finetuner,
    Schema.decodeUnknownEffect(ExportFinetunerOptions, { onExcessProperty: "error" })(options).pipe(
      Effect.mapError(
        (error) =>
          new PluginConfigError({ plugin: descriptor.id, message: `invalid options: ${error.message}` }),
      ),
      Effect.flatMap((decoded) =>
        decoded.servedAt !== undefined && !URL.canParse(decoded.servedAt)
          ? Effect.fail(
              new PluginConfigError({
                plugin: descriptor.id,
                message: `servedAt "${decoded.servedAt}" is not a URL`,
              }),
            )
          : Effect.succeed(make(decoded)),
      ),
    ),
  )

export const plugin: FinetunerPlugin = { descriptor, layer }
