//! Corrigenda: a corrections and editorial-standards tracker for news publishers.
//!
//! Dependencies point one way, and `tests/api/architecture.rs` fails on any import against it:
//!
//! - `cli` and `web` (the entry points) use `config`, `mail`, `domain` and `db`;
//! - `mail` turns the domain's notices into outbox rows (mail, webhooks, chat alerts) and delivers
//!   them; it uses `domain` and `db`;
//! - `domain` holds the newsroom's rules and says what happened as typed notices; it uses `db` only;
//! - `db` is storage: connections, migrations, typed rows and their queries; it uses nothing above it;
//! - `error` (the one error type) and `clock` are leaves any layer may use;
//! - the `corrigenda-templates` crate renders views and depends on nothing of ours.

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod mail;
pub mod web;
