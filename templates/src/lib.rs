//! Corrigenda's views: pure functions from view structs to markup.
//!
//! Nothing here knows about the database or the web server; every view is a
//! function of plain data, so views are tested without either. maud escapes
//! every interpolated value, and reader text is never wrapped in `PreEscaped`.

pub mod layout;
pub mod pages;

pub use layout::{Layout, STYLESHEET};
pub use pages::*;

#[cfg(test)]
mod tests;
