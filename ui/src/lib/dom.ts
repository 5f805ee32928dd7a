// Small DOM helpers of the forms still built by DOM code (vaults/vault-form.ts,
// connectors/connector-form.ts); components do not use them. Everything is built with DOM
// calls and textContent, never innerHTML: vault names and URLs are user data, and the Content
// Security Policy forbids inline scripts and styles anyway.

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
