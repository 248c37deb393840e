//! The HTML pages, for readers and for staff, one module per resource.

pub mod audit;
pub mod corrections;
pub mod desk;
pub mod drafting;
pub mod reports;
pub mod subscriptions;
