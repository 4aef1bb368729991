/** Markup built from template literals: interpolations are escaped unless wrapped in `Html`. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value
  }
}

const escapes: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
}

export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => escapes[c]!)

const render = (value: unknown): string => {
  if (value === null || value === undefined || value === false) return ""
  if (value instanceof Html) return value.value
  if (Array.isArray(value)) return value.map(render).join("")
  return escapeHtml(String(value))
}

export const html = (strings: TemplateStringsArray, ...values: ReadonlyArray<unknown>): Html => {
  let out = strings[0] ?? ""
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "")
  })
  return new Html(out)
}

export const raw = (text: string): Html => new Html(text)

/** Replaces an element's content with markup. */
export const setHtml = (element: Element, markup: Html): void => {
  element.innerHTML = markup.value
}

/** A `<figure>` holding a chart (or a "not available" note) with a caption. */
export const figure = (caption: string, content: Node | string, description?: string): HTMLElement => {
  const element = document.createElement("figure")
  element.className = "chart"
  if (typeof content === "string") {
    const note = document.createElement("p")
    note.className = "not-available"
    note.textContent = content
    element.append(note)
  } else {
    element.append(content)
  }
  const figcaption = document.createElement("figcaption")
  figcaption.textContent = caption
  if (description !== undefined) {
    const small = document.createElement("span")
    small.className = "description"
    small.textContent = ` ${description}`
    figcaption.append(small)
  }
  element.prepend(figcaption)
  return element
}

export const element = <K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string> = {},
  markup?: Html,
): HTMLElementTagNameMap[K] => {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value)
  if (markup !== undefined) node.innerHTML = markup.value
  return node
}

/** A labelled <select>; `onChange` gets the chosen value. */
export const select = (
  label: string,
  options: ReadonlyArray<{ readonly value: string; readonly label: string }>,
  value: string,
  onChange: (value: string) => void,
  id?: string,
): HTMLLabelElement => {
  const wrapper = document.createElement("label")
  wrapper.className = "control"
  wrapper.append(`${label} `)
  const input = document.createElement("select")
  input.id = id ?? `select-${label.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`
  for (const option of options) {
    const node = document.createElement("option")
    node.value = option.value
    node.textContent = option.label
    if (option.value === value) node.selected = true
    input.append(node)
  }
  input.addEventListener("change", () => onChange(input.value))
  wrapper.append(input)
  return wrapper
}
