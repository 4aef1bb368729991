import { defineStudy } from "@standin/study"
import { definition } from "./definition.js"

/**
 * The Berke et al. 2025 browser-data sharing experiment. Data: STANDIN_DATA_DIR/berke-fingerprint-consent/,
 * else the user cache, else a sha256-verified download from the upstream repository at the pinned commit.
 */
export const study = defineStudy(definition)
export const { descriptor, experiment, layer } = study
export { definition }
