import { fileURLToPath } from "node:url"
import { loadBundledStudyFolder } from "@standin/study"

/**
 * Brader, Valentino & Suhay (2008), the immigration news-story experiment (mediation::framing). Data:
 * STANDIN_DATA_DIR/brader2008-immigration-framing/, else the user cache, else a sha256-verified download of the
 * Rdatasets CSV at the pinned commit (GPL ≥ 2, never bundled).
 * The study itself is declared in ../study.yaml (shipped with the package).
 */
const folder = loadBundledStudyFolder(fileURLToPath(new URL("..", import.meta.url)))

export const study = folder.plugin
export const { descriptor, experiment, layer } = study
export const definition = folder.definition
