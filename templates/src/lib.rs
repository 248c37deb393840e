//! Corrigenda's views: pure functions from view structs to markup.
//!
//! Nothing here knows about the database or the web server; every view is a
//! function of plain data, so views are tested without either. maud escapes
//! every interpolated value, and reader text is never wrapped in `PreEscaped`.
//!
//! The view modules (`audit`, `channels`, `desk`, `desks`, `email`, `log`, `pages`, `responses`, `transparency`,
//! `webhooks`, `wordings`) each render one part of the site and never import from one another. What
//! several of them need lives below them: the page frame in `layout`, the view structs they
//! share in `article`, `forms`, `corrections` and `catalogue`, and the small
//! markup pieces in `partials`. Those shared modules import nothing from the
//! view modules. `imports_tests` checks both rules.

pub mod audit;
pub mod channels;
pub mod desk;
pub mod desks;
pub mod email;
pub mod layout;
pub mod log;
pub mod pages;
pub mod responses;
pub mod transparency;
pub mod webhooks;
pub mod wordings;

mod article;
mod catalogue;
mod corrections;
mod forms;
mod partials;

pub use audit::*;
pub use channels::*;
pub use desk::*;
pub use desks::*;
pub use email::{email_html, email_text, EmailView};
pub use layout::{Layout, StaffNav, STYLESHEET};
pub use log::*;
pub use pages::*;
pub use responses::*;
pub use transparency::*;
pub use webhooks::*;
pub use wordings::*;

#[cfg(test)]
mod audit_tests;
#[cfg(test)]
mod channels_tests;
#[cfg(test)]
mod desk_tests;
#[cfg(test)]
mod desks_tests;
#[cfg(test)]
mod imports_tests;
#[cfg(test)]
mod log_tests;
#[cfg(test)]
mod responses_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod transparency_tests;
#[cfg(test)]
mod webhooks_tests;
#[cfg(test)]
mod wordings_tests;
