//! Row structs, one module per table, and the queries on them.

mod api_tokens;
mod articles;
mod channels;
mod corrections;
mod events;
mod log_entries;
mod log_keys;
mod login_failures;
mod outbox;
mod reports;
mod saved_responses;
mod sessions;
mod setup_tokens;
mod standards;
mod ticket_views;
mod users;
mod webhooks;
mod wordings;

pub use api_tokens::*;
pub use articles::*;
pub use channels::*;
pub use corrections::*;
pub use events::*;
pub use log_entries::*;
pub use log_keys::*;
pub use login_failures::*;
pub use outbox::*;
pub use reports::*;
pub use saved_responses::*;
pub use sessions::*;
pub use setup_tokens::*;
pub use standards::*;
pub use ticket_views::*;
pub use users::*;
pub use webhooks::*;
pub use wordings::*;
