import { fileURLToPath } from "node:url"
import { loadBundledStudyFolder } from "@standin/study"

/**
 * The ANES 1996 pre-election survey subset (statsmodels anes96 = faraway nes96). Data: STANDIN_DATA_DIR/anes1996-vote/,
 * else the user cache, else a sha256-verified download from statsmodels at the pinned commit.
 * The study itself is declared in ../study.yaml (shipped with the package).
 */
const folder = loadBundledStudyFolder(fileURLToPath(new URL("..", import.meta.url)))

export const study = folder.plugin
export const { descriptor, experiment, layer } = study
export const definition = folder.definition
