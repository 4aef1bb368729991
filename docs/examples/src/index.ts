export * from "./finetune-loop.js"
export * from "./toy-finetuner.js"
export * from "./toy-metric.js"
export * from "./toy-provider.js"

/** The example study folder (study.yaml and commute.csv), relative to this package. */
export const exampleStudyFolder = new URL("../study/", import.meta.url)
