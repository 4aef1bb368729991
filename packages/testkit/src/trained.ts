import { hash32, Rng } from "./random.js"
import { contentText, record } from "./respond.js"
import {
  defaultResponder,
  personaLines,
  type Responder,
  type SurveyMessage,
  sampleAnswer,
  surveyShape,
} from "./survey.js"

/**
 * What a fake's finetuned model "learnt": the examples of its own training file. It answers a prompt by
 * finding the training examples whose persona (and arm) are most like the prompt's, and drawing one of
 * their real answers — so a pipeline that trained on the pilot gets pilot-like answers back, and one
 * that trained on the wrong file gets visibly wrong ones. A test double, not a model: it is labelled fake
 * wherever its answers go.
 */
interface LearntExample {
  readonly persona: ReadonlySet<string>
  /**
   * The conversation up to one answer, without persona lines: the arm's stimulus, the questions and, on a
   * later page of the instrument, the answers given before (so the fake answers a page in the light of them).
   */
  readonly context: string
  readonly answers: Readonly<Record<string, unknown>>
}

const contextOf = (messages: ReadonlyArray<SurveyMessage>): string =>
  messages
    .filter((message) => message.role !== "system")
    .flatMap((message) => message.content.split("\n"))
    .filter((line) => !line.trim().startsWith("- "))
    .join("\n")

/** Reads chat JSONL (OpenAI's and Together's conversational format) into examples; bad lines are skipped. */
export const learnTrainingFile = (content: string): ReadonlyArray<LearntExample> => {
  const examples: Array<LearntExample> = []
  for (const line of content.split("\n")) {
    if (line.trim() === "") continue
    let parsed: unknown
    try {
      parsed = JSON.parse(line)
    } catch {
      continue
    }
    const raw = record(parsed).messages
    if (!Array.isArray(raw)) continue
    const messages: Array<SurveyMessage> = raw.map((message) => {
      const m = record(message)
      const role = m.role === "assistant" ? "assistant" : m.role === "user" ? "user" : "system"
      return { role, content: contentText(m.content) }
    })
    // Every assistant turn states the answers to one page of the instrument; together they are the human's
    // answers. Each turn is learnt with the conversation before it, as the prompt of that page reads.
    const turns = messages.filter((message) => message.role === "assistant")
    if (turns.length === 0) continue
    const answers: Record<string, unknown> = {}
    let readable = true
    for (const turn of turns) {
      try {
        Object.assign(answers, record(JSON.parse(turn.content)))
      } catch {
        readable = false
      }
    }
    if (!readable) continue
    for (const turn of turns) {
      const prompt = messages.slice(0, messages.indexOf(turn))
      examples.push({ persona: new Set(personaLines(prompt)), context: contextOf(prompt), answers })
    }
  }
  return examples
}

/** The examples most like the prompt: most shared persona lines, the same arm counting for one and a half. */
export const nearestExamples = (
  examples: ReadonlyArray<LearntExample>,
  messages: ReadonlyArray<SurveyMessage>,
): ReadonlyArray<LearntExample> => {
  const persona = personaLines(messages)
  const context = contextOf(messages)
  let best = Number.NEGATIVE_INFINITY
  let nearest: Array<LearntExample> = []
  for (const example of examples) {
    let score = example.context === context ? 1.5 : 0
    for (const line of persona) if (example.persona.has(line)) score += 1
    if (score > best) {
      best = score
      nearest = [example]
    } else if (score === best) nearest.push(example)
  }
  return nearest
}

/**
 * A responder for a finetuned model trained on `content`. Structured answers come from one of the nearest
 * training examples (seeded by the request's seed, else the fake's generator); stated distributions are the
 * nearest examples' answer shares; anything else falls back to the default responder.
 */
export const trainedResponder = (content: string): Responder => {
  const examples = learnTrainingFile(content)
  return (request, context) => {
    const shape = surveyShape(request)
    if (examples.length === 0 || (shape._tag !== "Sample" && shape._tag !== "Verbalized"))
      return defaultResponder(request, context)
    const nearest = nearestExamples(examples, request.messages)
    const rng =
      request.seed === undefined
        ? context.rng
        : new Rng(hash32(`${context.seed}|${request.seed}|trained|${JSON.stringify(request.messages)}`))
    if (shape._tag === "Sample") {
      const drawn = nearest[Math.min(nearest.length - 1, Math.floor(rng.next() * nearest.length))]!
      const answers: Record<string, unknown> = {}
      for (const item of shape.items) {
        const value = drawn.answers[item.id]
        answers[item.id] =
          value === undefined || value === null
            ? item.kind === "choice"
              ? (item.options[Math.floor(rng.next() * item.options.length)] ?? null)
              : sampleAnswer(item, personaLines(request.messages), request.temperature, rng)
            : value
      }
      return { text: JSON.stringify(answers) }
    }
    const stated: Record<string, unknown> = {}
    for (const item of shape.items) {
      if (item.kind !== "distribution") {
        stated[item.id] = sampleAnswer(item, personaLines(request.messages), request.temperature, rng)
        continue
      }
      const counts = item.options.map(
        (option) => nearest.filter((example) => example.answers[item.id] === option).length + 0.5,
      )
      const total = counts.reduce((a, b) => a + b, 0)
      stated[item.id] = Object.fromEntries(
        item.options.map((option, index) => [option, Math.round((counts[index]! / total) * 1000) / 1000]),
      )
    }
    return { text: JSON.stringify(stated) }
  }
}
