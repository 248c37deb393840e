//! The HTML pages, for readers and for staff, one module per resource.

pub mod accounts;
pub mod audit;
pub mod channels;
pub mod corrections;
pub mod desk;
pub mod desks;
pub mod drafting;
pub mod embed;
pub mod erasure;
pub mod outbox;
pub mod public;
pub mod reports;
pub mod responses;
pub mod subscriptions;
pub mod transparency;
pub mod webhooks;
pub mod wordings;
