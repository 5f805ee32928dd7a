//! One live connection to one vault: a token held in memory only and reused until shortly
//! before it expires (renewed when renewable, otherwise a new login), and the vault's secret
//! cached in memory for its cache TTL. Concurrent resolutions share one request; database
//! credentials are reused until the earlier of the cache TTL and the end of their lease, renewed
//! while in use, and revoked when dropped.

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use secrecy::SecretString;
use tokio::sync::OnceCell;

use super::database::DbCredentials;
use super::error::VaultError;
use super::http::{server_secs, VaultClient};
use super::kv::KvSecret;
use super::sys::Lease;
use super::token::AuthInfo;
use crate::model::{Credentials, EngineType, Vault, VaultSpec};
use crate::provider::hub::{LeaseEvent, LeaseEvents};
use crate::provider::IssuedLease;
use crate::sensitive::Sensitive;

/// How long database credentials serve a session when the vault's cache TTL is 0: bounded in
/// practice by the lease (renewed, then replaced before it ends) and by the session's token.
const DATABASE_SESSION_TTL: Duration = Duration::from_secs(24 * 3600);

/// The secret a vault configuration points at.
#[derive(Debug, Clone)]
pub enum SecretValue {
    Kv(KvSecret),
    Database(DbCredentials),
}

/// A resolved secret and its cache state.
#[derive(Debug)]
pub struct ResolvedSecret {
    pub value: SecretValue,
    /// When Vault was asked (for "fetched at" in previews).
    pub fetched_at: SystemTime,
    /// When the cached value stops being used; `None` with caching off.
    pub expires_at: Option<SystemTime>,
    expires: Instant,
    /// The end of the cache TTL, which lease renewals cannot extend.
    ttl_deadline: Instant,
}

impl ResolvedSecret {
    /// A secret read just now, kept for `ttl` (zero: not cached), for providers without leases.
    pub(crate) fn read_now(value: SecretValue, ttl: Duration) -> ResolvedSecret {
        let now = Instant::now();
        ResolvedSecret {
            value,
            fetched_at: SystemTime::now(),
            expires_at: (!ttl.is_zero()).then(|| SystemTime::now() + ttl),
            expires: now + ttl,
            ttl_deadline: now + ttl,
        }
    }

    /// Whether the cached value may still be used.
    pub(crate) fn is_fresh(&self) -> bool {
        Instant::now() < self.expires
    }

    /// The secret as templates see it: a KV secret's data, or a database engine's credentials
    /// object `{username, password, lease_id, lease_duration, renewable}`.
    pub fn json(&self) -> Sensitive<serde_json::Value> {
        Sensitive::new(match &self.value {
            SecretValue::Kv(kv) => serde_json::Value::Object(kv.data.expose().clone()),
            SecretValue::Database(c) => serde_json::json!({
                "username": c.username,
                "password": c.password.expose(),
                "lease_id": c.lease.id,
                "lease_duration": c.lease.duration.as_secs(),
                "renewable": c.lease.renewable,
            }),
        })
    }

    /// A KV secret's version (0 for KV v1) and number of top-level keys; `None` for database
    /// credentials.
    pub fn kv_version_and_keys(&self) -> Option<(u64, usize)> {
        match &self.value {
            SecretValue::Kv(kv) => Some((kv.version, kv.data.expose().len())),
            SecretValue::Database(_) => None,
        }
    }

    pub fn expires_in(&self) -> Option<Duration> {
        self.expires.checked_duration_since(Instant::now())
    }
    fn lease(&self) -> Option<&Lease> {
        match &self.value {
            SecretValue::Database(c) if !c.lease.id.is_empty() => Some(&c.lease),
            _ => None,
        }
    }

    /// The lease of leased credentials (lease id, user name, duration), without the password.
    pub fn issued_lease(&self) -> Option<IssuedLease> {
        match &self.value {
            SecretValue::Database(c) if !c.lease.id.is_empty() => Some(IssuedLease {
                lease_id: c.lease.id.clone(),
                username: c.username.clone(),
                duration: c.lease.duration,
                renewable: c.lease.renewable,
            }),
            _ => None,
        }
    }
}

/// Counts of what this session asked Vault, for tests and benchmarks.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct SessionStats {
    pub logins: u64,
    pub token_renewals: u64,
    pub reads: u64,
    pub lease_renewals: u64,
    pub lease_revocations: u64,
}

#[derive(Default)]
struct Counters {
    logins: AtomicU64,
    token_renewals: AtomicU64,
    reads: AtomicU64,
    lease_renewals: AtomicU64,
    lease_revocations: AtomicU64,
}

struct Token {
    value: SecretString,
    generation: u64,
    /// When it expires; `None` for a token without TTL.
    deadline: Option<Instant>,
    /// When to stop using it as is (renew or log in again).
    refresh_at: Option<Instant>,
    renewable: bool,
    /// vaultdesk logged in for it (revoked when replaced or done); a token the admin gave is
    /// never revoked.
    owned: bool,
}

impl Token {
    fn new(auth: AuthInfo, generation: u64, fixed_margin: Option<Duration>, owned: bool) -> Token {
        let now = Instant::now();
        let (deadline, refresh_at) = if auth.lease_duration == 0 {
            (None, None)
        } else {
            let ttl = server_secs(auth.lease_duration);
            (Some(now + ttl), Some(now + ttl - margin(ttl, fixed_margin)))
        };
        Token { value: auth.client_token, generation, deadline, refresh_at, renewable: auth.renewable, owned }
    }
}

/// How long before the end of a token or lease it is replaced: a tenth of its life, between 1s
/// and 60s.
fn safety_margin(life: Duration) -> Duration {
    (life / 10).clamp(Duration::from_secs(1), Duration::from_secs(60)).min(life / 2)
}

/// The safety margin of `life`, or `fixed` (at most `life`) when the session sets one.
fn margin(life: Duration, fixed: Option<Duration>) -> Duration {
    fixed.map_or_else(|| safety_margin(life), |m| m.min(life))
}

/// One generation of the cached secret. `retired` is the generation it replaces: whoever
/// initialises the cell renews its lease or revokes it, exactly once.
struct Slot {
    cell: OnceCell<Result<Arc<ResolvedSecret>, VaultError>>,
    retired: Option<Arc<ResolvedSecret>>,
}

pub struct VaultSession {
    spec: VaultSpec,
    pub(crate) updated_at: String,
    client: VaultClient,
    /// The same connection speaking to the login namespace: login and the token's own
    /// operations (renew, revoke, look up).
    login_client: VaultClient,
    creds: Credentials,
    token: tokio::sync::Mutex<Option<Token>>,
    generation: AtomicU64,
    slot: Mutex<Option<Arc<Slot>>>,
    /// Leases of credentials handed out with caching off; revoked (with the token) on close.
    loose_leases: Mutex<Vec<String>>,
    /// Every lease issued with a held token and not known to have ended, with the token's
    /// generation: revoking that token ends them (kept credentials are not here).
    issued: Mutex<Vec<(u64, String)>>,
    /// Where renewals and revocations made on the session's own are reported.
    events: Option<LeaseEvents>,
    counters: Counters,
    /// Replaces the default safety margin (see [`VaultSession::with_refresh_margin`]).
    refresh_margin: Option<Duration>,
}

impl std::fmt::Debug for VaultSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VaultSession").field("vault", &self.spec.name).finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic elsewhere cannot leave these maps in a state worse than stale; keep going.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl VaultSession {
    pub fn new(vault: &Vault, creds: impl Into<Credentials>) -> Result<VaultSession, VaultError> {
        let creds = creds.into();
        let client = VaultClient::new(&vault.spec)?;
        Ok(VaultSession {
            login_client: client.in_namespace(super::auth::login_namespace(&vault.spec)),
            client,
            spec: vault.spec.clone(),
            updated_at: vault.updated_at.clone(),
            creds,
            token: tokio::sync::Mutex::new(None),
            generation: AtomicU64::new(0),
            slot: Mutex::new(None),
            loose_leases: Mutex::new(Vec::new()),
            issued: Mutex::new(Vec::new()),
            events: None,
            counters: Counters::default(),
            refresh_margin: None,
        })
    }

    /// Renews or replaces tokens and leases once no more than `margin` of their life is left,
    /// instead of a tenth of it (between 1s and 60s). Tests use it to reach the refresh point
    /// of long-lived tokens and leases at once, with the rest of their life as slack.
    pub fn with_refresh_margin(mut self, margin: Duration) -> VaultSession {
        self.refresh_margin = Some(margin);
        self
    }

    /// Reports renewals and revocations the session makes on its own to `events`.
    pub fn with_lease_events(mut self, events: LeaseEvents) -> VaultSession {
        self.events = Some(events);
        self
    }

    fn report(&self, event: LeaseEvent) {
        if let Some(e) = &self.events {
            lock(e).push(event);
        }
    }

    /// `lease_id` ended: no longer tracked, and reported.
    fn ended(&self, lease_id: &str) {
        lock(&self.issued).retain(|(_, id)| id != lease_id);
        self.report(LeaseEvent::Revoked { lease_id: lease_id.to_owned() });
    }

    /// The token of `generation` was revoked: every lease it issued ended with it.
    fn token_revoked(&self, generation: u64) {
        let gone: Vec<String> = {
            let mut issued = lock(&self.issued);
            let (gone, kept): (Vec<_>, Vec<_>) = issued.drain(..).partition(|(g, _)| *g == generation);
            *issued = kept;
            gone.into_iter().map(|(_, id)| id).collect()
        };
        for id in gone {
            self.report(LeaseEvent::Revoked { lease_id: id });
        }
    }

    pub fn spec(&self) -> &VaultSpec {
        &self.spec
    }

    pub fn client(&self) -> &VaultClient {
        &self.client
    }

    /// The client of the login namespace (the same as [`VaultSession::client`] without one).
    pub fn login_client(&self) -> &VaultClient {
        &self.login_client
    }

    pub fn stats(&self) -> SessionStats {
        let c = &self.counters;
        SessionStats {
            logins: c.logins.load(Ordering::Relaxed),
            token_renewals: c.token_renewals.load(Ordering::Relaxed),
            reads: c.reads.load(Ordering::Relaxed),
            lease_renewals: c.lease_renewals.load(Ordering::Relaxed),
            lease_revocations: c.lease_revocations.load(Ordering::Relaxed),
        }
    }

    /// A usable token: the held one, renewed or replaced when it is about to expire.
    async fn token(&self) -> Result<(SecretString, u64), VaultError> {
        let mut held = self.token.lock().await;
        let now = Instant::now();
        if let Some(t) = held.as_ref() {
            if t.refresh_at.is_none_or(|r| now < r) {
                return Ok((t.value.clone(), t.generation));
            }
            if t.renewable && t.deadline.is_some_and(|d| now < d) {
                if let Ok(auth) = self.login_client.renew_self(&t.value).await {
                    self.counters.token_renewals.fetch_add(1, Ordering::Relaxed);
                    // A renewal capped by the token's max TTL buys little (it is due for
                    // renewal again at once); log in then.
                    let secs = auth.lease_duration;
                    let renewed = Token::new(auth, t.generation, self.refresh_margin, t.owned);
                    if secs >= 2 && renewed.refresh_at.is_none_or(|r| r > Instant::now()) {
                        let generation = renewed.generation;
                        let value = renewed.value.clone();
                        *held = Some(renewed);
                        return Ok((value, generation));
                    }
                }
            }
        }
        let login = self.login_client.login(&self.spec, &self.creds).await?;
        self.counters.logins.fetch_add(1, Ordering::Relaxed);
        let generation = self.generation.fetch_add(1, Ordering::Relaxed) + 1;
        let token = Token::new(login.auth, generation, self.refresh_margin, login.owned);
        let value = token.value.clone();
        // A replaced token of vaultdesk's that is still alive is revoked, and with it the leases
        // it created (cached credentials never outlive the token's refresh point, so none is in
        // use). The admin's own token is left alone.
        if let Some(old) = held.replace(token) {
            if old.owned
                && old.deadline.is_none_or(|d| Instant::now() < d)
                && self.login_client.revoke_self(&old.value).await.is_ok()
            {
                self.token_revoked(old.generation);
            }
        }
        Ok((value, generation))
    }

    /// Gives up the token of `generation` (if still held): it is revoked first, so a token that
    /// only looked dead is not left alive behind the new login.
    async fn retire_token(&self, generation: u64) {
        let mut held = self.token.lock().await;
        if held.as_ref().is_some_and(|t| t.generation == generation) {
            if let Some(old) = held.take().filter(|t| t.owned) {
                if self.login_client.revoke_self(&old.value).await.is_ok() {
                    self.token_revoked(old.generation);
                }
            }
        }
    }

    /// Runs `request` with a token. A refusal that a stale token would explain (expired or
    /// revoked) is checked with `lookup-self`: a live token means a real denial, reported as is.
    /// Only a 403 from the lookup means the token is dead: it is revoked (in case it was not)
    /// and replaced by one fresh login for one retry, and a second refusal is the answer. A
    /// lookup that fails otherwise (server error, rate limit, timeout) is reported as such.
    async fn authed<T, F, Fut>(&self, request: F) -> Result<T, VaultError>
    where
        F: Fn(SecretString) -> Fut,
        Fut: Future<Output = Result<T, VaultError>>,
    {
        let (token, generation) = self.token().await?;
        match request(token.clone()).await {
            Err(e) if e.may_be_stale_token() => match self.login_client.lookup_self(&token).await {
                Ok(_) => Err(e),
                Err(VaultError::PermissionDenied { .. }) => {
                    self.retire_token(generation).await;
                    let (token, _) = self.token().await?;
                    request(token).await
                }
                Err(lookup_failed) => Err(lookup_failed),
            },
            other => other,
        }
    }

    /// The vault's secret: from the cache while fresh, else from Vault (one request shared by
    /// all concurrent callers).
    ///
    /// Cache TTL 0 reads a KV secret every time. Database credentials are the exception: each
    /// read creates a database user, so with TTL 0 a session (an editor, a command) keeps its one
    /// set while the lease allows — a live preview never creates a user per keystroke pause —
    /// and an export still gets its own ([`VaultSession::resolve_kept`]).
    pub async fn resolve(&self) -> Result<Arc<ResolvedSecret>, VaultError> {
        let mut ttl = Duration::from_secs(self.spec.cache_ttl_secs);
        if ttl.is_zero() && self.spec.engine_type.is_database() {
            ttl = DATABASE_SESSION_TTL;
        }
        if ttl.is_zero() {
            let fresh = self.fetch(ttl).await?;
            if let Some(lease) = fresh.lease() {
                lock(&self.loose_leases).push(lease.id.clone());
            }
            return Ok(fresh);
        }
        let now = Instant::now();
        let slot = {
            let mut current = lock(&self.slot);
            match current.as_ref() {
                Some(slot) if slot_usable(slot, now) => slot.clone(),
                _ => {
                    let retired =
                        current.as_ref().and_then(|s| s.cell.get().and_then(|r| r.as_ref().ok().cloned()));
                    let fresh = Arc::new(Slot { cell: OnceCell::new(), retired });
                    *current = Some(fresh.clone());
                    fresh
                }
            }
        };
        let result = slot
            .cell
            .get_or_init(|| async {
                // Database credentials whose cache TTL still runs are renewed, not replaced.
                if let Some(old) = &slot.retired {
                    if let Some(renewed) = self.try_renew(old).await {
                        return Ok(renewed);
                    }
                }
                let fresh = self.fetch(ttl).await;
                if let (Some(old), Ok(_)) = (&slot.retired, &fresh) {
                    self.revoke(old).await;
                }
                fresh
            })
            .await
            .clone();
        if result.is_err() {
            let mut current = lock(&self.slot);
            if current.as_ref().is_some_and(|c| Arc::ptr_eq(c, &slot)) {
                *current = None;
            }
        }
        result
    }

    async fn try_renew(&self, old: &Arc<ResolvedSecret>) -> Option<Arc<ResolvedSecret>> {
        let lease = old.lease()?;
        let now = Instant::now();
        if !lease.renewable || now >= old.ttl_deadline {
            return None;
        }
        let wanted = old.ttl_deadline.saturating_duration_since(now);
        let id = lease.id.clone();
        let renewed = self.authed(|t| {
            let id = id.clone();
            async move { self.client.renew_lease(&t, &id, wanted).await }
        });
        let renewed = renewed.await.ok()?;
        self.counters.lease_renewals.fetch_add(1, Ordering::Relaxed);
        self.report(LeaseEvent::Renewed {
            lease_id: id.clone(),
            duration: renewed.duration,
            at: SystemTime::now(),
        });
        if renewed.duration.is_zero() {
            return None;
        }
        let SecretValue::Database(creds) = &old.value else { return None };
        let mut creds = creds.clone();
        let lease_end = now + renewed.duration - margin(renewed.duration, self.refresh_margin);
        creds.lease = renewed;
        let mut expires = lease_end.min(old.ttl_deadline);
        if let Some(refresh) = self.token_refresh_at().await {
            expires = expires.min(refresh);
        }
        if expires <= now {
            return None;
        }
        Some(Arc::new(ResolvedSecret {
            value: SecretValue::Database(creds),
            fetched_at: old.fetched_at,
            expires_at: SystemTime::now().checked_add(expires - now),
            expires,
            ttl_deadline: old.ttl_deadline,
        }))
    }

    /// When the held token is next renewed or replaced; leases it created die with it, so
    /// cached credentials are not used past this point. `None` for a token without expiry.
    async fn token_refresh_at(&self) -> Option<Instant> {
        self.token.lock().await.as_ref().and_then(|t| t.refresh_at)
    }

    async fn fetch(&self, ttl: Duration) -> Result<Arc<ResolvedSecret>, VaultError> {
        let mount = self.spec.engine_name.as_str();
        let fetched = Instant::now();
        let value = match self.spec.engine_type {
            kv @ (EngineType::Kv1 | EngineType::Kv2) => {
                let path = self.spec.path.as_deref().unwrap_or_default();
                let read = self
                    .authed(|t| async move {
                        if kv == EngineType::Kv1 {
                            self.client.kv1_read(&t, mount, path).await
                        } else {
                            self.client.kv2_read(&t, mount, path, self.spec.kv_version).await
                        }
                    })
                    .await;
                self.counters.reads.fetch_add(1, Ordering::Relaxed);
                match read {
                    Ok(s) => SecretValue::Kv(s),
                    Err(VaultError::SecretNotFound { path: p }) => {
                        return Err(self.explain_not_found(p).await)
                    }
                    Err(e) => return Err(e),
                }
            }
            _ => {
                let role = self.spec.db_role.as_deref().unwrap_or_default();
                let creds = self.authed(|t| async move { self.client.db_creds(&t, mount, role).await }).await;
                self.counters.reads.fetch_add(1, Ordering::Relaxed);
                let creds = creds?;
                let generation = self.token.lock().await.as_ref().map_or(0, |t| t.generation);
                if !creds.lease.id.is_empty() {
                    lock(&self.issued).push((generation, creds.lease.id.clone()));
                }
                SecretValue::Database(creds)
            }
        };
        let ttl_deadline = fetched + ttl;
        let mut expires = ttl_deadline;
        if let SecretValue::Database(c) = &value {
            if !c.lease.duration.is_zero() {
                let lease = c.lease.duration;
                expires = expires.min(fetched + lease - margin(lease, self.refresh_margin));
            }
            // Vault revokes a token's leases when the token ends.
            if let Some(refresh) = self.token_refresh_at().await {
                expires = expires.min(refresh);
            }
        }
        let caching = !ttl.is_zero();
        Ok(Arc::new(ResolvedSecret {
            value,
            fetched_at: SystemTime::now(),
            expires_at: caching
                .then(|| SystemTime::now() + expires.saturating_duration_since(Instant::now())),
            expires,
            ttl_deadline,
        }))
    }

    /// Where a database engine's connection points (`MOUNT/config/CONNECTION`: plugin, host,
    /// port, database; never its credentials), for pre-filling a connector; `None` for a KV
    /// vault or one without a connection name.
    pub async fn connection_details(&self) -> Result<Option<super::database::DbConnectionInfo>, VaultError> {
        let (true, Some(conn)) = (self.spec.engine_type.is_database(), self.spec.connection_name.as_deref())
        else {
            return Ok(None);
        };
        let mount = self.spec.engine_name.as_str();
        self.authed(|t| async move { self.client.db_connection(&t, mount, conn).await }).await.map(Some)
    }

    /// Key names (never values) of what [`VaultSession::resolve`] returns, as nested objects with
    /// `null` leaves: a KV secret's through the subkeys endpoint (not cached: it serves
    /// autocomplete and pre-filling), a database engine's fixed credential names.
    pub async fn key_names(&self) -> Result<serde_json::Value, VaultError> {
        if self.spec.engine_type.is_database() {
            let keys = ["username", "password", "lease_id", "lease_duration", "renewable"];
            return Ok(serde_json::Value::Object(
                keys.iter().map(|k| ((*k).to_owned(), serde_json::Value::Null)).collect(),
            ));
        }
        self.subkeys().await
    }

    /// Key names (never values) of the vault's KV secret, as nested objects with `null` leaves,
    /// through the subkeys endpoint; not cached (it serves autocomplete and pre-filling).
    pub async fn subkeys(&self) -> Result<serde_json::Value, VaultError> {
        let mount = self.spec.engine_name.as_str();
        let path = self.spec.path.as_deref().unwrap_or_default();
        if self.spec.engine_type == EngineType::Kv1 {
            // KV v1 has no subkeys endpoint: the names come from a read, the values are dropped.
            let read = self.authed(|t| async move { self.client.kv1_read(&t, mount, path).await }).await;
            return match read {
                Ok(s) => Ok(super::kv::key_names_of(s.data.expose())),
                Err(VaultError::SecretNotFound { path: p }) => Err(self.explain_not_found(p).await),
                Err(e) => Err(e),
            };
        }
        match self.authed(|t| async move { self.client.kv2_subkeys(&t, mount, path).await }).await {
            Err(VaultError::SecretNotFound { path: p }) => Err(self.explain_not_found(p).await),
            other => other,
        }
    }

    /// A KV read that found nothing: say whether the mount is another KV version, or not KV.
    pub(crate) async fn explain_not_found(&self, path: String) -> VaultError {
        let mount = self.spec.engine_name.as_str();
        let info = self.authed(|t| async move { self.client.mount_info(&t, mount).await }).await;
        match info {
            Ok(m) => {
                kv_mismatch(mount, self.spec.engine_type, &m).unwrap_or(VaultError::SecretNotFound { path })
            }
            Err(_) => VaultError::SecretNotFound { path },
        }
    }

    async fn revoke(&self, secret: &ResolvedSecret) {
        if let Some(lease) = secret.lease() {
            self.revoke_lease(&lease.id).await;
        }
    }

    pub(crate) async fn revoke_lease(&self, id: &str) {
        let id = id.to_owned();
        let done = self
            .authed(|t| {
                let id = id.clone();
                async move { self.client.revoke_lease(&t, &id).await }
            })
            .await;
        if done.is_ok() {
            self.counters.lease_revocations.fetch_add(1, Ordering::Relaxed);
            self.ended(&id);
        }
    }

    /// Credentials for a file that keeps them (export, render): a database engine's are issued
    /// with a login of their own whose token is never revoked by this session, so they live
    /// until their lease (or that token) ends, whatever happens to the session's cache and
    /// token; they are not cached. A KV secret comes through the cache.
    pub async fn resolve_kept(&self) -> Result<Arc<ResolvedSecret>, VaultError> {
        if !self.spec.engine_type.is_database() {
            return self.resolve().await;
        }
        // With the admin's own token (token login, a remembered OIDC sign-in) that token serves:
        // it is never revoked by vaultdesk either.
        let auth = self.login_client.login(&self.spec, &self.creds).await?.auth;
        self.counters.logins.fetch_add(1, Ordering::Relaxed);
        let mount = self.spec.engine_name.as_str();
        let role = self.spec.db_role.as_deref().unwrap_or_default();
        let creds = self.client.db_creds(&auth.client_token, mount, role).await;
        self.counters.reads.fetch_add(1, Ordering::Relaxed);
        let now = Instant::now();
        Ok(Arc::new(ResolvedSecret {
            value: SecretValue::Database(creds?),
            fetched_at: SystemTime::now(),
            expires_at: None,
            expires: now,
            ttl_deadline: now,
        }))
    }

    /// Extends `lease_id` by `increment` with the session's token; the new duration from now.
    /// A policy without `update` on `sys/leases/renew` is named as such.
    pub async fn renew_lease_now(&self, lease_id: &str, increment: Duration) -> Result<Duration, VaultError> {
        let renewed = self
            .authed(|t| async move { self.client.renew_lease(&t, lease_id, increment).await })
            .await
            .map_err(|e| lease_denied(e, "renew"))?;
        self.counters.lease_renewals.fetch_add(1, Ordering::Relaxed);
        Ok(renewed.duration)
    }

    /// Revokes `lease_id` at once with the session's token, dropping cached credentials of that
    /// lease (the next use gets new ones). A policy without `update` on `sys/leases/revoke` is
    /// named as such.
    ///
    /// A revocation the secrets engine failed to carry out (a 400 or 5xx: the database's
    /// revocation statements failed, e.g. PostgreSQL's "tuple concurrently updated" while
    /// another session changes roles) is tried once more after a pause: revoking is idempotent.
    pub async fn revoke_lease_now(&self, lease_id: &str) -> Result<(), VaultError> {
        let revoke = || self.authed(|t| async move { self.client.revoke_lease(&t, lease_id).await });
        let done = match revoke().await {
            Err(VaultError::BadRequest { .. } | VaultError::Server { .. }) => {
                tokio::time::sleep(Duration::from_millis(500)).await;
                revoke().await
            }
            other => other,
        };
        done.map_err(|e| lease_denied(e, "revoke"))?;
        self.counters.lease_revocations.fetch_add(1, Ordering::Relaxed);
        {
            let mut slot = lock(&self.slot);
            let holds = slot.as_ref().is_some_and(|s| {
                s.cell
                    .get()
                    .and_then(|r| r.as_ref().ok())
                    .and_then(|c| c.lease())
                    .is_some_and(|l| l.id == lease_id)
            });
            if holds {
                *slot = None;
            }
        }
        lock(&self.loose_leases).retain(|id| id != lease_id);
        lock(&self.issued).retain(|(_, id)| id != lease_id);
        Ok(())
    }

    /// Drops the cache and the token, revoking every lease handed out: revoking the session's
    /// token revokes all leases it created (and needs no policy beyond the default one). Called
    /// when the vault is updated or removed, and when the app or CLI is done with it. A token the
    /// admin gave is not revoked: its leases are, one by one (which needs `sys/leases/revoke`).
    pub async fn close(&self) {
        let cached = lock(&self.slot).take();
        let mut leases: Vec<String> = std::mem::take(&mut *lock(&self.loose_leases));
        if let Some(lease) = cached
            .and_then(|c| c.cell.get().and_then(|r| r.as_ref().ok().cloned()))
            .and_then(|s| s.lease().map(|l| l.id.clone()))
        {
            leases.push(lease);
        }
        let token = self.token.lock().await.take();
        let Some(token) = token else { return };
        // Revoking a lease takes effect at once (when the policy allows `sys/leases/revoke`);
        // revoking the token then ends every lease it created, explicitly revoked or not, in
        // Vault's background revocation.
        let mut ended = 0;
        for id in &leases {
            if self.client.revoke_lease(&token.value, id).await.is_ok() {
                ended += 1;
                self.ended(id);
            }
        }
        if token.owned && self.login_client.revoke_self(&token.value).await.is_ok() {
            ended = leases.len();
            self.token_revoked(token.generation);
        }
        self.counters.lease_revocations.fetch_add(ended as u64, Ordering::Relaxed);
    }
}

/// A refusal of `sys/leases/<operation>` named as the policy's, not as a read denial.
fn lease_denied(e: VaultError, operation: &'static str) -> VaultError {
    match e {
        VaultError::PermissionDenied { .. } => VaultError::LeaseDenied { operation },
        other => other,
    }
}

fn slot_usable(slot: &Slot, now: Instant) -> bool {
    match slot.cell.get() {
        None => true, // in flight: share it
        Some(Ok(s)) => now < s.expires,
        Some(Err(_)) => false,
    }
}

/// Whether what is mounted at `mount` (`info`) is not the KV version `configured`: the named
/// error, with the engine type to choose when it is the other KV version.
pub(crate) fn kv_mismatch(
    mount: &str,
    configured: EngineType,
    info: &super::sys::MountInfo,
) -> Option<VaultError> {
    let expected = if configured == EngineType::Kv1 { "KV version 1" } else { "KV version 2" };
    let err = |found: String, suggest: Option<&str>| VaultError::WrongKvEngine {
        mount: mount.to_owned(),
        expected: expected.to_owned(),
        found,
        suggest: suggest.map(str::to_owned),
    };
    match (info.kind.as_str(), info.version.as_deref()) {
        ("kv", Some("2")) if configured == EngineType::Kv1 => {
            Some(err("it is KV version 2".into(), Some("kv2")))
        }
        ("kv", v) if configured == EngineType::Kv2 && v != Some("2") => {
            Some(err(format!("it is KV version {}", v.unwrap_or("1")), Some("kv1")))
        }
        ("kv", _) | ("", _) => None,
        (kind, _) => Some(err(format!("it is a {kind} engine"), None)),
    }
}
