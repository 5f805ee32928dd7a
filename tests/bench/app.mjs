// The app benchmark's measurements, run by tests/bench/app.sh (which builds the release app,
// fills the data directories and starts Xvfb and tauri-driver). For each run, each data
// directory in turn (so that they share the machine's state), a new window:
//   - list: from the session request to the vault list shown (its rows, or the empty state),
//     as seen from here (polling the page);
//   - PSS of the app's processes (vaultdesk-app and every descendant: WebKitWebProcess,
//     WebKitNetworkProcess...) from /proc/PID/smaps_rollup, 1 s after the list;
//   - connectors: from the click on the Connectors tab to its list shown (the table of all n with
//     its first screen of rows — a long list renders the rest as it is scrolled to — or the
//     empty state), measured inside the page and ending at the next painted frame;
//   - PSS again, 1 s after the Connectors page.
// Prints a table of medians and the ratios of issue 8's goals. Asserts nothing.
//
// Environment: VAULTDESK_APP, TAURI_DRIVER_PORT; BENCH_RUNS (default 3); BENCH_DIRS, lines of
// "LABEL<TAB>DIR<TAB>VAULTS<TAB>CONNECTORS", the first being the empty data directory.

import { appendFileSync, readdirSync, readFileSync } from "node:fs";
import { browser, env, start, step } from "../e2e/lib.mjs";

const app = env("VAULTDESK_APP");
const port = Number(env("TAURI_DRIVER_PORT", "4444"));
const runs = Number(env("BENCH_RUNS", "3"));
const profile = env("BENCH_PROFILE", "release");
const dirs = env("BENCH_DIRS")
  .trim()
  .split("\n")
  .map((l) => {
    const [label, dir, vaults, connectors] = l.split("\t");
    return { label, dir, vaults: Number(vaults), connectors: Number(connectors), samples: [] };
  });
const SETTLE_MS = 1000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** pid → {ppid, comm} of every process. */
function processes() {
  const all = new Map();
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, "utf8");
      // comm is in parentheses and may hold spaces; the fields after it are space-separated.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      all.set(Number(name), { ppid, comm });
    } catch {
      // Gone meanwhile.
    }
  }
  return all;
}

/** Total PSS (KiB) of the app started on `dataDir` and its descendants, and their names. */
function appPss(dataDir) {
  const all = processes();
  const root = [...all.keys()].find((pid) => {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      return argv[0].endsWith("vaultdesk-app") && argv.includes(dataDir);
    } catch {
      return false;
    }
  });
  if (root === undefined) throw new Error(`no vaultdesk-app process on ${dataDir}`);
  const members = [root];
  for (let i = 0; i < members.length; i++) {
    for (const [pid, p] of all) if (p.ppid === members[i]) members.push(pid);
  }
  let kib = 0;
  for (const pid of members) {
    try {
      const m = /^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
      if (m) kib += Number(m[1]);
    } catch {
      // Gone meanwhile.
    }
  }
  return { kib, names: members.map((pid) => all.get(pid)?.comm).sort() };
}

/**
 * Polls the page until the vault list shows: the table of all `vaults` with its first screen of
 * rows (a long list builds the rest as it is scrolled to), or the empty state.
 */
async function vaultListShown(vaults) {
  for (;;) {
    const shown = await browser
      .execute((n) => {
        const view = document.getElementById("vault-view");
        if (!view || view.getAttribute("aria-busy") !== "false") return false;
        if (n === 0) return !!view.querySelector('[data-testid="empty-state"]')?.offsetParent;
        const rows = view.querySelectorAll('[data-testid="vault-row"]');
        const all = view.querySelector('[data-testid="vault-table"]')?.getAttribute("aria-rowcount") === String(n + 1) || rows.length === n;
        const first = Math.min(n, 60);
        return all && rows.length >= first && !!rows[first - 1].offsetParent;
      }, vaults)
      .catch(() => false);
    if (shown) return;
  }
}

/** Clicks the Connectors tab in the page; ms until its list (or empty state) is painted. */
function connectorsShown(connectors) {
  return browser.executeAsync((n, done) => {
    const view = document.getElementById("connector-view");
    const t0 = performance.now();
    document.querySelector('[data-testid="nav-connectors"]').click();
    const check = () => {
      const ready =
        view.getAttribute("aria-busy") === "false" &&
        (n === 0
          ? !!view.querySelector('[data-testid="connector-empty-state"]')?.offsetParent
          : // The table of all n (a long list renders its first screen of rows first).
            (view.querySelector('[data-testid="connector-table"]')?.getAttribute("aria-rowcount") === String(n + 1) ||
              view.querySelectorAll('[data-testid="connector-row"]').length === n) &&
            view.querySelectorAll('[data-testid="connector-row"]').length >= Math.min(n, 60));
      if (ready) requestAnimationFrame(() => setTimeout(() => done(performance.now() - t0), 0));
      else setTimeout(check, 2);
    };
    check();
  }, connectors);
}

async function measure(d) {
  const t0 = performance.now();
  await start({ app, dataDir: d.dir, port });
  await vaultListShown(d.vaults);
  const list = performance.now() - t0;
  await sleep(SETTLE_MS);
  const pssList = appPss(d.dir);
  const connectors = await connectorsShown(d.connectors);
  await sleep(SETTLE_MS);
  const pssConnectors = appPss(d.dir);
  const problems = await browser.execute(() => window.vaultdeskDiagnostics?.() ?? []);
  if (problems.length > 0) step(`${d.label}: the page recorded ${JSON.stringify(problems)}`);
  await browser.deleteSession();
  return { list, connectors, pssList: pssList.kib, pssConnectors: pssConnectors.kib, names: pssConnectors.names };
}

for (let run = 1; run <= runs; run++) {
  for (const d of dirs) {
    const s = await measure(d);
    d.samples.push(s);
    step(
      `run ${run}/${runs} ${d.label}: list ${s.list.toFixed(0)} ms, connectors ${s.connectors.toFixed(0)} ms, ` +
        `PSS ${(s.pssList / 1024).toFixed(1)} / ${(s.pssConnectors / 1024).toFixed(1)} MiB (${s.names.join(" ")})`,
    );
  }
}

const med = (d, key) => median(d.samples.map((s) => s[key]));
const ms = (v) => `${v.toFixed(0)} ms`;
const mib = (kib) => `${(kib / 1024).toFixed(1)} MiB`;
const cols = [30, 20, 22, 18, 22];
const rowOf = (cells) => cells.map((c, i) => String(c).padEnd(cols[i])).join("").trimEnd();
console.log(`\nmedians of ${runs} runs (${profile} build, ${readFileSync("/proc/cpuinfo", "utf8").match(/^processor/gm).length} CPUs)`);
console.log(rowOf(["data directory", "vault list shown", "Connectors shown", "PSS after list", "PSS on Connectors"]));
for (const d of dirs) {
  console.log(rowOf([d.label, ms(med(d, "list")), ms(med(d, "connectors")), mib(med(d, "pssList")), mib(med(d, "pssConnectors"))]));
}

const [empty, ...others] = dirs;
const ratio = (a, b) => `${(a / b).toFixed(2)}×`;
console.log("\ngoals (issue 8)");
for (const d of others) {
  console.log(`  vault list shown, ${d.label} / empty: ${ratio(med(d, "list"), med(empty, "list"))}   (goal ≤ 1.25×)`);
}
for (const d of others.filter((x) => x.connectors > 0)) {
  console.log(`  Connectors page, ${d.connectors} connectors, after the click: ${ms(med(d, "connectors"))}   (goal ≤ 300 ms)`);
}
for (const d of others) {
  console.log(
    `  total PSS, ${d.label} / empty: ${ratio(med(d, "pssList"), med(empty, "pssList"))} after the list, ` +
      `${ratio(med(d, "pssConnectors"), med(empty, "pssConnectors"))} on Connectors   (goal ≤ 1.15×)`,
  );
}
// The masked preview of a 20-field connector through the real IPC (BENCH_PREVIEW_DIR: a data
// directory with the vault `pv` on a real OpenBao, secret keys k01..k20).
const previewDir = process.env.BENCH_PREVIEW_DIR;
let previewFigures = null;
if (previewDir) {
  await start({ app, dataDir: previewDir, port });
  await vaultListShown(1);
  const times = await browser.executeAsync((done) => {
    const invoke = window.__TAURI_INTERNALS__.invoke;
    const keys = Array.from({ length: 20 }, (_, i) => `k${String(i + 1).padStart(2, "0")}`);
    const input = (i) => {
      const headers = {};
      for (const k of keys.slice(2)) headers[`X-${k}`] = `{{secrets.pv.${k}}}`;
      return {
        name: "preview-bench",
        kind: "rest",
        vault: "pv",
        // A literal that changes each time, as a keystroke in the editor changes the form.
        config: { base_url: `https://api.example.com/{{secrets.pv.k01}}/${"x".repeat(i % 50)}`, auth: { type: "bearer", token: "{{secrets.pv.k02}}" }, headers, timeout: "30s" },
      };
    };
    const out = [];
    (async () => {
      try {
        for (let i = 0; i < 220; i++) {
          const t0 = performance.now();
          const p = await invoke("preview_connector", { input: input(i), reveal: false, field: null });
          const t = performance.now() - t0;
          if (JSON.stringify(p).includes("value-")) throw new Error("a secret value reached the page");
          if (p.references.length !== 20) throw new Error(`${p.references.length} references`);
          if (i >= 20) out.push(t); // the first 20 warm up (login, read, templates compiled)
        }
        done(out);
      } catch (e) {
        done(String(e));
      }
    })();
  });
  await browser.deleteSession();
  if (typeof times === "string") throw new Error(`preview through the IPC failed: ${times}`);
  const s = [...times].sort((a, b) => a - b);
  const pct = (p) => s[Math.min(s.length - 1, Math.round((s.length - 1) * p))];
  previewFigures = { n: s.length, p50: pct(0.5), p95: pct(0.95) };
  console.log(
    `\nmasked preview of a 20-field connector through the IPC (${s.length} warm calls): ` +
      `p50 ${previewFigures.p50.toFixed(1)} ms, p95 ${previewFigures.p95.toFixed(1)} ms   (goal p95 ≤ 16 ms, issue 15)`,
  );
}

// Rows for tests/bench/all.sh's table (group, measure, value, unit, note), tab-separated.
const table = process.env.BENCH_TABLE;
if (table) {
  const row = (...cells) => appendFileSync(table, `${cells.join("\t")}\n`);
  for (const d of dirs) {
    row("app", `vault list shown, ${d.label}`, med(d, "list").toFixed(0), "ms", `median of ${runs}`);
    if (d.connectors > 0) {
      row("app", `Connectors shown after the click, ${d.label}`, med(d, "connectors").toFixed(0), "ms", `median of ${runs}`);
    }
    row("app", `total PSS on Connectors, ${d.label}`, (med(d, "pssConnectors") / 1024).toFixed(1), "MiB", `median of ${runs}`);
  }
  if (previewFigures) {
    const what = "masked preview of a 20-field connector through the IPC";
    row("app", `${what}, p95 (goal ≤ 16 ms)`, previewFigures.p95.toFixed(1), "ms", `${previewFigures.n} warm calls; debounce not included`);
    row("app", `${what}, p50`, previewFigures.p50.toFixed(1), "ms", `${previewFigures.n} warm calls`);
  }
}
process.exit(0);
