import { siteData } from "./data.js"
import { html, setHtml } from "./dom.js"
import { renderCompare } from "./pages/compare.js"
import { renderDownloads } from "./pages/downloads.js"
import { renderMethods } from "./pages/methods.js"
import { renderModel } from "./pages/model.js"
import { renderOverview } from "./pages/overview.js"
import { renderStudy } from "./pages/study.js"
import { href, parseRoute, type Route } from "./router.js"

const main = document.getElementById("main")!
const nav = document.getElementById("site-nav")!
const site = siteData()

const notFound = (what: string) => {
  setHtml(
    main,
    html`<h1 tabindex="-1">Not found</h1><p>${what}</p><p><a href="${href.overview()}">Back to the leaderboard</a></p>`,
  )
  return "Not found"
}

const renderNav = (route: Route) => {
  if (site === undefined) return
  const current = (page: string, key?: string) =>
    route.page === page && (key === undefined || ("key" in route && route.key === key))
      ? html` aria-current="page"`
      : ""
  setHtml(
    nav,
    html`<ul>
      <li><a href="${href.overview()}"${current("overview")}>Leaderboard</a></li>
      ${site.leaderboard.studies.map((study) => html`<li><a href="${href.study(study.key)}"${current("study", study.key)}>${study.title}</a></li>`)}
      <li><a href="${href.methods()}"${current("methods")}>Methods</a></li>
      <li><a href="${href.downloads()}"${current("downloads")}>Downloads</a></li>
    </ul>`,
  )
}

let renderCount = 0

const render = async () => {
  const route = parseRoute(window.location.hash)
  const count = ++renderCount
  renderNav(route)
  document.body.dataset.page = route.page
  delete document.body.dataset.ready
  if (site === undefined) {
    setHtml(
      main,
      html`<h1 tabindex="-1">No leaderboard data</h1><p>This folder has no <code>data.js</code>: build the site with <code>standin leaderboard build</code>.</p>`,
    )
    return
  }
  let title: string | null
  switch (route.page) {
    case "overview":
      title = renderOverview(main, site)
      break
    case "study":
      title =
        (await renderStudy(main, site, route.key)) ?? notFound(`No study "${route.key}" on this leaderboard.`)
      break
    case "model":
      title =
        (await renderModel(main, site, route.key)) ??
        notFound(`No model configuration "${route.key}" on this leaderboard.`)
      break
    case "compare":
      title =
        renderCompare(main, site, route.key, route.other) ??
        notFound(
          `No model configurations "${route.key}" and "${route.other}" to compare on this leaderboard.`,
        )
      break
    case "methods":
      title = renderMethods(main, site)
      break
    case "downloads":
      title = renderDownloads(main, site)
      break
    default:
      title = notFound(`There is no page at "${route.path}".`)
  }
  if (count !== renderCount) return // a newer navigation took over
  document.title = `${title} · standin leaderboard`
  document.body.dataset.ready = route.page
  performance.mark(`standin:rendered:${route.page}`)
}

let first = true
const navigate = () => {
  const focus = !first
  first = false
  render().then(
    () => {
      // Move focus to the new page's heading for screen readers (not on first load).
      if (focus) main.querySelector<HTMLElement>("h1")?.focus()
      window.scrollTo(0, 0)
    },
    (error: unknown) => {
      setHtml(main, html`<h1 tabindex="-1">Something went wrong</h1><p role="alert">${String(error)}</p>`)
    },
  )
}

document.getElementById("skip-link")?.addEventListener("click", (event) => {
  event.preventDefault()
  main.focus()
})
window.addEventListener("hashchange", navigate)
navigate()
