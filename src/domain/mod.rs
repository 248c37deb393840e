//! The newsroom's rules: what a valid article, report and account is, and the steps on them.

pub mod accounts;
pub mod articles;
pub mod audit;
pub mod bulk;
#[cfg(test)]
pub(crate) mod cases;
pub mod channels;
pub mod corrections;
pub mod demo;
pub mod desk;
pub mod desks;
pub mod diff;
pub mod erasure;
pub mod events;
pub mod filters;
pub mod ids;
pub mod import;
pub mod keys;
pub mod log;
pub mod notices;
pub mod quote;
pub mod reports;
pub mod responses;
pub mod routing;
pub mod secrets;
pub mod sessions;
pub mod signing;
pub mod standards;
pub mod stats;
pub mod subscriptions;
pub mod text;
pub mod time;
pub mod verify;
pub mod wordings;
pub mod words;
pub mod workflow;
