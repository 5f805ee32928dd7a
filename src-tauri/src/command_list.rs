// The app's commands, listed once. This file is included by `lib.rs`, which registers them
// (`tauri::generate_handler!`), and by `build.rs`, which declares them to Tauri's ACL and
// writes `capabilities/main.json` (the window may call these and nothing else) and
// `ui/src/app-bindings/commands.ts` (their names for the UI). Adding a command is one line here.
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            vaults::app_info,
            vaults::list_vaults,
            vaults::vault_defaults,
            vaults::add_vault,
            vaults::update_vault,
            vaults::remove_vault,
            vaults::test_vault,
            vaults::cancel_test,
            connectors::connector_kinds,
            connectors::list_connectors,
            connectors::compatible_vaults,
            connectors::prefill_connector,
            connectors::vault_keys,
            connectors::add_connector,
            connectors::update_connector,
            connectors::remove_connector,
            connectors::preview_connector,
            connectors::export_connector,
            connectors::export_all_connectors,
        }
    };
}
