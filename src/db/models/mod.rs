//! Row structs, one module per table, and the queries on them.

mod users;
mod api_tokens;
mod articles;
mod reports;
mod events;
mod sessions;
mod login_failures;
mod ticket_views;
mod setup_tokens;
mod standards;
mod corrections;
mod log_entries;
mod outbox;

pub use users::*;
pub use api_tokens::*;
pub use articles::*;
pub use reports::*;
pub use events::*;
pub use sessions::*;
pub use login_failures::*;
pub use ticket_views::*;
pub use setup_tokens::*;
pub use standards::*;
pub use corrections::*;
pub use log_entries::*;
pub use outbox::*;
