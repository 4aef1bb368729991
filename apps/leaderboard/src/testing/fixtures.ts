/**
 * Seeded fixture results for tests, screenshots and the bench. Everything here is invented: three
 * made-up studies, answered by made-up model profiles. The figures are computed, not typed in: each
 * profile's answer distributions are sampled per twin, the divergence and heterogeneity measures are
 * computed from those counts, and fidelity is normalised against the fixture's own floor and
 * ceiling, so the files are internally consistent and decode with core's ResultsFile schema.
 */
import { mkdir, writeFile } from "node:fs/promises"
import { dirname, join } from "node:path"
import {
  FailureReason,
  type LearningCurvePoint,
  type Measure,
  type MetricScore,
  type ResultsEntry,
  type ResultsFile,
  ResultsSchemaVersion,
} from "@standin/core"
import { hash32, mulberry32 } from "@standin/stats"
import { csvLine } from "../csv.js"
import type { ResultsFileV0 } from "../migrations.js"

// ---------------------------------------------------------------------------------------------
// Seeded randomness

/** @standin/stats' mulberry32 stream, seeded by the FNV-1a hash of a name. */
const random = (seed: string) => {
  const { next } = mulberry32(hash32(seed))
  const normal = () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next())
  const pick = (weights: ReadonlyArray<number>): number => {
    const total = weights.reduce((sum, weight) => sum + weight, 0)
    let u = next() * total
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!
      if (u < 0) return i
    }
    return weights.length - 1
  }
  return { next, normal, pick }
}

const round = (value: number, digits = 4): number => {
  const factor = 10 ** digits
  return Math.round(value * factor) / factor
}
const clamp = (value: number, low: number, high: number) => Math.min(high, Math.max(low, value))

// ---------------------------------------------------------------------------------------------
// Studies

interface ItemSpec {
  readonly id: string
  readonly label: string
  readonly role: "belief" | "action" | "outcome"
  readonly options: ReadonlyArray<string>
  readonly ordered: boolean
}

interface StudySpec {
  readonly id: string
  readonly title: string
  readonly citation: string
  readonly holdout: number
  readonly arms: ReadonlyArray<{ readonly id: string; readonly label: string }>
  readonly items: ReadonlyArray<ItemSpec>
  readonly persona: ReadonlyArray<{
    readonly id: string
    readonly levels: ReadonlyArray<string>
    readonly weights: ReadonlyArray<number>
  }>
  readonly pairs: ReadonlyArray<{
    readonly id: string
    readonly belief: string
    readonly action: string
    readonly humanContrary: number
  }>
  readonly analysis: { readonly id: string; readonly label: string; readonly terms: ReadonlyArray<string> }
  readonly treatmentTerm: string
  /** A private study: its results publish aggregates only (no twin browser, no synthetic CSVs on the site). */
  readonly private?: boolean
  /** Run on 3 pilot/holdout splits: the results carry a `splits` summary. */
  readonly splits?: boolean
}

const agree5 = [
  "Strongly disagree",
  "Somewhat disagree",
  "Neither agree nor disagree",
  "Somewhat agree",
  "Strongly agree",
]
const race = {
  id: "race",
  levels: ["White", "Black", "Asian", "Hispanic", "Other"],
  weights: [0.62, 0.13, 0.08, 0.13, 0.04],
}
const gender = { id: "gender", levels: ["Female", "Male", "Non-binary"], weights: [0.5, 0.47, 0.03] }
const age = {
  id: "age",
  levels: ["18-24", "25-34", "35-44", "45-64", "65+"],
  weights: [0.12, 0.22, 0.2, 0.3, 0.16],
}

export const fixtureStudies: ReadonlyArray<StudySpec> = [
  {
    id: "fixture-data-sharing",
    title: "Browser data sharing (fixture)",
    citation: "Invented fixture modelled on a browser-data consent experiment; not real data.",
    holdout: 240,
    arms: [
      { id: "hidden", label: "Data not shown" },
      { id: "shown", label: "Own browser data shown" },
    ],
    items: [
      {
        id: "understand",
        label: "Understands fingerprinting",
        role: "belief",
        options: agree5,
        ordered: true,
      },
      { id: "concern", label: "Concerned about tracking", role: "belief", options: agree5, ordered: true },
      {
        id: "share",
        label: "Shares browser data",
        role: "action",
        options: ["Decline", "Consent to share"],
        ordered: true,
      },
    ],
    persona: [race, gender, age],
    pairs: [{ id: "concern-share", belief: "concern", action: "share", humanContrary: 0.636 }],
    analysis: {
      id: "share-logit",
      label: "Sharing (logistic)",
      terms: [
        "(Intercept)",
        "arm[shown]",
        "s1",
        "s2",
        "s1:s2",
        "gender[Female]",
        "age[18-24]",
        "age[65+]",
        "race[Asian]",
      ],
    },
    treatmentTerm: "arm[shown]",
  },
  {
    id: "fixture-news-sharing",
    title: "Health news sharing (fixture)",
    citation: "Invented fixture modelled on an accuracy-nudge experiment; not real data.",
    holdout: 180,
    arms: [
      { id: "control", label: "No prompt" },
      { id: "accuracy", label: "Accuracy prompt" },
      { id: "source", label: "Source label" },
    ],
    items: [
      { id: "accurate", label: "Judges headline accurate", role: "belief", options: agree5, ordered: true },
      { id: "trust", label: "Trusts health news", role: "belief", options: agree5, ordered: true },
      { id: "intent", label: "Would share", role: "action", options: ["No", "Yes"], ordered: true },
    ],
    persona: [race, gender, age],
    pairs: [
      { id: "accurate-intent", belief: "accurate", action: "intent", humanContrary: 0.41 },
      { id: "trust-intent", belief: "trust", action: "intent", humanContrary: 0.52 },
    ],
    analysis: {
      id: "intent-logit",
      label: "Sharing intent (logistic)",
      terms: [
        "(Intercept)",
        "arm[accuracy]",
        "arm[source]",
        "accurate",
        "trust",
        "gender[Female]",
        "age[65+]",
      ],
    },
    treatmentTerm: "arm[accuracy]",
    splits: true,
  },
  {
    id: "fixture-charity-default",
    title: "Charity default nudge (fixture)",
    citation: "Invented fixture modelled on a donation-default experiment; not real data.",
    holdout: 150,
    arms: [
      { id: "opt-in", label: "Opt-in" },
      { id: "opt-out", label: "Opt-out default" },
    ],
    items: [
      { id: "warm-glow", label: "Giving feels good", role: "belief", options: agree5, ordered: true },
      {
        id: "donate",
        label: "Donates",
        role: "action",
        options: ["Keeps the bonus", "Donates"],
        ordered: true,
      },
      {
        id: "cause",
        label: "Preferred cause",
        role: "outcome",
        options: ["Health", "Environment", "Poverty", "Animals"],
        ordered: false,
      },
    ],
    persona: [gender, age],
    pairs: [{ id: "glow-donate", belief: "warm-glow", action: "donate", humanContrary: 0.35 }],
    analysis: {
      id: "donate-logit",
      label: "Donation (logistic)",
      terms: ["(Intercept)", "arm[opt-out]", "warm-glow", "gender[Female]", "age[18-24]", "age[65+]"],
    },
    treatmentTerm: "arm[opt-out]",
    private: true,
  },
]

/** Profiles whose twins' conversations the fixtures record (on public studies): a few of their twins answer invalidly. */
const conversationProfiles: ReadonlySet<string> = new Set(["gpt-4o-mini"])
/** Every 48th twin of a conversation profile gives an unusable first answer. */
const invalidTwin = (index: number) => index % 48 === 47

/** A twin's conversation as the engine writes it (one JSON line): a short invented instrument, one page. */
const fixtureConversation = (
  study: StudySpec,
  twin: Twin,
  answers: Record<string, string>,
  invalid: boolean,
): string => {
  const first = study.items[0]!
  const page = [
    `About you: ${study.persona.map((attribute) => `${attribute.id} ${twin.persona[attribute.id]}`).join("; ")}.`,
    `Arm: ${study.arms.find((arm) => arm.id === twin.arm)!.label}.`,
    ...study.items.map((item) => `${item.label}? Options: ${item.options.map((o) => `"${o}"`).join(", ")}`),
    "Answer with a JSON object of item ids to options.",
  ].join("\n")
  const given = invalid ? { ...answers, [first.id]: "Maybe later" } : answers
  return JSON.stringify({
    twinId: twin.id,
    replicate: 0,
    arm: twin.arm,
    persona: twin.persona,
    elicitation: "sample",
    turns: [
      {
        role: "system",
        content: "You are taking part in a research survey. You answer as the person described.",
      },
      { role: "user", page: "page-1", content: page },
      { role: "assistant", page: "page-1", content: JSON.stringify(given), attempts: invalid ? 3 : 1 },
    ],
    answers: invalid ? { ...answers, [first.id]: null } : answers,
    valid: !invalid,
    invalid: invalid ? { [first.id]: '"Maybe later" is not one of the options' } : {},
  })
}

// ---------------------------------------------------------------------------------------------
// Model profiles

interface Profile {
  readonly id: string
  readonly label: string
  readonly provider: string
  readonly model: string
  readonly baseline?: "floor" | "pilot" | "ceiling"
  readonly finetune?: {
    readonly baseModel: string
    readonly size: number
    readonly sampling: "Random" | "Balanced"
    readonly fake?: boolean
  }
  /** 0: answers like the uniform baseline, 1: like the humans. */
  readonly quality: number
  /** How much of the remaining mass collapses onto one option (base models' mode collapse). */
  readonly collapse: number
  /** Studies where the entry failed (its row shows the failure there). */
  readonly failsOn?: ReadonlyArray<string>
  /** Studies the configuration was not run on. */
  readonly skips?: ReadonlyArray<string>
  /** Studies where it ran but gave no valid answer (status ok, every answer invalid). */
  readonly noValidOn?: ReadonlyArray<string>
}

const referenceProfiles: ReadonlyArray<Profile> = [
  {
    id: "uniform",
    label: "Uniform (floor)",
    provider: "baseline-uniform",
    model: "uniform",
    baseline: "floor",
    quality: 0,
    collapse: 0,
  },
  {
    id: "pilot-marginal",
    label: "Pilot marginal",
    provider: "baseline-pilot-marginal",
    model: "pilot-marginal",
    baseline: "pilot",
    quality: 0.82,
    collapse: 0,
  },
  {
    id: "pilot-cell",
    label: "Pilot persona cell",
    provider: "baseline-pilot-cell",
    model: "pilot-cell",
    baseline: "pilot",
    quality: 0.76,
    collapse: 0.05,
  },
  {
    id: "human-ceiling",
    label: "Human split-half (ceiling)",
    provider: "baseline-human-split",
    model: "split-half",
    baseline: "ceiling",
    quality: 1,
    collapse: 0,
  },
]

const finetuned = (
  size: number,
  sampling: "Random" | "Balanced",
  quality: number,
  collapse: number,
): Profile => ({
  id: `ft-mini-${sampling === "Random" ? "random" : "balanced"}-${size}`,
  label: `gpt-4o-mini finetuned on ${size} (${sampling === "Random" ? "random" : "balanced by race"})`,
  provider: "openai",
  model: `ft:gpt-4o-mini-2024-07-18:lab::${sampling === "Random" ? "r" : "b"}${size}`,
  finetune: { baseModel: "gpt-4o-mini-2024-07-18", size, sampling },
  quality,
  collapse,
})

/** The standard set: six ranked model rows (two base models, a sweep of three and a balanced finetune). */
const standardProfiles: ReadonlyArray<Profile> = [
  {
    id: "gpt-4o-mini",
    label: "gpt-4o-mini",
    provider: "openai",
    model: "gpt-4o-mini-2024-07-18",
    quality: 0.34,
    collapse: 0.85,
  },
  {
    id: "claude-haiku",
    label: "claude-haiku-4-5",
    provider: "anthropic",
    model: "claude-haiku-4-5",
    quality: 0.42,
    collapse: 0.7,
    failsOn: ["fixture-charity-default"],
  },
  finetuned(30, "Random", 0.58, 0.35),
  finetuned(120, "Random", 0.77, 0.15),
  { ...finetuned(480, "Random", 0.9, 0.05), skips: ["fixture-news-sharing"] },
  finetuned(120, "Balanced", 0.75, 0.12),
  // An open-weight model served OpenAI-compatibly: every answer invalid on one study.
  {
    id: "llama-3.1-8b",
    label: "Llama 3.1 8B Instruct",
    provider: "openai-compatible",
    model: "meta-llama/Meta-Llama-3.1-8B-Instruct",
    quality: 0.3,
    collapse: 0.8,
    noValidOn: ["fixture-data-sharing"],
  },
  // A test double: must never reach the leaderboard.
  {
    id: "fake-finetune",
    label: "fake finetune (test double)",
    provider: "testkit",
    model: "fake-ft",
    finetune: { baseModel: "fake-base", size: 120, sampling: "Random", fake: true },
    quality: 0.99,
    collapse: 0,
  },
]

/** `count` model rows for the bench: base models and finetunes of them at several pilot sizes. */
const benchProfiles = (count: number): ReadonlyArray<Profile> => {
  const rng = random(`bench-profiles-${count}`)
  const sizes = [30, 60, 120, 240, 480]
  return Array.from({ length: count }, (_, i): Profile => {
    const base = `model-${String(Math.floor(i / 5) + 1).padStart(2, "0")}`
    if (i % 5 === 0) {
      return {
        id: base,
        label: base,
        provider: "openai-compatible",
        model: base,
        quality: 0.2 + 0.3 * rng.next(),
        collapse: 0.5 + 0.4 * rng.next(),
      }
    }
    const size = sizes[(i % 5) - 1]!
    const quality = clamp(0.45 + 0.1 * Math.log2(size / 30) + 0.1 * rng.normal(), 0.05, 0.98)
    return {
      id: `${base}-ft-${size}`,
      label: `${base} finetuned on ${size}`,
      provider: "openai-compatible",
      model: `${base}-ft-${size}`,
      finetune: { baseModel: base, size, sampling: i % 2 === 0 ? "Random" : "Balanced" },
      quality,
      collapse: clamp(0.4 - quality / 3, 0, 1),
    }
  })
}

// ---------------------------------------------------------------------------------------------
// Measures computed from distributions

type Distribution = ReadonlyArray<number>

const normalise = (counts: ReadonlyArray<number>): Distribution => {
  const total = counts.reduce((sum, count) => sum + count, 0)
  return total === 0 ? counts.map(() => 1 / counts.length) : counts.map((count) => count / total)
}
const entropy = (p: Distribution) => -p.reduce((sum, x) => (x > 0 ? sum + x * Math.log2(x) : sum), 0)
const jsDistance = (p: Distribution, q: Distribution) => {
  const m = p.map((x, i) => (x + q[i]!) / 2)
  const kl = (a: Distribution) => a.reduce((sum, x, i) => (x > 0 ? sum + x * Math.log2(x / m[i]!) : sum), 0)
  return Math.sqrt(Math.max(0, (kl(p) + kl(q)) / 2))
}
const totalVariation = (p: Distribution, q: Distribution) =>
  p.reduce((sum, x, i) => sum + Math.abs(x - q[i]!), 0) / 2
const wasserstein = (p: Distribution, q: Distribution) => {
  let cumulative = 0
  let distance = 0
  for (let i = 0; i < p.length - 1; i++) {
    cumulative += p[i]! - q[i]!
    distance += Math.abs(cumulative)
  }
  return distance / (p.length - 1)
}

const interval = (value: number, halfWidth: number, low = 0, high = 1) => ({
  lower: round(clamp(value - halfWidth, low, high)),
  upper: round(clamp(value + halfWidth, low, high)),
  level: 0.95,
  method: "percentile" as const,
})

const measure = (
  fields: Omit<Measure, "key"> & { readonly qualifiers?: Record<string, string> },
): Measure => {
  const { qualifiers, ...rest } = fields
  const parts = [fields.measure]
  for (const name of ["item", "arm", "attribute", "level", "term"] as const) {
    const value = fields[name]
    if (value !== undefined) parts.push(`${name}=${value}`)
  }
  for (const [name, value] of Object.entries(qualifiers ?? {})) parts.push(`${name}=${value}`)
  return { ...rest, key: parts.join("|") }
}

// ---------------------------------------------------------------------------------------------
// Descriptors (the fixture's own metric ids; real metric plugins may differ)

export const fixtureMetrics: ResultsFile["metrics"] = [
  {
    id: "divergence",
    version: "0.1.0",
    label: "Distributional divergence",
    family: "divergence",
    description:
      "How far the synthetic answer distribution of each item lies from the human one, pooled and per arm.",
    headline: "jsd",
    direction: "lower",
    measures: [
      { id: "jsd", label: "Jensen–Shannon distance", description: "Base 2, in [0, 1].", direction: "lower" },
      {
        id: "tv",
        label: "Total variation",
        description: "Half the L1 distance between distributions.",
        direction: "lower",
      },
      {
        id: "wasserstein",
        label: "Wasserstein-1 / (k − 1)",
        description: "Earth mover's distance along the option order, scaled to [0, 1]; ordered scales only.",
        direction: "lower",
      },
    ],
    citations: [
      {
        text: "Lin, J. (1991). Divergence measures based on the Shannon entropy. IEEE Trans. Inf. Theory 37(1).",
      },
    ],
  },
  {
    id: "subgroup",
    version: "0.1.0",
    label: "Subgroup alignment",
    family: "subgroup",
    description:
      "Divergence within each level of each persona attribute: the worst level, the best, and the gap.",
    headline: "worst",
    direction: "lower",
    measures: [
      {
        id: "jsd",
        label: "JS distance in the subgroup",
        description: "Mean over items.",
        direction: "lower",
      },
      {
        id: "worst",
        label: "Worst level",
        description: "Largest JS distance among levels above the minimum size.",
        direction: "lower",
      },
      { id: "gap", label: "Worst − best", description: "Spread between levels.", direction: "lower" },
    ],
    citations: [
      {
        text: "Wang, Hunt, Tang & Joseph. Can Finetuning LLMs on Small Human Samples Increase Heterogeneity, Alignment, and Belief-Action Coherence? arXiv 2511.21218.",
        url: "https://arxiv.org/abs/2511.21218",
      },
    ],
  },
  {
    id: "heterogeneity",
    version: "0.1.0",
    label: "Heterogeneity",
    family: "heterogeneity",
    description:
      "Whether synthetic respondents vary as much as people do: unique answer patterns, entropy ratios, mode collapse.",
    headline: "entropy-gap",
    direction: "lower",
    measures: [
      {
        id: "entropy-gap",
        label: "Entropy gap",
        description: "Mean |1 − H(synthetic)/H(human)| over items.",
        direction: "lower",
      },
      {
        id: "entropy-ratio",
        label: "Entropy ratio",
        description: "H(synthetic) / H(human) per item.",
        direction: "higher",
      },
      {
        id: "unique-patterns",
        label: "Unique belief patterns",
        description: "Distinct answer patterns over the belief items, at equal n.",
        direction: "higher",
      },
      {
        id: "mode-collapse",
        label: "Mode collapse",
        description: "Share of items where one option takes over 90%.",
        direction: "lower",
      },
    ],
    citations: [
      {
        text: "Wang, Hunt, Tang & Joseph. arXiv 2511.21218 (unique patterns: 340 humans vs 19 for the base model).",
        url: "https://arxiv.org/abs/2511.21218",
      },
    ],
  },
  {
    id: "coherence",
    version: "0.1.0",
    label: "Belief–action coherence",
    family: "coherence",
    description: "Whether believers act against their belief as often as people do.",
    headline: "contrary-gap",
    direction: "lower",
    measures: [
      {
        id: "contrary-gap",
        label: "Contrary-rate gap",
        description: "Mean |human − synthetic| share of believers acting against the belief.",
        direction: "lower",
      },
      {
        id: "contrary-rate",
        label: "Believers acting against the belief",
        description: "P(contrary action | believer).",
        direction: "lower",
      },
      {
        id: "phi",
        label: "Belief–action phi",
        description: "Association between holding the belief and the action.",
        direction: "lower",
      },
    ],
    citations: [{ text: "Privacy paradox: Berke et al. 2025, PoPETs." }],
  },
  {
    id: "regression",
    version: "0.1.0",
    label: "Regression recovery",
    family: "regression",
    description:
      "Fit the study's declared model on human and synthetic data; compare coefficients and their signs.",
    headline: "sign-f1",
    direction: "higher",
    measures: [
      {
        id: "sign-f1",
        label: "Sign-recovery F1",
        description: "Signs (+, −, null at α = 0.05) against the human fit.",
        direction: "higher",
      },
      {
        id: "false-positive-rate",
        label: "False-positive rate",
        description: "Share of human-null coefficients the synthetic fit calls significant.",
        direction: "lower",
      },
      {
        id: "significant-difference",
        label: "Significantly different",
        description: "Share of coefficients with |Δ|/√(se₁²+se₂²) > 1.96.",
        direction: "lower",
      },
      {
        id: "treatment-effect",
        label: "Treatment effect",
        description: "|human − synthetic| treatment coefficient.",
        direction: "lower",
      },
    ],
    citations: [
      { text: "Sign recovery F1 ≈ 0.77 with FPR ≈ 0.33 for the best finetuned model: arXiv 2511.21218." },
    ],
  },
]

// ---------------------------------------------------------------------------------------------
// One study's results

const noFailures = Object.fromEntries(
  FailureReason.literals.map((reason) => [reason, 0]),
) as ResultsEntry["failures"]

interface Twin {
  readonly id: string
  readonly arm: string
  readonly persona: Record<string, string>
}

type Counts = Record<string, Record<string, Record<string, number>>>

const countAnswers = (
  study: StudySpec,
  twins: ReadonlyArray<Twin>,
  answers: ReadonlyArray<Record<string, string>>,
): Counts => {
  const counts: Counts = {}
  for (const item of study.items) {
    const perArm: Record<string, Record<string, number>> = {}
    for (const arm of [...study.arms.map((a) => a.id), "all"]) {
      perArm[arm] = Object.fromEntries(item.options.map((option) => [option, 0]))
    }
    twins.forEach((twin, i) => {
      const answer = answers[i]![item.id]!
      perArm[twin.arm]![answer]! += 1
      perArm.all![answer]! += 1
    })
    counts[item.id] = perArm
  }
  return counts
}

const distributionOf = (counts: Counts, item: ItemSpec, arm: string): Distribution =>
  normalise(item.options.map((option) => counts[item.id]?.[arm]?.[option] ?? 0))

interface Scored {
  readonly scores: ReadonlyArray<MetricScore>
  readonly headlines: Record<string, { value: number | null; lower: number | null; upper: number | null }>
}

const scoreEntry = (
  study: StudySpec,
  profile: Profile,
  human: Counts,
  synthetic: Counts,
  n: number,
  seed: string,
): Scored => {
  const rng = random(seed)
  const armIds = study.arms.map((arm) => arm.id)
  const quality = profile.quality

  // Divergence
  const divergence: Array<Measure> = []
  const pooledJsd: Array<number> = []
  for (const item of study.items) {
    for (const arm of [...armIds, "all"]) {
      const p = distributionOf(human, item, arm)
      const q = distributionOf(synthetic, item, arm)
      const armN = arm === "all" ? n : Math.round(n / armIds.length)
      const halfWidth = 0.45 / Math.sqrt(armN)
      const jsd = jsDistance(p, q)
      if (arm === "all") pooledJsd.push(jsd)
      divergence.push(
        measure({
          measure: "jsd",
          item: item.id,
          arm,
          value: round(jsd),
          ci: interval(jsd, halfWidth),
          n: armN,
        }),
      )
      const tv = totalVariation(p, q)
      divergence.push(
        measure({
          measure: "tv",
          item: item.id,
          arm,
          value: round(tv),
          ci: interval(tv, halfWidth),
          n: armN,
        }),
      )
      if (item.ordered) {
        const w = wasserstein(p, q)
        divergence.push(
          measure({
            measure: "wasserstein",
            item: item.id,
            arm,
            value: round(w),
            ci: interval(w, halfWidth * 0.8),
            n: armN,
          }),
        )
      }
    }
  }
  const meanJsd = pooledJsd.reduce((sum, x) => sum + x, 0) / pooledJsd.length
  const jsdHalf = 0.22 / Math.sqrt(n)

  // Subgroups: level penalties grow as levels get smaller; finetuning shrinks them.
  const subgroup: Array<Measure> = []
  const worsts: Array<number> = []
  for (const attribute of study.persona) {
    const values: Array<{ value: number; flagged: boolean }> = []
    attribute.levels.forEach((level, index) => {
      const size = Math.round(n * attribute.weights[index]!)
      const penalty = (1 - attribute.weights[index]!) * (1.2 - quality) * 0.35
      const value = clamp(
        meanJsd * (1 + penalty) + 0.02 * rng.normal() + (0.5 / Math.sqrt(Math.max(size, 1))) * 0.2,
        0,
        1,
      )
      const flagged = size < 30
      values.push({ value, flagged })
      subgroup.push(
        measure({
          measure: "jsd",
          attribute: attribute.id,
          level,
          value: round(value),
          ci: interval(value, 0.9 / Math.sqrt(Math.max(size, 4))),
          n: size,
          ...(flagged ? { flagged: `n = ${size} < 30` } : {}),
        }),
      )
    })
    const ranked = values.filter((v) => !v.flagged).map((v) => v.value)
    const worst = Math.max(...ranked)
    const best = Math.min(...ranked)
    worsts.push(worst)
    subgroup.push(
      measure({
        measure: "worst",
        attribute: attribute.id,
        value: round(worst),
        ci: interval(worst, 0.08),
        n,
      }),
    )
    subgroup.push(
      measure({
        measure: "gap",
        attribute: attribute.id,
        value: round(worst - best),
        ci: interval(worst - best, 0.09),
        n,
      }),
    )
  }
  const meanWorst = worsts.reduce((sum, x) => sum + x, 0) / worsts.length

  // Heterogeneity
  const heterogeneity: Array<Measure> = []
  const gaps: Array<number> = []
  let collapsed = 0
  for (const item of study.items) {
    const hHuman = entropy(distributionOf(human, item, "all"))
    const q = distributionOf(synthetic, item, "all")
    const hSynthetic = entropy(q)
    const ratio = hHuman > 0 ? hSynthetic / hHuman : 1
    gaps.push(Math.abs(1 - ratio))
    if (Math.max(...q) > 0.9) collapsed += 1
    heterogeneity.push(
      measure({
        measure: "entropy-ratio",
        item: item.id,
        value: round(ratio),
        ci: interval(ratio, 0.08, 0, 3),
        human: round(hHuman),
        synthetic: round(hSynthetic),
        n,
      }),
    )
  }
  const beliefItems = study.items.filter((item) => item.role === "belief")
  const humanPatterns = Math.min(n, Math.round(n * 0.62))
  const patternShare = beliefItems.reduce((product, item) => {
    const hHuman = entropy(distributionOf(human, item, "all"))
    const hSynthetic = entropy(distributionOf(synthetic, item, "all"))
    return product * (hHuman > 0 ? Math.min(1.4, hSynthetic / hHuman) : 1)
  }, 1)
  const syntheticPatterns = clamp(Math.round(humanPatterns * patternShare ** 2), 1, n)
  const entropyGap = gaps.reduce((sum, x) => sum + x, 0) / gaps.length
  heterogeneity.push(
    measure({
      measure: "unique-patterns",
      value: syntheticPatterns,
      ci: interval(syntheticPatterns, Math.sqrt(syntheticPatterns) * 1.5, 0, n),
      human: humanPatterns,
      synthetic: syntheticPatterns,
      n,
    }),
    measure({ measure: "mode-collapse", value: round(collapsed / study.items.length), ci: null, n }),
    measure({ measure: "entropy-gap", value: round(entropyGap), ci: interval(entropyGap, 0.05, 0, 3), n }),
  )

  // Coherence: base models act on their beliefs far less like people do.
  const coherence: Array<Measure> = []
  const contraryGaps: Array<number> = []
  for (const pair of study.pairs) {
    const humanRate = pair.humanContrary
    // Uniform answers act against a belief half the time; collapsed base models almost always do.
    const untrained = profile.collapse * 0.97 + (1 - profile.collapse) * 0.5
    const syntheticRate = clamp(quality * humanRate + (1 - quality) * untrained + 0.03 * rng.normal(), 0, 1)
    const gap = Math.abs(syntheticRate - humanRate)
    contraryGaps.push(gap)
    const believers = Math.round(n * 0.55)
    coherence.push(
      measure({
        measure: "contrary-rate",
        item: pair.belief,
        qualifiers: { pair: pair.id },
        value: round(gap),
        ci: interval(gap, 1.96 * Math.sqrt(0.25 / believers) * 1.4),
        human: round(humanRate),
        synthetic: round(syntheticRate),
        n: believers,
      }),
    )
    const humanPhi = -0.18 - 0.1 * rng.next()
    const syntheticPhi = clamp(quality * humanPhi + (1 - quality) * 0.02 + 0.03 * rng.normal(), -1, 1)
    coherence.push(
      measure({
        measure: "phi",
        item: pair.belief,
        qualifiers: { pair: pair.id },
        value: round(Math.abs(syntheticPhi - humanPhi)),
        ci: interval(Math.abs(syntheticPhi - humanPhi), 0.09),
        human: round(humanPhi),
        synthetic: round(syntheticPhi),
        n,
      }),
    )
  }
  const contraryGap = contraryGaps.reduce((sum, x) => sum + x, 0) / contraryGaps.length
  coherence.push(
    measure({ measure: "contrary-gap", value: round(contraryGap), ci: interval(contraryGap, 0.07), n }),
  )

  // Regression: human truth from the study seed; synthetic estimates shrink toward noise as quality falls.
  const truth = random(`${study.id}-truth`)
  const coefficients: Record<string, unknown> = {}
  let tp = 0
  let fp = 0
  let fn = 0
  let humanNull = 0
  let nullCalled = 0
  let different = 0
  let treatment: { human: number; synthetic: number } | null = null
  const signOf = (estimate: number, p: number) => (p >= 0.05 ? "0" : estimate > 0 ? "+" : "-")
  const pValue = (z: number) => {
    // Two-sided normal p via the Abramowitz–Stegun erfc approximation (fixtures only).
    const x = Math.abs(z) / Math.SQRT2
    const t = 1 / (1 + 0.3275911 * x)
    const erfc =
      t *
      (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) *
      Math.exp(-x * x)
    return clamp(erfc, 0, 1)
  }
  for (const term of study.analysis.terms) {
    const big = truth.next() < 0.6
    const estimate =
      term === "(Intercept)"
        ? 0.7
        : (big ? 0.35 + 0.6 * truth.next() : 0.06 * truth.normal()) * (truth.next() < 0.5 ? -1 : 1)
    const se = 0.08 + 0.12 * truth.next()
    const humanP = pValue(estimate / se)
    const synthSe = se * (profile.baseline === "ceiling" ? 1.4 : 1.15)
    const synthEstimate =
      profile.baseline === "floor"
        ? 0.04 * rng.normal()
        : quality * estimate + (1 - quality) * (0.5 * rng.normal()) + synthSe * 0.6 * rng.normal()
    const synthP = pValue(synthEstimate / synthSe)
    const humanSign = signOf(estimate, humanP)
    const synthSign = signOf(synthEstimate, synthP)
    coefficients[term] = {
      human: {
        estimate: round(estimate),
        se: round(se),
        lower: round(estimate - 1.96 * se),
        upper: round(estimate + 1.96 * se),
        p: round(humanP),
      },
      synthetic: {
        estimate: round(synthEstimate),
        se: round(synthSe),
        lower: round(synthEstimate - 1.96 * synthSe),
        upper: round(synthEstimate + 1.96 * synthSe),
        p: round(synthP),
      },
      sign: { human: humanSign, synthetic: synthSign },
    }
    if (term === study.treatmentTerm) treatment = { human: estimate, synthetic: synthEstimate }
    if (term === "(Intercept)") continue
    if (humanSign === "0") {
      humanNull += 1
      if (synthSign !== "0") nullCalled += 1
    }
    if (humanSign !== "0" && synthSign === humanSign) tp += 1
    else {
      if (synthSign !== "0") fp += 1
      if (humanSign !== "0") fn += 1
    }
    if (Math.abs(estimate - synthEstimate) / Math.sqrt(se ** 2 + synthSe ** 2) > 1.96) different += 1
  }
  const terms = study.analysis.terms.length - 1
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn)
  const fpr = humanNull === 0 ? null : nullCalled / humanNull
  const regression: Array<Measure> = [
    measure({ measure: "sign-f1", value: round(f1), ci: interval(f1, 0.14), n }),
    measure({
      measure: "false-positive-rate",
      value: fpr === null ? null : round(fpr),
      ci: fpr === null ? null : interval(fpr, 0.2),
      n,
      ...(fpr === null ? { note: "every human coefficient is significant" } : {}),
    }),
    measure({
      measure: "significant-difference",
      value: round(different / terms),
      ci: interval(different / terms, 0.12),
      n,
    }),
  ]
  if (treatment !== null) {
    const t = treatment as { human: number; synthetic: number }
    regression.push(
      measure({
        measure: "treatment-effect",
        term: study.treatmentTerm,
        value: round(Math.abs(t.human - t.synthetic)),
        ci: interval(Math.abs(t.human - t.synthetic), 0.2, 0, 10),
        human: round(t.human),
        synthetic: round(t.synthetic),
        n,
      }),
    )
  }

  const score = (
    metric: string,
    headline: string,
    value: number | null,
    half: number,
    measures: Array<Measure>,
    details?: Record<string, unknown>,
  ): MetricScore => ({
    metric,
    version: "0.1.0",
    headline: {
      measure: headline,
      value: value === null ? null : round(value),
      ci: value === null ? null : interval(value, half, 0, 3),
    },
    measures,
    ...(details === undefined ? {} : { details }),
  })
  const scores = [
    score("divergence", "jsd", meanJsd, jsdHalf, divergence),
    score("subgroup", "worst", meanWorst, 0.025, subgroup),
    score("heterogeneity", "entropy-gap", entropyGap, 0.012, heterogeneity),
    score("coherence", "contrary-gap", contraryGap, 0.02, coherence),
    score("regression", "sign-f1", f1, 0.1, regression, {
      analyses: { [study.analysis.id]: { label: study.analysis.label, family: "binomial", n, coefficients } },
    }),
  ]
  const headlines: Scored["headlines"] = {}
  for (const s of scores) {
    headlines[s.metric] = {
      value: s.headline.value,
      lower: s.headline.ci?.lower ?? null,
      upper: s.headline.ci?.upper ?? null,
    }
  }
  return { scores, headlines }
}

const normalised = (value: number | null, floor: number | null, ceiling: number | null) => {
  if (value === null || floor === null || ceiling === null) return null
  const span = floor - ceiling
  return Math.abs(span) < 1e-12 ? null : (floor - value) / span
}

export interface FixtureFile {
  /** Path relative to the fixture root, `/`-separated. */
  readonly path: string
  readonly content: string
}

export interface FixtureSetOptions {
  /** "standard": the 6-row set the browser tests use; a number: that many model rows (bench). */
  readonly models?: "standard" | number
  readonly seed?: number
  /** Write the per-entry synthetic CSVs (default true). */
  readonly syntheticCsv?: boolean
}

const studyResults = (
  study: StudySpec,
  profiles: ReadonlyArray<Profile>,
  seed: number,
  syntheticCsv: boolean,
): { results: ResultsFile; csvs: ReadonlyArray<FixtureFile> } => {
  const rng = random(`${study.id}-${seed}`)
  const armIds = study.arms.map((arm) => arm.id)
  const n = study.holdout
  const twins: Array<Twin> = Array.from({ length: n }, (_, i) => ({
    id: `t${String(i + 1).padStart(4, "0")}`,
    arm: armIds[i % armIds.length]!,
    persona: Object.fromEntries(
      study.persona.map((attribute) => [attribute.id, attribute.levels[rng.pick(attribute.weights)]!]),
    ),
  }))
  // Human answer probabilities per item and arm; the treatment arms shift them a little.
  const humanP: Record<string, Record<string, Distribution>> = {}
  for (const item of study.items) {
    const base = item.options.map(() => 0.3 + rng.next() ** 1.4)
    humanP[item.id] = Object.fromEntries(
      armIds.map((arm, a) => [
        arm,
        normalise(base.map((weight, k) => weight * (1 + 0.25 * a * (k / item.options.length - 0.4)))),
      ]),
    )
  }
  const answerFor = (
    p: Record<string, Record<string, Distribution>>,
    twin: Twin,
    draw: ReturnType<typeof random>,
  ) =>
    Object.fromEntries(study.items.map((item) => [item.id, item.options[draw.pick(p[item.id]![twin.arm]!)]!]))
  const humanDraw = random(`${study.id}-${seed}-human`)
  const humanAnswers = twins.map((twin) => answerFor(humanP, twin, humanDraw))
  const humanCounts = countAnswers(study, twins, humanAnswers)

  const active = profiles.filter((profile) => !(profile.skips ?? []).includes(study.id))
  const all = [...referenceProfiles, ...active]
  const drafts = all.map((profile) => {
    const draw = random(`${study.id}-${seed}-${profile.id}`)
    const failed = (profile.failsOn ?? []).includes(study.id)
    const noValid = (profile.noValidOn ?? []).includes(study.id)
    if (failed || noValid)
      return {
        profile,
        failed,
        noValid,
        answers: [] as Array<Record<string, string>>,
        counts: {} as Counts,
        scored: null,
      }
    const modeOf = Object.fromEntries(
      study.items.map((item) => [item.id, draw.pick(item.options.map(() => 1))]),
    )
    const p = Object.fromEntries(
      study.items.map((item) => [
        item.id,
        Object.fromEntries(
          armIds.map((arm) => {
            const human = humanP[item.id]![arm]!
            const k = item.options.length
            return [
              arm,
              human.map(
                (h, i) =>
                  profile.quality * h +
                  (1 - profile.quality) *
                    (profile.collapse * (i === modeOf[item.id] ? 1 : 0) + (1 - profile.collapse) / k),
              ),
            ]
          }),
        ),
      ]),
    )
    // The ceiling is the other half of the humans: resample the human answers.
    const source = profile.baseline === "ceiling" ? humanP : p
    const answers = twins.map((twin) => answerFor(source, twin, draw))
    const counts = countAnswers(study, twins, answers)
    return {
      profile,
      failed,
      noValid,
      answers,
      counts,
      scored: scoreEntry(study, profile, humanCounts, counts, n, `${study.id}-${seed}-${profile.id}-score`),
    }
  })
  const floor = drafts.find((draft) => draft.profile.baseline === "floor")!.scored!.headlines
  const ceiling = drafts.find((draft) => draft.profile.baseline === "ceiling")!.scored!.headlines

  const csvs: Array<FixtureFile> = []
  const entries: Array<ResultsEntry> = drafts.map(({ profile, failed, noValid, answers, counts, scored }) => {
    const perMetric: Record<string, { value: number | null; ci: ResultsEntry["fidelity"]["overall"]["ci"] }> =
      {}
    if (scored !== null) {
      for (const metric of fixtureMetrics) {
        const headline = scored.headlines[metric.id]!
        const value = normalised(headline.value, floor[metric.id]!.value, ceiling[metric.id]!.value)
        const a = normalised(headline.lower, floor[metric.id]!.value, ceiling[metric.id]!.value)
        const b = normalised(headline.upper, floor[metric.id]!.value, ceiling[metric.id]!.value)
        perMetric[metric.id] = {
          value: value === null ? null : round(value),
          ci:
            a === null || b === null
              ? null
              : {
                  lower: round(Math.min(a, b)),
                  upper: round(Math.max(a, b)),
                  level: 0.95,
                  method: "percentile",
                },
        }
      }
    }
    const scoredMetrics = Object.values(perMetric).filter((f) => f.value !== null)
    const overallValue =
      scoredMetrics.length === 0
        ? null
        : scoredMetrics.reduce((sum, f) => sum + f.value!, 0) / scoredMetrics.length
    const withCi = scoredMetrics.every((f) => f.ci !== null) && scoredMetrics.length > 0
    const overall = {
      value: overallValue === null ? null : round(overallValue),
      ci: withCi
        ? {
            lower: round(scoredMetrics.reduce((sum, f) => sum + f.ci!.lower, 0) / scoredMetrics.length),
            upper: round(scoredMetrics.reduce((sum, f) => sum + f.ci!.upper, 0) / scoredMetrics.length),
            level: 0.95,
            method: "percentile" as const,
          }
        : null,
    }
    const writesCsv = !failed && !noValid && profile.baseline !== "ceiling"
    const syntheticFile = writesCsv ? `${profile.id}.csv` : null
    const conversations = writesCsv && study.private !== true && conversationProfiles.has(profile.id)
    const invalidCount = conversations ? twins.filter((_, i) => invalidTwin(i)).length : 0
    if (conversations && syntheticCsv) {
      csvs.push({
        path: `${study.id}/${profile.id}.conversations.jsonl`,
        content: twins
          .map((twin, i) => `${fixtureConversation(study, twin, answers[i]!, invalidTwin(i))}\n`)
          .join(""),
      })
    }
    if (writesCsv && syntheticCsv) {
      const personaIds = study.persona.map((attribute) => attribute.id)
      const lines = [
        csvLine([
          "twin_id",
          "replicate",
          "arm",
          ...personaIds,
          ...study.items.map((item) => item.id),
          "valid",
        ]),
      ]
      twins.forEach((twin, i) => {
        lines.push(
          csvLine([
            twin.id,
            0,
            twin.arm,
            ...personaIds.map((id) => twin.persona[id]!),
            ...study.items.map((item, k) =>
              conversations && invalidTwin(i) && k === 0 ? "" : answers[i]![item.id]!,
            ),
            !(conversations && invalidTwin(i)),
          ]),
        )
      })
      csvs.push({ path: `${study.id}/${profile.id}.csv`, content: `${lines.join("\n")}\n` })
    }
    const pilotSize = profile.finetune?.size ?? 0
    const tokens = profile.baseline === undefined ? n * 420 : 0
    return {
      id: profile.id,
      label: profile.label,
      provider: profile.provider,
      providerVersion: "0.1.0",
      model: profile.model,
      ...(profile.baseline === undefined ? {} : { baseline: profile.baseline }),
      ...(profile.finetune === undefined
        ? {}
        : {
            finetune: {
              finetuner: profile.finetune.fake === true ? "testkit" : "openai",
              baseModel: profile.finetune.baseModel,
              pilot: {
                size: { _tag: "Count" as const, count: pilotSize },
                arms: "all",
                sampling:
                  profile.finetune.sampling === "Random"
                    ? { _tag: "Random" as const }
                    : { _tag: "Balanced" as const, attribute: "race" },
              },
              pilotSize,
              includeDemographics: true,
              seed,
              jobId: `ftjob-${hash32(`${study.id}-${profile.id}`).toString(16)}`,
              ...(profile.finetune.fake === true ? { fake: true } : {}),
            },
          }),
      status: failed ? ("failed" as const) : ("ok" as const),
      ...(failed ? { statusReason: "rate-limited on every call after 5 retries (budget exhausted)" } : {}),
      modelVersions: profile.baseline === undefined ? [profile.model] : [],
      warnings:
        profile.provider === "anthropic" && !failed
          ? [{ message: "seed is not supported and was ignored", count: n }]
          : [],
      counts: {
        twins: n,
        valid: failed || noValid ? 0 : n - invalidCount,
        invalid: noValid ? n : invalidCount,
        failed: failed ? n : 0,
        reasks: failed ? 0 : noValid ? n * 2 : Math.round(n * 0.02),
      },
      failures: { ...noFailures, ...(failed ? { "rate-limited": n } : {}) },
      usage: {
        calls: profile.baseline === undefined ? n : 0,
        inputTokens: tokens,
        outputTokens: Math.round(tokens / 12),
        costUsd:
          profile.baseline === undefined ? round((tokens * 0.15 + (tokens / 12) * 0.6) / 1e6, 5) : null,
      },
      syntheticFile,
      ...(conversations ? { conversationsFile: `${profile.id}.conversations.jsonl` } : {}),
      distributions: failed || noValid ? {} : counts,
      scores: scored?.scores ?? [],
      fidelity: { perMetric, overall },
    }
  })

  const learningCurves: Array<LearningCurvePoint> = entries.flatMap((entry) =>
    entry.finetune === undefined || entry.finetune.fake === true || entry.status !== "ok"
      ? []
      : [
          {
            entry: entry.id,
            baseModel: entry.finetune.baseModel,
            pilotSize: entry.finetune.pilotSize,
            sampling:
              entry.finetune.pilot.sampling._tag === "Random"
                ? "random"
                : `balanced:${entry.finetune.pilot.sampling.attribute}`,
            arms: entry.finetune.pilot.arms,
            includeDemographics: entry.finetune.includeDemographics,
            seed: entry.finetune.seed,
            metrics: entry.fidelity.perMetric,
            overall: entry.fidelity.overall,
          },
        ],
  )

  // One study was run on 3 pilot/holdout splits (`--splits 3`): each scored figure across them.
  const splitDraw = random(`${study.id}-${seed}-splits`)
  const splitSeeds = [seed, 101, 202]
  const acrossSplits = (entry: string, figure: string, value: number | null) => {
    if (value === null) return []
    const values = [value, ...[1, 2].map(() => round(value + 0.04 * splitDraw.normal()))]
    const mean = values.reduce((a, b) => a + b, 0) / values.length
    const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1))
    const half = 4.303 * Math.sqrt(0.0004 + (4 / 3) * sd ** 2)
    return [
      {
        entry,
        figure,
        values,
        mean: round(mean),
        sd: round(sd),
        ci: { lower: round(mean - half), upper: round(mean + half), level: 0.95, method: "splits" as const },
      },
    ]
  }
  const splits: ResultsFile["splits"] = study.splits
    ? {
        count: 3,
        seeds: splitSeeds,
        splitSha256: splitSeeds.map((s) =>
          hash32(`${study.id}-split-${s}`).toString(16).padStart(8, "0").repeat(8),
        ),
        files: ["results.json", "splits/2/split-results.json", "splits/3/split-results.json"],
        description:
          "Mean over the splits, between-split SD, and an interval combining the within-split bootstrap variance and the between-split variance by Rubin's rules.",
        figures: entries
          .filter((entry) => entry.status === "ok")
          .flatMap((entry) => [
            ...acrossSplits(entry.id, "overall", entry.fidelity.overall.value),
            ...fixtureMetrics.flatMap((metric) =>
              acrossSplits(entry.id, metric.id, entry.fidelity.perMetric[metric.id]?.value ?? null),
            ),
          ]),
      }
    : undefined

  const results: ResultsFile = {
    schemaVersion: ResultsSchemaVersion,
    generator: { name: "standin", version: "0.1.0" },
    study: {
      id: study.id,
      version: "1.0.0",
      title: study.title,
      citation: study.citation,
      items: study.items.map((item) => ({
        id: item.id,
        label: item.label,
        role: item.role,
        options: item.options,
      })),
      arms: study.arms,
      ...(study.private === true ? { private: true } : {}),
    },
    manifest: {
      seed,
      pilot: { size: { _tag: "Count", count: 480 }, arms: "all", sampling: { _tag: "Random" } },
      pilotSize: 480,
      holdoutSize: n,
      holdoutCap: n,
      splitSha256: hash32(`${study.id}-split-${seed}`).toString(16).padStart(8, "0").repeat(8),
      replicates: 1,
      elicitation: "sample",
      settings: { temperature: 1, maxTokens: 400 },
      includeDemographics: true,
      maxReasks: 2,
      bootstrapResamples: 1000,
      plugins: [
        { kind: "experiment", id: study.id, version: "1.0.0", params: {} },
        ...fixtureMetrics.map((metric) => ({
          kind: "metric" as const,
          id: metric.id,
          version: metric.version,
          params: {},
        })),
      ],
      packages: { "@standin/core": "0.1.0", "@standin/engine": "0.1.0" },
      data: {
        file: `${study.id}.csv`,
        sha256: hash32(`${study.id}-data`).toString(16).padStart(8, "0").repeat(8),
        rows: n * 4,
      },
    },
    metrics: fixtureMetrics,
    human: { n, distributions: humanCounts },
    entries,
    learningCurves,
    ...(splits === undefined ? {} : { splits }),
  }
  return { results, csvs }
}

/**
 * Generates a fixture set: `<study>/results.json` and `<study>/<entry>.csv` for each of the three
 * fixture studies. Deterministic for a given seed.
 */
export const fixtureSet = (options: FixtureSetOptions = {}): ReadonlyArray<FixtureFile> => {
  const seed = options.seed ?? 7
  const profiles =
    options.models === undefined || options.models === "standard"
      ? standardProfiles
      : benchProfiles(options.models)
  return fixtureStudies.flatMap((study) => {
    const { results, csvs } = studyResults(study, profiles, seed, options.syntheticCsv ?? true)
    // One run records when it happened (run-meta.json beside its results).
    const meta =
      study.id === "fixture-data-sharing"
        ? [
            {
              path: `${study.id}/run-meta.json`,
              content: `${JSON.stringify({ schemaVersion: 1, startedAt: "2026-11-30T13:52:10.000Z", finishedAt: "2026-11-30T14:05:41.000Z" }, null, 2)}\n`,
            },
          ]
        : []
    return [
      { path: `${study.id}/results.json`, content: `${JSON.stringify(results, null, 2)}\n` },
      ...meta,
      ...csvs,
    ]
  })
}

/** A results file turned back into the pre-release version 0 shape (the migration tests read it). */
export const toVersion0 = (results: ResultsFile): ResultsFileV0 => {
  const flat = (fidelity: ResultsEntry["fidelity"]["overall"]) =>
    fidelity.value === null
      ? null
      : { value: fidelity.value, lower: fidelity.ci?.lower ?? null, upper: fidelity.ci?.upper ?? null }
  const { holdoutCap: _cap, ...manifest } = results.manifest
  return {
    schemaVersion: 0,
    generator: `standin@0.0.4`,
    study: results.study,
    manifest,
    metrics: results.metrics,
    human: results.human,
    entries: results.entries.map(
      ({
        baseline,
        syntheticFile,
        conversationsFile: _conversations,
        failures: _failures,
        fidelity,
        ...entry
      }) => ({
        ...entry,
        kind: baseline ?? "model",
        syntheticCsv: syntheticFile,
        fidelity: {
          overall: flat(fidelity.overall),
          metrics: Object.fromEntries(
            Object.entries(fidelity.perMetric).map(([metric, value]) => [metric, flat(value)]),
          ),
        },
      }),
    ),
  }
}

/** Writes fixture files under `root` (creating folders). */
export const writeFixtureSet = async (root: string, files: ReadonlyArray<FixtureFile>): Promise<void> => {
  for (const file of files) {
    const target = join(root, ...file.path.split("/"))
    await mkdir(dirname(target), { recursive: true })
    await writeFile(target, file.content)
  }
}
