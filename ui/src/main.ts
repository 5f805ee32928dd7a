// The vaultdesk window (./App.svelte). The recorder of page errors and CSP reports comes first,
// so it listens before anything else runs.

import "./lib/diagnostics";
import "./lib/tokens.css";
import "./styles.css";
import { mount } from "svelte";
import App from "./App.svelte";

const target = document.getElementById("app");
if (!target) throw new Error("index.html lacks #app");
mount(App, { target });
