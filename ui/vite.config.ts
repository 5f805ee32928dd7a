import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vitest/config";

// The Tauri window loads ui/dist (custom-protocol builds) or this dev server (`tauri dev`,
// src-tauri/tauri.conf.json build.devUrl). Nothing here may need inline scripts or styles:
// the app's Content Security Policy forbids them. Svelte's component styles are emitted as
// CSS (vite-plugin-svelte's default emitCss), which the build bundles into one external
// stylesheet; nothing uses `style:` directives or transitions (both would write style attributes
// or inject <style>).
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: "localhost",
    // The header logo is icons/src/icon.svg, one level above this package.
    fs: { allow: [".", "../icons/src"] },
  },
  // Vitest mounts components in happy-dom: Svelte's browser build, not its server one.
  ...(process.env["VITEST"] ? { resolve: { conditions: ["browser"] } } : {}),
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK, WebView2 and WKWebView all support modulepreload natively.
    modulePreload: { polyfill: false },
    // Keep the logo a file rather than a data: URL; img-src allows both, 'self' is tidier.
    assetsInlineLimit: 0,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
