/**
 * Token metering of the fakes, the same rule the engine's cost estimator uses: a token is four
 * characters, rounded up, over all message contents (input) and the output text (output).
 */
export const tokensForText = (characters: number): number => Math.ceil(characters / 4)

export const inputTokens = (contents: ReadonlyArray<string>): number =>
  tokensForText(contents.reduce((sum, content) => sum + content.length, 0))

export const outputTokens = (text: string): number => tokensForText(text.length)
