//! Fixtures shared by the test crates (and the benchmark): the real OpenBao server and its
//! audit log, PostgreSQL behind OpenBao's database engine, the private test keyring, and
//! waiting for events. Each crate includes this module with
//! `#[path = "../common/mod.rs"] mod common;` and uses what it needs.

#![allow(dead_code)]

pub mod audit;
pub mod bao;
pub mod keyring;
pub mod mariadb;
pub mod moto;
pub mod postgres;
pub mod tls_postgres;
pub mod wait;
