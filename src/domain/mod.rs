//! The newsroom's rules: what a valid article, report and account is, and the steps on them.

pub mod accounts;
pub mod articles;
pub mod demo;
pub mod desk;
pub mod import;
pub mod quote;
pub mod reports;
pub mod secrets;
pub mod sessions;
pub mod text;
pub mod workflow;
