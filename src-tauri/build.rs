//! Declares the app's own commands to Tauri's ACL. With an app manifest, a command that no
//! capability grants is refused at runtime, so `capabilities/main.json` is the single list of
//! what the window may call. Keep this list in step with `generate_handler!` in `src/lib.rs`.

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(&[
        "list_vaults",
        "app_info",
        "vault_defaults",
        "add_vault",
        "update_vault",
        "remove_vault",
        "test_vault",
        "cancel_test",
        "connector_kinds",
        "list_connectors",
        "compatible_vaults",
        "prefill_connector",
        "vault_keys",
        "add_connector",
        "update_connector",
        "remove_connector",
        "preview_connector",
        "export_connector",
        "export_all_connectors",
    ]);
    let attributes = tauri_build::Attributes::new().app_manifest(manifest);
    if let Err(error) = tauri_build::try_build(attributes) {
        // `{:#}` prints anyhow's whole cause chain, which names the offending file.
        panic!("tauri build step failed: {error:#}");
    }
}
