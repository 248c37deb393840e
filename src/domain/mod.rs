//! The newsroom's rules: what a valid article, report and account is, and the steps on them.

/// Declares a closed set of values with their stored name and human label.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $value:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($variant),+ }

        impl $name {
            /// Every value, in display order.
            pub const ALL: &'static [Self] = &[$(Self::$variant),+];

            /// The value as stored and sent over the API.
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $value),+ }
            }

            /// The label shown to people.
            pub fn label(self) -> &'static str {
                match self { $(Self::$variant => $label),+ }
            }

            /// Parses a stored or sent value.
            pub fn parse(raw: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.as_str() == raw)
            }

            /// The allowed values, comma separated, for error messages.
            pub fn allowed() -> String {
                Self::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", ")
            }
        }
    };
}

pub mod accounts;
pub mod articles;
pub mod audit;
pub mod corrections;
pub mod demo;
pub mod desk;
pub mod diff;
pub mod erasure;
pub mod filters;
pub mod import;
pub mod log;
pub mod quote;
pub mod reports;
pub mod secrets;
pub mod sessions;
pub mod signing;
pub mod standards;
pub mod subscriptions;
pub mod text;
pub mod verify;
pub mod workflow;
