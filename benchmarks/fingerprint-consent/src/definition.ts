import type { AnalysisVariable, StudyDefinition } from "@standin/core"

const AGREE = [
  "Strongly disagree",
  "Somewhat disagree",
  "Neutral",
  "Somewhat agree",
  "Strongly agree",
] as const
const AGREEING = ["Somewhat agree", "Strongly agree"]

const AGE_LEVELS = [
  "18 - 24 years",
  "25 - 34 years",
  "35 - 44 years",
  "45 - 54 years",
  "55 - 64 years",
  "65 or older",
]
const INCOME_LEVELS = [
  "Less than $25,000",
  "$25,000 - $49,999",
  "$50,000 - $74,999",
  "$75,000 - $99,999",
  "$100,000 - $149,999",
  "$150,000 or more",
  "Prefer not to say",
]
const RACE_LEVELS = [
  "White or Caucasian",
  "Black or African American",
  "Asian",
  "American Indian/Native American or Alaska Native",
  "Native Hawaiian or Other Pacific Islander",
  "Other",
]
const STATES = [
  "Alabama",
  "Alaska",
  "Arizona",
  "Arkansas",
  "California",
  "Colorado",
  "Connecticut",
  "Delaware",
  "District of Columbia",
  "Florida",
  "Georgia",
  "Hawaii",
  "Idaho",
  "Illinois",
  "Indiana",
  "Iowa",
  "Kansas",
  "Kentucky",
  "Louisiana",
  "Maine",
  "Maryland",
  "Massachusetts",
  "Michigan",
  "Minnesota",
  "Mississippi",
  "Missouri",
  "Montana",
  "Nebraska",
  "Nevada",
  "New Hampshire",
  "New Jersey",
  "New Mexico",
  "New York",
  "North Carolina",
  "North Dakota",
  "Ohio",
  "Oklahoma",
  "Oregon",
  "Pennsylvania",
  "Puerto Rico",
  "Rhode Island",
  "South Carolina",
  "South Dakota",
  "Tennessee",
  "Texas",
  "Utah",
  "Vermont",
  "Virginia",
  "Washington",
  "West Virginia",
  "Wisconsin",
  "Wyoming",
]

/**
 * The survey's introduction, the first thing participants read (instrument.pdf, "Introduction"): what the data
 * is for, that payment does not depend on the choice, and that the data will be published for research.
 */
const INTRODUCTION =
  "We are collecting data in order to study web user privacy and assess users’ risks of being tracked across " +
  "websites they visit.\n\n" +
  "This survey will ask you questions about your demographics.\n\n" +
  "This survey will also ask for your consent to collect information from your browser – the same kind of " +
  "information that is used to track users across websites they visit. You will have the option to decline to " +
  "share that data and your payment for participating in this survey will not depend on that choice.\n\n" +
  "The data you share through this survey will be made publicly available for research, but with your Prolific ID " +
  "removed. Clicking to continue indicates that you meet the following requirements and agree to complete this " +
  "survey voluntarily.\n\n" +
  "Requirements:\n- You are 18 years or older\n- You are a U.S. resident"

/** The consent request as participants read it (instrument.pdf and fields.csv, whitespace normalised). */
const CONSENT_REQUEST =
  "We are asking to collect attributes from your web browser in order to study how devices may be tracked across " +
  "websites. The data you share will be published for research. It is possible that if another website collects these " +
  'attributes, they can be used to identify your device in the published dataset. If you click "Decline", then we will ' +
  "not collect your browser attributes."

/**
 * What the shown-data arm saw under the request, on the same page: the attributes with their values. Participants saw
 * their own browser's values; those are not public, so this is the example table the instrument published
 * (instrument.pdf, where long values were cut with "..."), the same for every twin.
 */
const EXAMPLE_ATTRIBUTES: ReadonlyArray<readonly [string, string]> = [
  ["User agent", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36..."],
  ["Languages", "en-US,en,ca"],
  ["Fonts", '["Arial Unicode MS","Gill Sans","Helvetica Neue","Menlo"]'],
  ["Plugins", '["PDF Viewer","Chrome PDF Viewer","Chromium PDF Viewer", ...]'],
  ["Local storage", "true"],
  ["Timezone", "America/New_York"],
  ["Screen resolution", "[900,1440]"],
  ["Color depth", "30"],
  ["Platform", "MacIntel"],
  ["Touch points", "0"],
  ["Cookies enabled", "true"],
  ["WebGL Vendor", "WebKit"],
  ["WebGL Renderer", "WebKit WebGL"],
  ["WebGL Unmasked Vendor", "Google Inc. (Apple)"],
  ["WebGL Unmasked Renderer", "ANGLE (Apple, ANGLE Metal Renderer: Apple M2, Unspecified Version)"],
  ["Hardware concurrency", "8"],
  ["Device memory", "8"],
  ["UA high entropy values", '{"architecture":"arm","brands":[{"brand":"Not A(Brand","version":"99"},...]}'],
  ["Canvas text", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAPA…"],
  ["Canvas geometry", "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAHg…"],
  ["Canvas text hashed", "[1159232804,-959516503,1697727883,147613198,1522606278]"],
  ["Canvas geometry hashed", "[1369032737,1864480827,-2065969454,-955405403]"],
]

const share: AnalysisVariable = {
  id: "share",
  label: "Consented to share",
  source: { _tag: "Item", item: "share" },
  coding: { _tag: "Indicator", levels: ["Consent to share"] },
}
const showdata: AnalysisVariable = {
  id: "showdata",
  label: "Shown own browser data",
  source: { _tag: "Arm" },
  coding: { _tag: "Indicator", levels: ["shown"] },
}
const s1: AnalysisVariable = {
  id: "s1",
  label: "Understands fingerprinting (agrees)",
  source: { _tag: "Item", item: "understand" },
  coding: { _tag: "Indicator", levels: AGREEING },
}
const s2: AnalysisVariable = {
  id: "s2",
  label: "Concerned about fingerprinting (agrees)",
  source: { _tag: "Item", item: "concern" },
  coding: { _tag: "Indicator", levels: AGREEING },
}
const demographics: ReadonlyArray<AnalysisVariable> = [
  {
    id: "gender",
    source: { _tag: "Persona", attribute: "gender" },
    coding: { _tag: "Categorical", reference: "Male" },
  },
  {
    id: "age",
    source: { _tag: "Persona", attribute: "age" },
    coding: { _tag: "Categorical", reference: "35 - 44 years" },
  },
  {
    id: "income",
    source: { _tag: "Persona", attribute: "income" },
    coding: { _tag: "Categorical", reference: "$50,000 - $74,999" },
  },
  {
    id: "race",
    // As in the authors' notebook: any answer naming "Other" (which includes Native Hawaiian or Other Pacific
    // Islander) or several races is pooled into "Other or mixed"; single races otherwise stand alone.
    label: "Race (one race alone; several races or Other pooled)",
    source: { _tag: "Persona", attribute: "race" },
    coding: {
      _tag: "Categorical",
      reference: "White or Caucasian",
      recode: { Other: "Other or mixed", "Native Hawaiian or Other Pacific Islander": "Other or mixed" },
      multiple: "Other or mixed",
    },
  },
  {
    id: "hispanic",
    source: { _tag: "Persona", attribute: "hispanic" },
    coding: { _tag: "Categorical", reference: "No" },
  },
]

export const definition: StudyDefinition = {
  id: "fingerprint-consent",
  version: "2.0.0",
  title: "Sharing browser data for research (Berke et al. 2025)",
  description:
    "12,461 US adults were asked to consent to publishing their web browser's attributes for research. Half were first " +
    "shown their own browser's attributes (showdata); then they stated whether they understand browser fingerprinting " +
    "and whether they are concerned about it. The paper reports a privacy paradox: most who shared were concerned.",
  citation:
    "Berke, A., Ghazi, B., Bacis, E., Kamath, P., Kumar, R., Lassonde, R., Manurangsi, P., & Syed, U. (2025). How Unique " +
    "is Whose Web Browser? The role of demographics in browser fingerprinting among US users. Proceedings on Privacy " +
    "Enhancing Technologies 2025. https://doi.org/10.56553/popets-2025-0038",
  url: "https://github.com/aberke/fingerprinting-study",
  data: {
    directory: "berke-fingerprint-consent",
    file: "survey-experiment-data.csv",
    sha256: "87a8e241552a3fb3f2f19f8ca42551d909a714ff0dc29a658cd22721e6601210",
    bytes: 1_798_437,
    url: "https://raw.githubusercontent.com/aberke/fingerprinting-study/7a776b99565e277f230dddfb9693c55ba3930da8/data/survey-experiment-data.csv",
    license: "MIT (Copyright (c) 2023 Alex Berke)",
  },
  respondentId: "ResponseId",
  armColumn: "showdata",
  arms: [
    { id: "hidden", label: "Attributes not shown", value: "false", stimulus: "" },
    { id: "shown", label: "Own browser attributes shown", value: "true", stimulus: "" },
  ],
  persona: [
    {
      id: "age",
      column: "Q-demos-age",
      label: "Age group",
      multiple: false,
      levels: AGE_LEVELS,
      template: "Age group: {value}",
    },
    {
      id: "gender",
      column: "Q-demos-gender",
      label: "Gender",
      multiple: false,
      levels: ["Female", "Male", "Other"],
      template: "Gender: {value}",
    },
    {
      id: "hispanic",
      column: "Q-demos-hispanic",
      label: "Spanish, Hispanic, or Latino origin",
      multiple: false,
      levels: ["Yes", "No"],
      template: "Of Spanish, Hispanic, or Latino origin: {value}",
    },
    {
      id: "race",
      column: "Q-demos-race",
      label: "Race",
      multiple: true,
      separator: ",",
      levels: RACE_LEVELS,
      template: "Race: {value}",
    },
    {
      id: "income",
      column: "Q-demos-income",
      label: "Household income",
      multiple: false,
      levels: INCOME_LEVELS,
      template: "Household income before taxes in the past 12 months: {value}",
    },
    {
      id: "state",
      column: "Q-demos-state",
      label: "State",
      multiple: false,
      levels: STATES,
      template: "Lives in: {value}",
    },
  ],
  subgroups: ["race", "hispanic", "gender", "age", "income"],
  items: [
    {
      id: "share",
      column: "Q-share-browser-data",
      label: "Consent to share browser data",
      // The request itself is the page's context; participants answered it with a checkbox under it.
      wording: "Your answer to the request above.",
      scale: { _tag: "Binary", options: ["Decline", "Consent to share"] },
      role: "action",
      // "[X] Consent to share (checked by default)" listed above "[ ] Decline".
      default: "Consent to share",
      optionOrder: ["Consent to share", "Decline"],
    },
    {
      id: "understand",
      column: "Q-perceptions-1",
      label: "Understands fingerprinting",
      wording: "“I think that I understand how browser fingerprinting works.”",
      scale: { _tag: "Likert", options: AGREE },
      role: "belief",
    },
    {
      id: "concern",
      column: "Q-perceptions-2",
      label: "Concerned about fingerprinting",
      wording: "“I am concerned that websites and companies try to fingerprint/track my browser.”",
      scale: { _tag: "Likert", options: AGREE },
      role: "belief",
    },
  ],
  preamble: INTRODUCTION,
  pages: [
    {
      id: "consent",
      context: CONSENT_REQUEST,
      stimulus: {
        arms: {
          shown: {
            text: "Here are the attributes we'd like to collect:",
            table: {
              header: ["Attribute", "Value"],
              rows: EXAMPLE_ATTRIBUTES.map(([label, value]) => ({ label, value })),
              note: "22 rows (scroll)",
            },
          },
        },
      },
      items: ["share"],
    },
    {
      id: "perceptions",
      context: "To what extent do you agree with the following statements?",
      items: ["understand", "concern"],
    },
  ],
  beliefActionPairs: [
    {
      id: "concern-share",
      label: "Concerned about tracking, yet consented to share",
      belief: "concern",
      believerLevels: AGREEING,
      action: "share",
      contraryLevels: ["Consent to share"],
    },
  ],
  analyses: [
    {
      id: "share",
      label: "Consent to share (logistic)",
      family: "binomial",
      outcome: share,
      predictors: [showdata, ...demographics, s1, s2],
      interactions: [["s1", "s2"]],
      treatment: "showdata",
    },
    {
      id: "concern",
      label: "Concern about fingerprinting (logistic)",
      family: "binomial",
      outcome: s2,
      predictors: [share, showdata, s1, ...demographics],
      interactions: [],
      treatment: "showdata",
    },
  ],
  figures: [
    {
      id: "share-rate",
      label: "Consent rate",
      item: "share",
      levels: ["Consent to share"],
      published: 0.674,
    },
    {
      id: "share-hidden",
      label: "Consent rate, attributes not shown",
      item: "share",
      levels: ["Consent to share"],
      arm: "hidden",
      published: 0.691,
    },
    {
      id: "share-shown",
      label: "Consent rate, own attributes shown",
      item: "share",
      levels: ["Consent to share"],
      arm: "shown",
      published: 0.658,
    },
    {
      id: "concerned-sharers",
      label: "Concerned, among those who shared",
      item: "concern",
      levels: AGREEING,
      given: { item: "share", levels: ["Consent to share"] },
      published: 0.636,
    },
    {
      id: "concerned-decliners",
      label: "Concerned, among those who declined",
      item: "concern",
      levels: AGREEING,
      given: { item: "share", levels: ["Decline"] },
      published: 0.836,
    },
  ],
  privateColumns: ["ResponseId", "Duration (in seconds)"],
  trimWhitespace: true,
  reference: {
    // Every coefficient of both complete models: B, p (0: the notebook printed 0.000, p < 0.0005) and an SE
    // derived from the printed 95% odds-ratio interval (the notebook prints no SEs); generated by
    // scripts/published-coefficients.py.
    citation:
      "Berke et al. 2025, PoPETs; the complete models as printed by the authors' statsmodels notebook " +
      '(google/how-unique-is-whose-web-browser, survey_and_experiment_analysis.ipynb, "Complete regression ' +
      'analysis" cells, read at commit 14aaca2d), N = 12,461. SEs are derived from the printed odds-ratio intervals.',
    url: "https://github.com/google/how-unique-is-whose-web-browser",
    tolerance: 0.001,
    analyses: {
      share: {
        n: 12_461,
        pseudoR2: 0.05256,
        coefficients: {
          "(Intercept)": { estimate: 1.216, se: 0.0786, p: 0 },
          showdata: { estimate: -0.134, se: 0.0396, p: 0.001 },
          "gender[Female]": { estimate: -0.089, se: 0.0407, p: 0.029 },
          "gender[Other]": { estimate: 0.171, se: 0.1495, p: 0.252 },
          "age[18 - 24 years]": { estimate: 0.43, se: 0.0715, p: 0 },
          "age[25 - 34 years]": { estimate: 0.131, se: 0.0531, p: 0.013 },
          "age[45 - 54 years]": { estimate: -0.045, se: 0.0644, p: 0.486 },
          "age[55 - 64 years]": { estimate: -0.129, se: 0.0737, p: 0.081 },
          "age[65 or older]": { estimate: -0.238, se: 0.0952, p: 0.012 },
          "income[Less than $25,000]": { estimate: 0.107, se: 0.0708, p: 0.13 },
          "income[$25,000 - $49,999]": { estimate: 0.067, se: 0.0607, p: 0.271 },
          "income[$75,000 - $99,999]": { estimate: -0.024, se: 0.0659, p: 0.718 },
          "income[$100,000 - $149,999]": { estimate: 0.15, se: 0.0657, p: 0.023 },
          "income[$150,000 or more]": { estimate: 0.163, se: 0.0749, p: 0.029 },
          "income[Prefer not to say]": { estimate: -0.641, se: 0.1351, p: 0 },
          "race[Black or African American]": { estimate: -0.027, se: 0.0636, p: 0.668 },
          "race[Asian]": { estimate: 0.174, se: 0.0724, p: 0.016 },
          "race[American Indian/Native American or Alaska Native]": { estimate: 0.02, se: 0.2636, p: 0.94 },
          "race[Other or mixed]": { estimate: -0.015, se: 0.0773, p: 0.851 },
          "hispanic[Yes]": { estimate: -0.002, se: 0.068, p: 0.981 },
          s1: { estimate: 0.996, se: 0.1079, p: 0 },
          s2: { estimate: -0.877, se: 0.0569, p: 0 },
          "s1:s2": { estimate: -0.781, se: 0.1164, p: 0 },
        },
      },
      concern: {
        n: 12_461,
        pseudoR2: 0.06006,
        coefficients: {
          "(Intercept)": { estimate: 1.296, se: 0.0772, p: 0 },
          share: { estimate: -1.1, se: 0.049, p: 0 },
          showdata: { estimate: -0.021, se: 0.0409, p: 0.611 },
          s1: { estimate: 0.633, se: 0.0428, p: 0 },
          "gender[Female]": { estimate: 0.013, se: 0.042, p: 0.758 },
          "gender[Other]": { estimate: 0.275, se: 0.1493, p: 0.065 },
          "age[18 - 24 years]": { estimate: -0.234, se: 0.0674, p: 0.001 },
          "age[25 - 34 years]": { estimate: -0.002, se: 0.0538, p: 0.967 },
          "age[45 - 54 years]": { estimate: 0.243, se: 0.0688, p: 0 },
          "age[55 - 64 years]": { estimate: 0.461, se: 0.0836, p: 0 },
          "age[65 or older]": { estimate: 0.523, se: 0.1115, p: 0 },
          "income[Less than $25,000]": { estimate: 0.028, se: 0.0729, p: 0.699 },
          "income[$25,000 - $49,999]": { estimate: -0.038, se: 0.0624, p: 0.542 },
          "income[$75,000 - $99,999]": { estimate: -0.096, se: 0.0684, p: 0.158 },
          "income[$100,000 - $149,999]": { estimate: 0.027, se: 0.0678, p: 0.687 },
          "income[$150,000 or more]": { estimate: -0.061, se: 0.0764, p: 0.425 },
          "income[Prefer not to say]": { estimate: 0.17, se: 0.1558, p: 0.276 },
          "race[Black or African American]": { estimate: -0.023, se: 0.0651, p: 0.721 },
          "race[Asian]": { estimate: 0.373, se: 0.0737, p: 0 },
          "race[American Indian/Native American or Alaska Native]": {
            estimate: -0.086,
            se: 0.2559,
            p: 0.738,
          },
          "race[Other or mixed]": { estimate: 0.249, se: 0.0814, p: 0.002 },
          "hispanic[Yes]": { estimate: 0.053, se: 0.0688, p: 0.444 },
        },
      },
    },
  },
}
