import { defineConfig } from "vite";

// The Tauri window loads ui/dist (custom-protocol builds) or this dev server (`tauri dev`,
// src-tauri/tauri.conf.json build.devUrl). Nothing here may need inline scripts or styles:
// the app's Content Security Policy forbids them.
export default defineConfig({
  clearScreen: false,
  server: {
    port: 5173,
    strictPort: true,
    host: "localhost",
    // The header logo is icons/src/icon.svg, one level above this package.
    fs: { allow: [".", "../icons/src"] },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebKitGTK, WebView2 and WKWebView all support modulepreload natively.
    modulePreload: { polyfill: false },
    // Keep the logo a file rather than a data: URL; img-src allows both, 'self' is tidier.
    assetsInlineLimit: 0,
  },
});
