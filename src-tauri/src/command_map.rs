//! Generates `ui/src/app-bindings/commands.ts`, the UI's typed map of every command (what it
//! sends, what it resolves to), from the list in `command_list.rs` and the Rust types' ts-rs
//! names, with the app's own types (`AppInfo`). Run by the bindings check only
//! (`tests/scripts/check-bindings.sh`: an ignored test), which fails when the committed files
//! differ.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Map, Value};
use tauri::ipc::Channel;
use ts_rs::TS;
use vaultdesk_core::connector::{ConnectorInput, ConnectorKind};
use vaultdesk_core::connector_probe::{ConnectorStageReport, ConnectorTestReport};
use vaultdesk_core::export::ExportFormat;
use vaultdesk_core::model::{LeaseRecord, LeaseState};
use vaultdesk_core::ops::{
    ConnectorSummary, DoctorReport, ExportResult, KindFields, LeaseOutcome, OidcLoginReport, RefreshReport,
    VaultSummary,
};
use vaultdesk_core::provider::{StageReport, TestReport};
use vaultdesk_core::render::Preview;
use vaultdesk_core::{SecretString, Vault, VaultInput};

use crate::vaults::AppInfo;

/// A type as the window sees it across the IPC.
trait Ipc {
    fn ts() -> String;
    /// The generated types it needs imported: TS name -> file (relative to the bindings dir).
    fn imports(_: &mut BTreeMap<String, String>) {}
}

macro_rules! via_ts_rs {
    ($($t:ty),* $(,)?) => {$(
        impl Ipc for $t {
            fn ts() -> String {
                <$t as TS>::name()
            }
            fn imports(out: &mut BTreeMap<String, String>) {
                if let Some(p) = <$t as TS>::output_path() {
                    out.insert(<$t as TS>::name(), p.display().to_string());
                }
            }
        }
    )*};
}

via_ts_rs!(
    AppInfo,
    ConnectorInput,
    ConnectorKind,
    ConnectorStageReport,
    ConnectorSummary,
    ConnectorTestReport,
    DoctorReport,
    ExportFormat,
    ExportResult,
    KindFields,
    LeaseOutcome,
    LeaseRecord,
    LeaseState,
    OidcLoginReport,
    Preview,
    RefreshReport,
    StageReport,
    TestReport,
    Vault,
    VaultInput,
    VaultSummary,
);

macro_rules! plain {
    ($($t:ty => $ts:literal),* $(,)?) => {$(
        impl Ipc for $t {
            fn ts() -> String {
                $ts.to_owned()
            }
        }
    )*};
}

// A SecretString crosses as a plain string (into Rust only; no command returns one).
plain!(String => "string", bool => "boolean", () => "null", SecretString => "string",
       Value => "unknown", Map<String, Value> => "Record<string, unknown>");

impl<T: Ipc> Ipc for Option<T> {
    fn ts() -> String {
        format!("{} | null", T::ts())
    }
    fn imports(out: &mut BTreeMap<String, String>) {
        T::imports(out);
    }
}

impl<T: Ipc> Ipc for Vec<T> {
    fn ts() -> String {
        format!("Array<{}>", T::ts())
    }
    fn imports(out: &mut BTreeMap<String, String>) {
        T::imports(out);
    }
}

impl<T: Ipc + tauri::ipc::IpcResponse> Ipc for Channel<T> {
    fn ts() -> String {
        format!("Channel<{}>", T::ts())
    }
    fn imports(out: &mut BTreeMap<String, String>) {
        T::imports(out);
    }
}

/// `role_id` -> `roleId`, as Tauri's IPC names arguments.
fn camel(name: &str) -> String {
    let mut out = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c == '_' {
            upper = true;
        } else if upper {
            out.extend(c.to_uppercase());
            upper = false;
        } else {
            out.push(c);
        }
    }
    out
}

struct Entry {
    name: &'static str,
    args: Vec<(String, String)>,
    result: String,
}

macro_rules! entries {
    ($($module:ident :: $name:ident ($($arg:ident : $ty:ty),* $(,)?) -> $ret:ty;)*) => {{
        let mut imports = BTreeMap::new();
        let mut entries = Vec::new();
        $(
            $( <$ty as Ipc>::imports(&mut imports); )*
            <$ret as Ipc>::imports(&mut imports);
            entries.push(Entry {
                name: stringify!($name),
                args: vec![$((camel(stringify!($arg)), <$ty as Ipc>::ts())),*],
                result: <$ret as Ipc>::ts(),
            });
        )*
        (entries, imports)
    }};
}

fn render() -> String {
    let (entries, imports) = app_commands!(entries);
    let mut out = String::from(
        "// Generated from src-tauri/src/command_list.rs by src-tauri/src/command_map.rs. Do not edit.\n\n\
         import type { Channel } from \"@tauri-apps/api/core\";\n",
    );
    for (name, path) in &imports {
        // Paths are relative to ui/src/bindings; this file lives in ui/src/app-bindings.
        let path = path.trim_end_matches(".ts");
        let from = match path.strip_prefix("../app-bindings/") {
            Some(own) => format!("./{own}"),
            None => format!("../bindings/{path}"),
        };
        out.push_str(&format!("import type {{ {name} }} from \"{from}\";\n"));
    }
    out.push_str("\n/** Every command the window may invoke: the arguments it sends and what it resolves to. */\nexport interface Commands {\n");
    for e in &entries {
        let args = if e.args.is_empty() {
            "Record<string, never>".to_owned()
        } else {
            let fields: Vec<String> = e.args.iter().map(|(n, t)| format!("{n}: {t}")).collect();
            format!("{{ {} }}", fields.join("; "))
        };
        out.push_str(&format!("  {}: {{ args: {args}; result: {} }};\n", e.name, e.result));
    }
    out.push_str("}\n\n/** Their names. */\nexport const COMMANDS = [\n");
    for e in &entries {
        out.push_str(&format!("  \"{}\",\n", e.name));
    }
    out.push_str("] as const satisfies ReadonlyArray<keyof Commands>;\n\nexport type Command = (typeof COMMANDS)[number];\n");
    out
}

#[test]
#[ignore = "writes files: run by tests/scripts/check-bindings.sh"]
fn export_bindings() {
    if let Err(e) = <AppInfo as TS>::export_all() {
        panic!("cannot export AppInfo: {e}");
    }
    let dir = std::env::var("TS_RS_EXPORT_DIR").unwrap_or_else(|_| "../ui/src/bindings".into());
    let target = Path::new(&dir).join("../app-bindings/commands.ts");
    if let Some(parent) = target.parent() {
        std::fs::create_dir_all(parent).expect("app-bindings dir");
    }
    std::fs::write(&target, render()).expect("write commands.ts");
}

#[test]
fn arguments_are_named_as_the_ipc_sends_them() {
    assert_eq!(camel("role_id"), "roleId");
    assert_eq!(camel("on_stage"), "onStage");
    assert_eq!(camel("name"), "name");
    let map = render();
    assert!(map.contains("test_vault: { args: { input: VaultInput; roleId: string | null;"), "{map}");
    assert!(map.contains("onStage: Channel<StageReport> }; result: TestReport | null };"), "{map}");
    assert!(map.contains("import type { VaultSummary } from \"./VaultSummary\";"), "{map}");
    assert!(map.contains("import type { Vault } from \"../bindings/Vault\";"), "{map}");
}
