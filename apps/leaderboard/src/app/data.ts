import type { SiteData, StudyData } from "../model.js"

declare global {
  interface Window {
    __STANDIN_DATA__?: SiteData
    __STANDIN_STUDIES__?: Record<string, StudyData>
  }
}

export const siteData = (): SiteData | undefined => window.__STANDIN_DATA__

const pending = new Map<string, Promise<StudyData>>()

/**
 * Loads a study's data script once. A script tag (not fetch) so the site also works when opened
 * from a local folder (file://).
 */
export const loadStudy = (site: SiteData, key: string): Promise<StudyData> => {
  const loaded = window.__STANDIN_STUDIES__?.[key]
  if (loaded !== undefined) return Promise.resolve(loaded)
  const known = pending.get(key)
  if (known !== undefined) return known
  const path = site.studyScripts[key]
  if (path === undefined) return Promise.reject(new Error(`no data for study ${key}`))
  const promise = new Promise<StudyData>((resolve, reject) => {
    const script = document.createElement("script")
    script.src = path
    script.onload = () => {
      const data = window.__STANDIN_STUDIES__?.[key]
      if (data === undefined) reject(new Error(`${path} did not register study ${key}`))
      else resolve(data)
    }
    script.onerror = () => reject(new Error(`could not load ${path}`))
    document.head.append(script)
  })
  pending.set(key, promise)
  promise.catch(() => pending.delete(key))
  return promise
}
