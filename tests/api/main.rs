//! Integration tests: the real server on SQLite and PostgreSQL (one binary keeps link time down).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod approvals;
mod architecture;
mod articles;
mod caching;
mod corrections;
mod desk;
mod drafting;
mod exits;
mod grouped;
mod integrity;
mod lifecycle;
mod mail;
mod openapi;
mod pages;
mod parity;
mod plans;
mod privacy;
mod reader;
mod reports;
mod responses;
mod smtp;
mod stats;
mod transparency;
mod wordings;
mod workflow;
