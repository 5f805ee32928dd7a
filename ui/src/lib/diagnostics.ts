// Records what would otherwise only reach a console nobody sees in a packaged app: uncaught
// errors, unhandled promise rejections and Content Security Policy violations. The E2E smoke
// test reads them through `window.vaultdeskDiagnostics()` and fails on any (the webview's own
// console still shows them in devtools). Imported first by main.ts so it listens early.

export interface Diagnostic {
  kind: "error" | "unhandledrejection" | "csp";
  message: string;
}

const recorded: Diagnostic[] = [];

function record(kind: Diagnostic["kind"], message: string): void {
  recorded.push({ kind, message });
}

window.addEventListener("error", (e) => record("error", `${e.message} (${e.filename}:${e.lineno})`));
window.addEventListener("unhandledrejection", (e) => record("unhandledrejection", String(e.reason)));
document.addEventListener("securitypolicyviolation", (e) =>
  record("csp", `${e.effectiveDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`),
);

declare global {
  interface Window {
    vaultdeskDiagnostics?: () => Diagnostic[];
  }
}

Object.defineProperty(window, "vaultdeskDiagnostics", {
  value: (): Diagnostic[] => recorded.map((d) => ({ ...d })),
  enumerable: false,
});
