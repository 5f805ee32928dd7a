// Which masked values are shown, by id: the value itself stays wherever the component keeps it,
// and the DOM shows it only while its id is in the set. Hiding (or `hideAll`) takes it out of
// the DOM with the next render: nothing has to be scrubbed by hand.

import { SvelteSet } from "svelte/reactivity";

/** What a masked value shows instead of itself. */
export const MASK = "••••••••";

export class RevealState {
  readonly #shown = new SvelteSet<string>();

  has(id: string): boolean {
    return this.#shown.has(id);
  }

  toggle(id: string): void {
    if (this.#shown.has(id)) this.#shown.delete(id);
    else this.#shown.add(id);
  }

  hideAll(): void {
    this.#shown.clear();
  }

  /** `value` if `id` is revealed, the mask otherwise. */
  show(id: string, value: string): string {
    return this.#shown.has(id) ? value : MASK;
  }
}
