// Focus inside a modal: what Tab may reach, and where Tab and Shift+Tab go at the ends.

const FOCUSABLE = "button, input, select, textarea, summary, [href], [tabindex]:not([tabindex='-1'])";

/** The elements of `root` that Tab reaches (enabled; shown, where layout is known). */
export function focusables(root: ParentNode): HTMLElement[] {
  return [...root.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
    (el) => !el.hasAttribute("disabled") && !el.closest("[hidden]") && (el.offsetParent !== null || el.getClientRects().length > 0 || isLaidOutless()),
  );
}

/** happy-dom (the unit tests) does no layout: every element counts as shown there. */
function isLaidOutless(): boolean {
  return typeof navigator !== "undefined" && /HappyDOM/i.test(navigator.userAgent);
}

/** The element Tab (or Shift+Tab) from `active` should go to to stay inside, or null (default). */
export function wrapTarget(list: HTMLElement[], active: Element | null, back: boolean): HTMLElement | null {
  const first = list[0];
  const last = list[list.length - 1];
  if (!first || !last) return null;
  if (back && (active === first || !list.includes(active as HTMLElement))) return last;
  if (!back && (active === last || !list.includes(active as HTMLElement))) return first;
  return null;
}
