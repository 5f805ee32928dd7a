//! The TypeScript types of everything that crosses into the UI, generated from these Rust types
//! by ts-rs into `ui/src/bindings` (and `ui/src/app-bindings` for the list types the app shows).
//! Only the bindings check writes them (`bash tests/scripts/check-bindings.sh`, or `--write` to
//! update the committed files): a plain `cargo test` leaves the working tree alone.

#[cfg(test)]
mod tests {
    use ts_rs::TS;

    use crate::connector::{Connector, ConnectorInput, ConnectorKind, ConnectorPatch, FieldSpec, FieldType};
    use crate::connector_probe::{
        ConnectorErrorCode, ConnectorErrorInfo, ConnectorStage, ConnectorStageReport, ConnectorTestReport,
        TestOptions,
    };
    use crate::error::{ErrorCode, ErrorPayload};
    use crate::export::ExportFormat;
    use crate::model::{
        AuthMethod, EngineType, KeyringLocation, Provider, SecretIdStatus, TlsInput, TlsSpec, Vault,
        VaultInput, VaultPatch, VaultSpec,
    };
    use crate::model::{LeasePurpose, LeaseRecord, LeaseState};
    use crate::ops::{
        ConnectorSummary, DoctorReport, ExportResult, KindFields, LeaseOutcome, OidcLoginReport,
        RefreshReport, VaultSummary,
    };
    use crate::provider::vault::{
        StageReport, StageStatus, TestReport, TestStage, VaultErrorCode, VaultErrorInfo,
    };
    use crate::render::{Preview, ReferenceState};
    use crate::store::{CredentialsTarget, DoctorFinding, FindingKind};
    use crate::template::{Reference, RenderMode};
    use crate::validate::{FieldError, PathSegment};

    macro_rules! export {
        ($($t:ty),* $(,)?) => {$(
            if let Err(e) = <$t as TS>::export_all() {
                panic!("cannot export {}: {e}", stringify!($t));
            }
        )*};
    }

    #[test]
    #[ignore = "writes files: run by tests/scripts/check-bindings.sh"]
    fn export_bindings() {
        export!(
            Connector,
            ConnectorErrorCode,
            ConnectorErrorInfo,
            ConnectorInput,
            ConnectorStage,
            ConnectorStageReport,
            ConnectorTestReport,
            TestOptions,
            ConnectorKind,
            ConnectorPatch,
            FieldSpec,
            FieldType,
            ErrorCode,
            ErrorPayload,
            ExportFormat,
            AuthMethod,
            EngineType,
            KeyringLocation,
            Provider,
            TlsInput,
            TlsSpec,
            Vault,
            VaultInput,
            VaultPatch,
            VaultSpec,
            ConnectorSummary,
            ExportResult,
            KindFields,
            VaultSummary,
            StageReport,
            StageStatus,
            TestReport,
            TestStage,
            VaultErrorCode,
            VaultErrorInfo,
            Preview,
            ReferenceState,
            Reference,
            RenderMode,
            FieldError,
            PathSegment,
            DoctorReport,
            RefreshReport,
            OidcLoginReport,
            SecretIdStatus,
            DoctorFinding,
            FindingKind,
            CredentialsTarget,
            LeasePurpose,
            LeaseRecord,
            LeaseState,
            LeaseOutcome,
        );
    }
}
