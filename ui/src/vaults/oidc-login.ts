// "Sign in" of an OIDC vault: the core opens the provider's page in the browser ($BROWSER or
// xdg-open) and waits for it to come back; this dialog shows the address too (in case no
// browser opened), lets the admin keep the token until it expires, and reports the outcome.
// The token itself never reaches the window.

import type { VaultSummary } from "../app-bindings/VaultSummary";
import { h, openModal } from "../lib/dom";
import { CommandError, oidcLogin } from "../lib/ipc";
import { dialogHead } from "./vault-form";

export function openOidcLogin(vault: VaultSummary, done: (message: string) => void): void {
  const remember = h("input", { id: "oidc-remember", type: "checkbox", "data-testid": "oidc-remember" });
  const urlBox = h("p", { class: "oidc-url mono", "data-testid": "oidc-url", hidden: "" });
  const status = h("p", { class: "foot-status", role: "status", "data-testid": "oidc-status" });
  const start = h("button", { type: "submit", class: "btn btn-primary", "data-testid": "oidc-start" }, "Open the browser and sign in");
  const cancel = h("button", { type: "button", class: "btn" }, "Close");
  const form = h(
    "form",
    { class: "dialog-form", novalidate: "" },
    h(
      "div",
      { class: "dialog-body" },
      h(
        "p",
        { class: "confirm-text" },
        `Signs in to ${vault.name} with role `,
        h("strong", {}, vault.auth_role ?? ""),
        " at the identity provider of auth mount ",
        h("strong", { class: "mono" }, vault.auth_mount),
        ". Your browser opens the provider's page; vaultdesk waits up to five minutes for it to come back.",
      ),
      h(
        "div",
        { class: "field field-check" },
        h("div", { class: "check-row" }, remember, h("label", { for: "oidc-remember" }, "Keep me signed in until the token expires")),
        h("p", { class: "help" }, "The token then stays in the OS keyring; otherwise only in memory until vaultdesk closes."),
      ),
      urlBox,
    ),
    h("div", { class: "dialog-foot" }, status, h("span", { class: "foot-spacer" }), cancel, start),
  );
  const dialog = h(
    "dialog",
    { class: "dialog dialog-small", "aria-labelledby": "oidc-title", "data-testid": "oidc-dialog" },
    dialogHead("oidc-title", `Sign in to “${vault.name}”`, null, () => dialog.close()),
    form,
  );
  cancel.addEventListener("click", () => dialog.close());
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    start.disabled = true;
    remember.disabled = true;
    status.textContent = "Waiting for the browser…";
    const onUrl = (url: string): void => {
      urlBox.replaceChildren("If no browser opened, visit: ", h("span", { class: "oidc-url-text" }, url));
      urlBox.hidden = false;
    };
    oidcLogin(vault.name, remember.checked, onUrl).then(
      (report) => {
        dialog.close();
        done(report.message);
      },
      (error: unknown) => {
        const payload = error instanceof CommandError ? error.payload : null;
        const hint = payload?.vault?.hint;
        status.textContent = payload ? `${payload.message}${hint ? ` — ${hint}` : ""}` : String(error);
        status.classList.add("is-error");
        start.disabled = false;
        remember.disabled = false;
        start.textContent = "Try again";
      },
    );
  });
  dialog.addEventListener("close", () => dialog.remove());
  openModal(dialog, { initial: start });
}
