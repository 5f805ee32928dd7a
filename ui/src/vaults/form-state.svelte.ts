// The vault form's state: its values, the errors under its fields (with the core's hint), the
// Advanced section, the wrapped Secret ID and "Use my Vault CLI login" switches, and why the
// ID fields are required after a changed server. The fields (VaultTextField, VaultCheckField)
// read and write it; errors land only on fields the provider and login method show.

import type { CredentialsTarget } from "../bindings/CredentialsTarget";
import type { VaultInput } from "../bindings/VaultInput";
import {
  ADVANCED,
  advancedChanged,
  credential,
  initialValues,
  inputFrom,
  shownFields,
  textSpecs,
  type FormMode,
  type FormValues,
  type TextField,
  type TextSpec,
} from "./form-spec";

export interface FieldMessage {
  message: string;
  hint?: string;
}

export class VaultFormState {
  values: FormValues;
  errors = $state<Record<string, FieldMessage>>({});
  advancedOpen = $state(false);
  wrapped = $state(false);
  tokenFromEnv = $state(false);
  /** Why the stored IDs cannot go along (the server changed), or null. */
  idsWhy = $state<string | null>(null);
  readonly aws: boolean;
  readonly editing: boolean;
  readonly specs: Record<TextField, TextSpec>;
  readonly shown: Set<string>;

  constructor(mode: FormMode, defaults: VaultInput | null, onedit: () => void = () => undefined) {
    this.aws = mode.kind === "add" ? mode.flavor === "aws" : mode.vault.provider === "aws_secrets_manager";
    this.editing = mode.kind === "edit";
    this.specs = textSpecs(this.editing, this.aws, mode.kind === "edit" && mode.vault.needs_credentials);
    this.values = $state(initialValues(mode, defaults));
    this.advancedOpen = advancedChanged(this.aws, this.values);
    this.onedit = onedit;
    this.shown = $derived(shownFields(this.aws, this.values.method, this.values.engine));
  }

  readonly onedit: () => void;

  shows(key: string): boolean {
    return this.shown.has(key);
  }

  /** An edit: the field's message goes (the next Test or Save says what is still wrong). */
  edited(key: string): void {
    delete this.errors[key];
    this.onedit();
  }

  clearErrors(): void {
    this.errors = {};
  }

  /** Puts a message under `field`; false when the form does not show it (the caller shows it elsewhere). */
  showError(field: string, message: string, hint?: string): boolean {
    if (!this.shows(field)) return false;
    this.errors[field] = hint ? { message, hint } : { message };
    if (ADVANCED(this.aws).includes(field)) this.advancedOpen = true;
    return true;
  }

  /** The core answered "confirm_credentials": the ID fields say why they are required. */
  requireIds(target: CredentialsTarget): void {
    this.idsWhy = `the stored IDs were saved for ${target.stored_host}; this form would send them to ${target.new_host} (changed: ${target.changed.join(", ")}).`;
  }

  input(): VaultInput {
    return inputFrom(this.aws, this.values);
  }

  credential(k: "role_id" | "secret_id"): string | null {
    return credential(this.aws, this.values, k);
  }

  get isWrapped(): boolean {
    return this.values.method === "approle" && this.wrapped;
  }

  get fromEnv(): boolean {
    return this.values.method === "token" && this.tokenFromEnv;
  }

  /** Drops what was typed into the secret fields (the form closes). */
  forgetSecrets(): void {
    for (const k of ["role_id", "secret_id", "token", "password", "jwt", "access_key_id", "secret_access_key", "session_token"] as const) this.values.text[k] = "";
  }
}
