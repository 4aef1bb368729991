import {
  type ProviderDescriptor,
  ProviderError,
  type ProviderRequest,
  type ProviderResponse,
  settingsWarnings,
  unsupportedElicitation,
} from "@standin/core"
import { Effect } from "effect"

/** One way of asking a vendor: the request, and the warnings gathered so far (it may add its own). */
export type Ask = (
  request: ProviderRequest,
  warnings: Array<string>,
) => Effect.Effect<ProviderResponse, ProviderError>

/**
 * A vendor provider's `generate`: refuses an elicitation it does not declare before anything is sent, gathers
 * the warnings for settings it cannot honour, and routes to its whole-instrument ask or, for `logprobs`, its
 * per-item ask (which reads one token, so a max-tokens setting is noted as overridden). With `model`, refusals
 * and warnings name it (give the descriptor `descriptorForModel` narrowed to it).
 */
export const generateFor =
  (descriptor: ProviderDescriptor, asks: { readonly whole: Ask; readonly logprobs?: Ask }, model?: string) =>
  (request: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> =>
    Effect.suspend(() => {
      const refused = unsupportedElicitation(descriptor, request.elicitation, model)
      if (refused !== undefined)
        return Effect.fail(
          new ProviderError({ provider: descriptor.id, reason: "unsupported", message: refused }),
        )
      const warnings = [...settingsWarnings(descriptor, request.settings, model)]
      if (request.elicitation === "logprobs" && asks.logprobs !== undefined) {
        if (request.settings.maxTokens !== undefined)
          warnings.push("max tokens was set to 1 for logprobs elicitation (only the first token is read)")
        return asks.logprobs(request, warnings)
      }
      return asks.whole(request, warnings)
    })
