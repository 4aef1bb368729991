import type { ChartedEntry, EntryDetail, SiteData, StudyData, StudyEntry, TwinPage } from "../model.js"

declare global {
  interface Window {
    __STANDIN_DATA__?: SiteData
    __STANDIN_STUDIES__?: Record<string, StudyData>
    __STANDIN_ENTRIES__?: Record<string, EntryDetail>
    __STANDIN_TWINS__?: Record<string, TwinPage>
  }
}

export const siteData = (): SiteData | undefined => window.__STANDIN_DATA__

const pending = new Map<string, Promise<unknown>>()

/**
 * Loads a data script once and reads what it registered. A script tag (not fetch) so the site also
 * works when opened from a local folder (file://).
 */
const loadScript = <A>(path: string, read: () => A | undefined, what: string): Promise<A> => {
  const loaded = read()
  if (loaded !== undefined) return Promise.resolve(loaded)
  const known = pending.get(path)
  if (known !== undefined) return known as Promise<A>
  const promise = new Promise<A>((resolve, reject) => {
    const script = document.createElement("script")
    script.src = path
    script.onload = () => {
      const data = read()
      if (data === undefined) reject(new Error(`${path} did not register ${what}`))
      else resolve(data)
    }
    script.onerror = () => reject(new Error(`could not load ${path}`))
    document.head.append(script)
  })
  pending.set(path, promise)
  promise.catch(() => pending.delete(path))
  return promise
}

/** Loads a study's data script (its entries' summaries) once. */
export const loadStudy = (site: SiteData, key: string): Promise<StudyData> => {
  const path = site.studyScripts[key]
  if (path === undefined) return Promise.reject(new Error(`no data for study ${key}`))
  return loadScript(path, () => window.__STANDIN_STUDIES__?.[key], `study ${key}`)
}

/** Loads the measures and answer counts of the entries a page charts (each once), in parallel. */
export const loadEntries = (entries: ReadonlyArray<StudyEntry>): Promise<ReadonlyArray<ChartedEntry>> =>
  Promise.all(
    entries.map((entry) => {
      const key = `${entry.ref.run}/${entry.ref.entry}`
      return loadScript(entry.detail, () => window.__STANDIN_ENTRIES__?.[key], `entry ${key}`).then(
        (detail): ChartedEntry => ({ ...entry, ...detail }),
      )
    }),
  )

/** Loads one page (1-based) of an entry's twin browser once. */
export const loadTwinPage = (entry: StudyEntry, page: number): Promise<TwinPage> => {
  const path = entry.twins?.pages[page - 1]
  const key = `${entry.ref.run}/${entry.ref.entry}/${page}`
  if (path === undefined) return Promise.reject(new Error(`no twin page ${page} for ${entry.label}`))
  return loadScript(path, () => window.__STANDIN_TWINS__?.[key], `twins ${key}`)
}
