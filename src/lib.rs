//! Corrigenda: a corrections and editorial-standards tracker for news publishers.

pub mod cli;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod error;
pub mod mail;
pub mod web;
