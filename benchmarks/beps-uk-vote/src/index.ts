import { fileURLToPath } from "node:url"
import { loadBundledStudyFolder } from "@standin/study"

/**
 * The British Election Panel Study 1997–2001 extract (carData::BEPS). Data: STANDIN_DATA_DIR/beps-uk-vote/, else the
 * user cache, else a sha256-verified download of the Rdatasets CSV at the pinned commit (GPL ≥ 2, never bundled).
 * The study itself is declared in ../study.yaml (shipped with the package).
 */
const folder = loadBundledStudyFolder(fileURLToPath(new URL("..", import.meta.url)))

export const study = folder.plugin
export const { descriptor, experiment, layer } = study
export const definition = folder.definition
