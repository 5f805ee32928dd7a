//! Login methods, one file each. Every method ends in the same place: a token and its lease
//! ([`super::token::AuthInfo`]) that the session holds, renews and revokes.

pub mod approle;
