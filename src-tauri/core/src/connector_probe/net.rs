//! The network stages every kind shares: resolve the host, open a TCP connection, and a TLS
//! handshake done here (rustls) so its outcome is a stage of its own with a named failure.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;

use super::{within, ConnectorError, ConnectorStage, Recorder};

/// Where a failure goes: the fields the host, port and CA came from.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    pub host: String,
    pub port: u16,
    /// The form field of the host (`config.host`, `config.base_url`...).
    pub host_field: String,
    pub timeout: Duration,
}

/// The DNS and TCP stages: the connection, or `None` once the failure and the skipped `rest`
/// (the stages after TCP) are recorded.
pub(crate) async fn reach(t: &Target, r: &mut Recorder<'_>, rest: &[ConnectorStage]) -> Option<TcpStream> {
    use std::time::Instant;
    let started = Instant::now();
    let addrs = match resolve(t).await {
        Ok(a) => a,
        Err(e) => {
            r.fail(ConnectorStage::Dns, started, &e);
            r.skip_rest(&[&[ConnectorStage::Tcp][..], rest].concat());
            return None;
        }
    };
    let list: Vec<String> = addrs.iter().map(|a| a.ip().to_string()).collect();
    r.pass(ConnectorStage::Dns, started, format!("{} → {}", t.host, list.join(", ")));
    let started = Instant::now();
    match connect(t, &addrs).await {
        Ok((stream, addr)) => {
            r.pass(ConnectorStage::Tcp, started, format!("connected to {addr}"));
            Some(stream)
        }
        Err(e) => {
            r.fail(ConnectorStage::Tcp, started, &e);
            r.skip_rest(rest);
            None
        }
    }
}

/// Resolves the host (an address resolves to itself).
pub(crate) async fn resolve(t: &Target) -> Result<Vec<SocketAddr>, ConnectorError> {
    let host = t.host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let port = t.port;
    let addrs = within(t.timeout, &format!("resolving {host}"), &t.host_field, async {
        tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| ConnectorError::DnsFailure { host: host.clone(), field: t.host_field.clone() })
    })
    .await?;
    let addrs: Vec<SocketAddr> = addrs.collect();
    if addrs.is_empty() {
        return Err(ConnectorError::DnsFailure { host, field: t.host_field.clone() });
    }
    Ok(addrs)
}

/// Connects to the first address that answers.
pub(crate) async fn connect(
    t: &Target,
    addrs: &[SocketAddr],
) -> Result<(TcpStream, SocketAddr), ConnectorError> {
    let mut last = None;
    for addr in addrs {
        let attempt =
            within(t.timeout, &format!("connecting to {}:{}", t.host, t.port), &t.host_field, async {
                TcpStream::connect(addr).await.map_err(|e| classify_io(t, &e))
            })
            .await;
        match attempt {
            Ok(s) => {
                let _ = s.set_nodelay(true);
                return Ok((s, *addr));
            }
            Err(e) => last = Some(e),
        }
    }
    Err(last
        .unwrap_or_else(|| ConnectorError::DnsFailure { host: t.host.clone(), field: t.host_field.clone() }))
}

fn classify_io(t: &Target, e: &std::io::Error) -> ConnectorError {
    match e.kind() {
        std::io::ErrorKind::ConnectionRefused => ConnectorError::ConnectionRefused {
            host: t.host.clone(),
            port: t.port,
            field: port_field(&t.host_field),
        },
        _ => ConnectorError::HostUnreachable {
            host: t.host.clone(),
            port: t.port,
            detail: e.to_string(),
            field: t.host_field.clone(),
        },
    }
}

/// A refused connection is the port's business unless the port is part of a URL.
fn port_field(host_field: &str) -> String {
    if host_field == "config.host" {
        "config.port".into()
    } else {
        host_field.to_owned()
    }
}

/// How much a handshake verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verify {
    /// Encryption only (tls_mode prefer / require): any certificate is accepted.
    None,
    /// The chain up to a trusted CA, whatever the host name (verify-ca).
    Chain,
    /// Chain and host name (verify-full, https).
    Full,
}

/// The trusted roots: the CA file's certificates only, or the system's.
fn roots(ca_file: Option<&str>, ca_field: &str) -> Result<RootCertStore, ConnectorError> {
    let mut store = RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let bytes = std::fs::read(path).map_err(|e| ConnectorError::TlsConfig {
                field: ca_field.to_owned(),
                detail: format!("cannot read CA certificate {path}: {e}"),
            })?;
            let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(&bytes)
                .collect::<Result<_, _>>()
                .map_err(|e| ConnectorError::TlsConfig {
                    field: ca_field.to_owned(),
                    detail: format!("{path} is not a PEM certificate: {e}"),
                })?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(ConnectorError::TlsConfig {
                    field: ca_field.to_owned(),
                    detail: format!("{path} holds no usable certificate"),
                });
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            store.add_parsable_certificates(found.certs);
        }
    }
    Ok(store)
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Verifies the chain, and the host name only when asked; with no WebPKI verifier (tls_mode
/// prefer / require) any certificate is accepted. Handshake signatures are always checked.
#[derive(Debug)]
struct Verifier {
    inner: Option<Arc<WebPkiServerVerifier>>,
    verify: Verify,
    provider: Arc<rustls::crypto::CryptoProvider>,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(inner) = &self.inner else { return Ok(ServerCertVerified::assertion()) };
        match inner.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.verify == Verify::Chain => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// A rustls client configuration for `verify` with the CA file (or the system roots).
pub(crate) fn client_config(
    verify: Verify,
    ca_file: Option<&str>,
    ca_field: &str,
) -> Result<Arc<rustls::ClientConfig>, ConnectorError> {
    let provider = provider();
    let config_err =
        |e: rustls::Error| ConnectorError::TlsConfig { field: ca_field.to_owned(), detail: e.to_string() };
    // Without verification the roots do not matter; an empty store would make WebPKI refuse
    // to build, so the system's are loaded only when they are used.
    let roots = if verify == Verify::None { None } else { Some(roots(ca_file, ca_field)?) };
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(config_err)?;
    let inner = match roots {
        None => None,
        Some(roots) if roots.is_empty() => {
            return Err(ConnectorError::TlsConfig {
                field: ca_field.to_owned(),
                detail: "no trusted CA certificate is available on this system".into(),
            })
        }
        Some(roots) => Some(
            WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone()).build().map_err(
                |e| ConnectorError::TlsConfig { field: ca_field.to_owned(), detail: e.to_string() },
            )?,
        ),
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier { inner, verify, provider }))
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// The handshake on `stream`, verified as `verify` asks; a failure is named.
pub(crate) async fn handshake(
    t: &Target,
    stream: TcpStream,
    verify: Verify,
    ca_file: Option<&str>,
    ca_field: &str,
) -> Result<TlsStream<TcpStream>, ConnectorError> {
    let config = client_config(verify, ca_file, ca_field)?;
    let host = t.host.trim_start_matches('[').trim_end_matches(']').to_owned();
    let name = ServerName::try_from(host.clone()).map_err(|_| ConnectorError::InvalidValue {
        field: t.host_field.clone(),
        detail: format!("\"{host}\" is not a host name TLS can verify"),
    })?;
    let connector = tokio_rustls::TlsConnector::from(config);
    within(t.timeout, "the TLS handshake", "config.tls_mode", async {
        connector.connect(name, stream).await.map_err(|e| classify_tls(t, ca_field, &e))
    })
    .await
}

fn classify_tls(t: &Target, ca_field: &str, e: &std::io::Error) -> ConnectorError {
    let host = t.host.clone();
    let rustls_error = e.get_ref().and_then(|inner| inner.downcast_ref::<rustls::Error>());
    match rustls_error {
        Some(rustls::Error::InvalidCertificate(c)) => match c {
            CertificateError::UnknownIssuer | CertificateError::BadSignature => {
                ConnectorError::TlsUnknownCa { host, field: ca_field.to_owned() }
            }
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                ConnectorError::TlsNameMismatch { host, field: t.host_field.clone() }
            }
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => ConnectorError::TlsExpired { host },
            other => ConnectorError::Tls { host, detail: format!("invalid certificate ({other:?})") },
        },
        Some(other) => ConnectorError::Tls { host, detail: other.to_string() },
        None if e.kind() == std::io::ErrorKind::UnexpectedEof => ConnectorError::Tls {
            host,
            detail: "the server closed the connection during the handshake".into(),
        },
        None => ConnectorError::Tls { host, detail: e.to_string() },
    }
}

/// One line on a finished handshake: protocol, cipher suite, what was verified.
pub(crate) fn describe(tls: &TlsStream<TcpStream>, verify: Verify, ca_file: Option<&str>) -> String {
    let conn = tls.get_ref().1;
    let version =
        conn.protocol_version().map_or_else(|| "TLS".to_owned(), |v| format!("{v:?}").replace('_', "."));
    let suite = conn.negotiated_cipher_suite().map(|s| format!("{:?}", s.suite())).unwrap_or_default();
    let verified = match (verify, ca_file) {
        (Verify::None, _) => {
            "certificate NOT verified (tls_mode does not ask): use verify-full to be sure of the server"
                .to_owned()
        }
        (Verify::Chain, Some(ca)) => {
            format!("certificate chain verified against {ca} (host name not checked)")
        }
        (Verify::Chain, None) => {
            "certificate chain verified against the system's roots (host name not checked)".into()
        }
        (Verify::Full, Some(ca)) => format!("certificate verified against {ca}"),
        (Verify::Full, None) => "certificate verified against the system's trusted roots".into(),
    };
    format!("{version}, {suite}; {verified}")
}
