//! Integration tests: the real server on SQLite and PostgreSQL (one binary keeps link time down).

// Test code: a panic is the failure report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod access;
mod approvals;
mod architecture;
mod articles;
mod backup;
mod caching;
mod channels;
mod corrections;
mod crash;
mod desk;
mod desk_notices;
mod desk_pages;
mod desks;
mod drafting;
mod embed;
mod exits;
mod gaps;
mod grouped;
mod hostile;
mod instances;
mod integrity;
mod lifecycle;
mod limits;
mod logs;
mod mail;
mod openapi;
mod operations;
mod outage;
mod pages;
mod parity;
mod plans;
mod privacy;
mod reader;
mod reports;
mod responses;
mod retention;
mod rotation;
mod smtp;
mod startup;
mod stats;
mod transparency;
mod webhooks;
mod wordings;
mod workflow;
