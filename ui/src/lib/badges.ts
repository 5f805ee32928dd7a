// The header's badges, from what the app says about itself. One entry per badge: a new one
// is one more entry in `badgesOf` ("Demo data" when `vaultdesk demo` started the window).

import type { AppInfo } from "../app-bindings/AppInfo";

export interface Badge {
  /** data-testid `meta-ID`. */
  id: string;
  text: string;
  title?: string;
  mono?: boolean;
  /** Drawn as a warning (the "Demo data" badge). */
  warn?: boolean;
  /** Its data-testid when not `meta-ID`. */
  testid?: string;
}

export function badgesOf(info: AppInfo | null): Badge[] {
  if (!info) return [];
  return [
    { id: "version", text: `v${info.version}` },
    ...(info.demo
      ? [
          {
            id: "demo",
            testid: "demo-badge",
            text: "Demo data",
            title: "Started by `vaultdesk demo`: example data on a throwaway local OpenBao, removed when this window closes",
            warn: true,
          },
        ]
      : []),
    { id: "data-dir", text: info.data_dir, title: "Data directory", mono: true },
  ];
}
