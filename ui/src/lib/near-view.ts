// A Svelte action: calls `more` whenever the element comes within a screen of view (scrolling,
// or Tab moving focus down). Long tables build their rows a page at a time with it.

export function nearView(node: Element, more: () => void): { destroy(): void } {
  const observer = new IntersectionObserver(
    (entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      more();
      // Still near after the new rows (a tall window, a fast scroll)? Observing again reports
      // where it is now; an observer otherwise speaks only when that changes.
      queueMicrotask(() => {
        if (!node.isConnected) return;
        observer.unobserve(node);
        observer.observe(node);
      });
    },
    { rootMargin: "100% 0px" },
  );
  observer.observe(node);
  return { destroy: () => observer.disconnect() };
}

/** How many rows a long table builds at once: more than any window shows. */
export const ROWS_PAGE = 60;
