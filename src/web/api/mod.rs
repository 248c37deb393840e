//! The JSON API under `/api/v1`, one module per resource; [`super::openapi`] describes it.

pub mod articles;
pub mod audit;
pub mod channels;
pub mod corrections;
pub mod desk;
pub mod desks;
pub mod log;
pub mod reports;
pub mod responses;
pub mod stats;
pub mod wordings;

/// Largest desk request body.
const DESK_BODY_LIMIT: usize = 64 * 1024;
