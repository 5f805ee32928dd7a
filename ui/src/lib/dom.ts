// Small DOM helpers. Everything is built with DOM calls and textContent, never innerHTML:
// vault names and URLs are user data, and the Content Security Policy forbids inline scripts
// and styles anyway.

import { breakParts } from "./format";
export { ICONS } from "./icons";

export type Child = Node | string | null | false | undefined;

/** `h("td", {class: "x", "data-testid": "y"}, "text")`: an element with attributes and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | false | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== false && value !== undefined) node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child === null || child === false || child === undefined) continue;
    node.append(child);
  }
  return node;
}

export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html lacks #${id}`);
  return node as T;
}

const SVG = "http://www.w3.org/2000/svg";

/** A 16×16 stroked icon from path data; decorative (the button carries the label). */
export function icon(...paths: string[]): SVGSVGElement {
  const svg = document.createElementNS(SVG, "svg");
  svg.setAttribute("class", "btn-icon");
  svg.setAttribute("viewBox", "0 0 16 16");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of paths) {
    const p = document.createElementNS(SVG, "path");
    p.setAttribute("d", d);
    svg.append(p);
  }
  return svg;
}


/** A URL or path that wraps only at natural points (`breakParts`), as DOM nodes. */
export function breakable(text: string): DocumentFragment {
  const fragment = document.createDocumentFragment();
  for (const part of breakParts(text)) {
    if (fragment.childNodes.length > 0) fragment.append(document.createElement("wbr"));
    fragment.append(h("span", { class: "nobr" }, part));
  }
  return fragment;
}

/**
 * Opens `dialog` modally: focus goes to `initial` (or the first field), Tab and Shift+Tab stay
 * inside, Escape runs `onEscape` (default: close). The dialog removes itself when closed and
 * focus returns to what had it before.
 */
export function openModal(
  dialog: HTMLDialogElement,
  options: { initial?: HTMLElement | null; onEscape?: () => void } = {},
): void {
  const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
  document.body.append(dialog);
  dialog.addEventListener("cancel", (e) => {
    e.preventDefault();
    (options.onEscape ?? (() => dialog.close()))();
  });
  dialog.addEventListener("keydown", (e) => {
    if (e.key !== "Tab") return;
    const focusable = [...dialog.querySelectorAll<HTMLElement>(
      "button, input, select, textarea, summary, [href], [tabindex]:not([tabindex='-1'])",
    )].filter((el) => !el.hasAttribute("disabled") && el.offsetParent !== null);
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    if (e.shiftKey && document.activeElement === first) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener?.isConnected) opener.focus();
  });
  dialog.showModal();
  const target = options.initial ?? dialog.querySelector<HTMLElement>("input, select, textarea");
  target?.focus();
}

/** How many rows a long table builds at once: more than any window shows. */
export const ROWS_PAGE = 60;

/**
 * The body of a table of `list`, built a page of rows at a time: the first page at once, the next
 * whenever the end of what is built comes within a screen of view (scrolling, or Tab moving
 * focus down), so a thousand rows show as fast as sixty and only the rows an admin reaches are
 * ever built. Rows up to index `upTo` (one just saved) are built at once. `slot` holds the
 * observer of the table it replaces, which stops.
 */
export function lazyRows<T>(
  list: T[],
  row: (item: T) => HTMLTableRowElement,
  columns: number,
  slot: { observer: IntersectionObserver | null },
  upTo = 0,
): HTMLTableSectionElement {
  slot.observer?.disconnect();
  slot.observer = null;
  const body = h("tbody", {}) as HTMLTableSectionElement;
  const sentinel = h("tr", { class: "list-more", "aria-hidden": "true" }, h("td", { colspan: String(columns) }));
  let shown = 0;
  const buildTo = (n: number): void => {
    const end = Math.min(n, list.length);
    if (end <= shown) return;
    const rows = document.createDocumentFragment();
    for (const item of list.slice(shown, end)) rows.append(row(item));
    shown = end;
    body.insertBefore(rows, sentinel.isConnected ? sentinel : null);
    if (shown >= list.length) {
      sentinel.remove();
      slot.observer?.disconnect();
    }
  };
  buildTo(Math.max(ROWS_PAGE, upTo));
  if (shown < list.length) {
    body.append(sentinel);
    const observer = new IntersectionObserver(
      (entries) => {
        if (!entries.some((e) => e.isIntersecting)) return;
        buildTo(shown + ROWS_PAGE);
        // Still near after the new rows (a tall window, a fast scroll)? Observing again reports
        // where it is now; an observer otherwise speaks only when that changes.
        if (sentinel.isConnected) {
          observer.unobserve(sentinel);
          observer.observe(sentinel);
        }
      },
      { rootMargin: "100% 0px" },
    );
    observer.observe(sentinel);
    slot.observer = observer;
  }
  return body;
}
