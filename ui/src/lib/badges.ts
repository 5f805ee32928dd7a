// The header's badges, from what the app says about itself. One entry per badge: a new one
// (a "Demo data" badge fed by AppInfo, say) is one more line in `badgesOf`.

import type { AppInfo } from "../app-bindings/AppInfo";

export interface Badge {
  /** data-testid `meta-ID`. */
  id: string;
  text: string;
  title?: string;
  mono?: boolean;
}

export function badgesOf(info: AppInfo | null): Badge[] {
  if (!info) return [];
  return [
    { id: "version", text: `v${info.version}` },
    { id: "data-dir", text: info.data_dir, title: "Data directory", mono: true },
  ];
}
