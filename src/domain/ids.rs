//! Typed ids for what crosses module borders (notices, events), so a report's number is never
//! passed where a correction's is expected.

use serde::{Deserialize, Serialize};

macro_rules! id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id! {
    /// A report's number.
    ReportId
}

id! {
    /// A correction's number.
    CorrectionId
}

id! {
    /// A staff account's id.
    UserId
}

id! {
    /// A desk's id.
    DeskId
}
