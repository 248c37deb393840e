//! Integration tests: the real server on SQLite and PostgreSQL (one binary keeps link time down).

mod helpers;

mod articles;
mod lifecycle;
mod pages;
mod reports;
