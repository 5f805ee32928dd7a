// The window's sections, in the order of the navigation.

export type Page = "vaults" | "connectors" | "leases";

export const PAGES: readonly Page[] = ["vaults", "connectors", "leases"];

export const PAGE_LABELS: Record<Page, string> = { vaults: "Secret Manager", connectors: "Connectors", leases: "Leases" };
