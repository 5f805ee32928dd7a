// A form's errors as state: the messages under each field (by key: `name`, `config.headers`...),
// the banner for errors that have no field on screen, and the footer's status. The core's field
// errors are placed by their path (lib/errors.ts `fieldKey`); the form shows what this holds.

import type { FieldError } from "../bindings/FieldError";
import { fieldKey, plainMessageOf, sentence } from "./errors";
import { CommandError } from "./ipc";

export class FormErrors {
  messages = $state<Record<string, string[]>>({});
  banner = $state<{ title: string; text: string } | null>(null);
  status = $state("");

  /** @param keys whether a key has a place on screen (a field of the form). */
  constructor(private readonly keys: (key: string) => boolean) {}

  of(key: string): string[] {
    return this.messages[key] ?? [];
  }

  clear(): void {
    this.messages = {};
    this.banner = null;
    this.status = "";
  }

  clearKey(key: string): void {
    if (key in this.messages) delete this.messages[key];
  }

  /** Puts one field error under its field; the key, or null when the form has no such field. */
  place(f: FieldError): string | null {
    const { key, sub } = fieldKey(f);
    if (!this.keys(key)) return null;
    const text = sub ? `${sub}: ${f.message}` : sentence(f.message);
    this.messages[key] = [...this.of(key), text];
    return key;
  }

  /**
   * A failed action's error: field errors under their fields (the count in the status, those
   * without a field in the banner), anything else in the banner. The first placed key, to focus.
   */
  show(error: unknown, action: string): string | null {
    const payload = error instanceof CommandError ? error.payload : null;
    if (payload && payload.fields.length > 0) {
      const elsewhere: string[] = [];
      let first: string | null = null;
      for (const f of payload.fields) {
        const key = this.place(f);
        if (!key) elsewhere.push(`${f.field} ${f.message}.`);
        first ??= key;
      }
      const n = payload.fields.length;
      this.status = `${action} needs ${n === 1 ? "one fix" : `${n} fixes`}: see the highlighted fields.`;
      if (elsewhere.length > 0) this.banner = { title: `${action} needs these fixes too:`, text: ` ${elsewhere.join(" ")}` };
      return first;
    }
    this.status = `${action} failed.`;
    this.banner = { title: `${action} failed.`, text: ` ${plainMessageOf(error)}` };
    return null;
  }
}
