/**
 * The worked example of docs/adding-a-provider.md: a provider that calls no vendor, so it runs anywhere,
 * but implements the Provider contract exactly as a real one does. Its "models":
 *   toy:first, toy:middle, toy:last   answer every item with that option of its scale;
 *   toy:canned                        answers with `providerOptions.toy.answers` (what toy-finetuner trains).
 * Arms listed in `providerOptions.toy.refuseArms` are refused as a content filter would, to show how a
 * vendor failure becomes a typed ProviderError that the engine records instead of dropping the twin.
 */
import {
  AnswerValue,
  type Item,
  PluginConfigError,
  Provider,
  type ProviderDescriptor,
  ProviderError,
  type ProviderPlugin,
  type ProviderRequest,
  type ProviderResponse,
  ProviderSpecVersion,
  scaleOptions,
  settingsWarnings,
} from "@standin/core"
import { Effect, Layer, Schema } from "effect"

export const toyProviderDescriptor: ProviderDescriptor = {
  kind: "provider",
  id: "toy",
  version: "0.1.0",
  specVersion: ProviderSpecVersion,
  label: "Toy model",
  description: "Answers from a fixed rule or a canned table; the template for a real provider plugin.",
  capabilities: {
    logprobs: false,
    seed: false,
    structuredOutput: true,
    batch: false,
    finetune: false,
    temperature: false,
    topP: false,
    elicitation: ["sample"],
  },
  // A real provider names the environment variables that may hold its key; the toy needs none.
  keyEnv: [],
}

/** The vendor-specific options this plugin understands, decoded strictly from `spec.options`. */
export const ToyOptions = Schema.Struct({
  answers: Schema.optionalKey(Schema.Record(Schema.String, AnswerValue)),
  refuseArms: Schema.optionalKey(Schema.Array(Schema.String)),
})
export type ToyOptions = typeof ToyOptions.Type

const MODELS = ["first", "middle", "last", "canned"] as const
type ToyModel = (typeof MODELS)[number]

const pick = (item: Item, model: Exclude<ToyModel, "canned">): AnswerValue => {
  const scale = item.scale
  if (scale._tag === "Numeric") {
    const value = model === "first" ? scale.min : model === "last" ? scale.max : (scale.min + scale.max) / 2
    return scale.integer ? Math.round(value) : value
  }
  const options = scaleOptions(scale)
  const index =
    model === "first" ? 0 : model === "last" ? options.length - 1 : Math.floor((options.length - 1) / 2)
  return scale._tag === "MultiSelect" ? [options[index]!] : options[index]!
}

/** A rough token count, as a real provider would take from the vendor's usage report. */
const tokens = (text: string) => Math.ceil(text.length / 4)

export const toyProvider: ProviderPlugin = {
  descriptor: toyProviderDescriptor,
  layer: (spec) =>
    Layer.effect(
      Provider,
      Effect.gen(function* () {
        // Configuration errors surface before the run spends anything; the engine skips the entry with the reason.
        if (!(MODELS as ReadonlyArray<string>).includes(spec.model)) {
          return yield* new PluginConfigError({
            plugin: "toy",
            message: `unknown model "${spec.model}": use toy:first, toy:middle, toy:last or toy:canned`,
          })
        }
        const model = spec.model as ToyModel
        // vendor options have one shape, providerOptions[providerId]: the toy's are `spec.options.toy` (flat
        // options at the top of `spec.options`, the shape of before, are still read)
        const own = spec.options?.toy
        const mine =
          typeof own === "object" && own !== null && !Array.isArray(own) ? own : (spec.options ?? {})
        const options = yield* Schema.decodeUnknownEffect(ToyOptions)(mine, {
          onExcessProperty: "error",
        }).pipe(
          Effect.mapError(
            (error) =>
              new PluginConfigError({
                plugin: "toy",
                message: `invalid providerOptions.toy: ${error.message}`,
              }),
          ),
        )
        if (model === "canned" && options.answers === undefined) {
          return yield* new PluginConfigError({
            plugin: "toy",
            message: "toy:canned needs providerOptions.toy.answers",
          })
        }
        const generate = (request: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> => {
          if (options.refuseArms?.includes(request.twin.arm)) {
            return Effect.fail(
              new ProviderError({
                provider: "toy",
                reason: "content-filtered",
                message: `the toy model refuses arm "${request.twin.arm}"`,
              }),
            )
          }
          const answers = Object.fromEntries(
            request.items.map((item) => [
              item.id,
              model === "canned" ? (options.answers?.[item.id] ?? null) : pick(item, model),
            ]),
          )
          const text = JSON.stringify(answers)
          const prompt = request.prompt.messages.map((message) => message.content).join("\n")
          return Effect.succeed({
            text,
            modelVersion: `toy-${model}@0.1.0`,
            usage: { inputTokens: tokens(prompt), outputTokens: tokens(text) },
            // Settings the toy cannot honour come back as warnings and are stored with every answer.
            warnings: settingsWarnings(toyProviderDescriptor, request.settings),
            finishReason: "stop",
          })
        }
        return { descriptor: toyProviderDescriptor, model: spec.model, generate }
      }),
    ),
}
