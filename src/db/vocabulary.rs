//! The closed sets of values stored in text columns, read and written as Rust enums.
//!
//! An unknown value in the database is a deserialisation error that names the column's
//! type and the value, never a silent default.

use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::MultiBackend;

/// Declares a closed set of values with their stored name and human label, stored as text.
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $value:literal, $label:literal;)+ }) => {
        $(#[$meta])*
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema,
            diesel::expression::AsExpression, diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = Text)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

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

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl ToSql<Text, MultiBackend> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
                out.set_value((Text, self.as_str()));
                Ok(IsNull::No)
            }
        }

        // Inserts go through each backend's own bind collector.
        impl ToSql<Text, diesel::pg::Pg> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
                <str as ToSql<Text, diesel::pg::Pg>>::to_sql(self.as_str(), &mut out.reborrow())
            }
        }

        impl ToSql<Text, diesel::sqlite::Sqlite> for $name {
            fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::sqlite::Sqlite>) -> serialize::Result {
                out.set_value(self.as_str());
                Ok(IsNull::No)
            }
        }

        impl FromSql<Text, MultiBackend> for $name {
            fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
                let raw = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
                Self::parse(&raw).ok_or_else(|| {
                    format!("{:?} is not a {} ({})", raw, stringify!($name), Self::allowed()).into()
                })
            }
        }
    };
}

vocabulary! {
    /// What kind of error the reader reports.
    Category {
        FactualError => "factual_error", "Factual error";
        Misquote => "misquote", "Misquote";
        Misattribution => "misattribution", "Misattribution";
        Spelling => "spelling", "Spelling or typo";
        BrokenLink => "broken_link", "Broken link";
        MissingContext => "missing_context", "Missing context";
        Other => "other", "Other";
    }
}

vocabulary! {
    /// How urgently a report needs an answer.
    Severity {
        Low => "low", "Low";
        Normal => "normal", "Normal";
        High => "high", "High";
        Legal => "legal", "Legal";
    }
}

vocabulary! {
    /// Where a report is in the review workflow.
    Status {
        New => "new", "Received";
        Triaged => "triaged", "Triaged";
        InReview => "in_review", "In review";
        NeedsInfo => "needs_info", "Needs information from you";
        AwaitingApproval => "awaiting_approval", "Correction awaiting approval";
        Corrected => "corrected", "Corrected";
        NoChange => "no_change", "No change made";
        Rejected => "rejected", "Rejected";
        Duplicate => "duplicate", "Duplicate";
        Appealed => "appealed", "Appealed";
    }
}

vocabulary! {
    /// What kind of notice a correction is.
    Kind {
        Correction => "correction", "Correction";
        Clarification => "clarification", "Clarification";
        Update => "update", "Update";
        EditorsNote => "editors_note", "Editor's note";
        Retraction => "retraction", "Retraction";
    }
}

vocabulary! {
    /// What caused a corrected error, as the standards desk records it (never public).
    Cause {
        /// The facts were gathered wrongly.
        Reporting => "reporting", "Reporting";
        /// Introduced or missed in editing.
        Editing => "editing", "Editing";
        /// A source gave wrong information.
        Source => "source", "Source";
        /// Production: layout, graphics, headlines, publishing systems.
        Production => "production", "Production";
        Other => "other", "Other";
    }
}

vocabulary! {
    /// How a corrected error came to the newsroom's attention.
    Found {
        /// A reader reported it (set when the correction resolves a report).
        ReaderReport => "reader_report", "Reader report";
        /// Found by the newsroom's own staff.
        Staff => "staff", "Staff";
        /// The subject of the story pointed it out.
        Subject => "subject", "Subject of the story";
        /// Another news outlet pointed it out.
        OtherOutlet => "other_outlet", "Another outlet";
    }
}

vocabulary! {
    /// Whether a correction is out, waiting for a second standards editor, or was stopped before publication.
    CorrectionStatus {
        Pending => "pending", "Awaiting approval";
        Published => "published", "Published";
        /// Sent back to its author by a standards editor; a new draft replaces it.
        Returned => "returned", "Returned to its author";
        /// Withdrawn before approval by its author or a standards editor.
        Withdrawn => "withdrawn", "Withdrawn";
    }
}

vocabulary! {
    /// What a staff account may do.
    Role {
        /// Works the queue and publishes corrections.
        Editor => "editor", "Editor";
        /// An editor who also approves, decides appeals and manages the catalogue and accounts.
        StandardsEditor => "standards_editor", "Standards editor";
        /// Reads everything, changes nothing.
        Auditor => "auditor", "Auditor";
    }
}

vocabulary! {
    /// Who caused an event.
    ActorKind {
        User => "user", "Staff member";
        Reader => "reader", "Reader";
        System => "system", "Corrigenda";
    }
}

vocabulary! {
    /// What happened, as recorded in the audit trail.
    EventKind {
        ReportFiled => "report_filed", "Report filed";
        StatusChanged => "status_changed", "Status changed";
        ReaderReplied => "reader_replied", "Reader answered";
        AppealFiled => "appeal_filed", "Appeal filed";
        Assigned => "assigned", "Assigned";
        SeverityChanged => "severity_changed", "Severity changed";
        Note => "note", "Internal note";
        CorrectionDrafted => "correction_drafted", "Correction drafted";
        CorrectionPublished => "correction_published", "Correction published";
        CorrectionApproved => "correction_approved", "Correction approved";
        CorrectionReturned => "correction_returned", "Correction returned to its author";
        CorrectionWithdrawn => "correction_withdrawn", "Correction withdrawn";
        ReporterErased => "reporter_erased", "Reader's details erased";
        ChannelDone => "channel_done", "Correction sent to a channel";
        DeskRouted => "desk_routed", "Routed to a desk";
        Escalated => "escalated", "Escalated for being overdue";
    }
}

vocabulary! {
    /// Where an outbox message is.
    OutboxStatus {
        /// Waiting to be sent (perhaps after a failed attempt).
        Queued => "queued", "Queued";
        /// Claimed by a dispatcher until its lease ends.
        Sending => "sending", "Sending";
        /// Accepted by the receiving server.
        Sent => "sent", "Sent";
        /// Refused permanently, or given up on.
        Failed => "failed", "Failed";
        /// Withdrawn (the recipient's data was erased).
        Cancelled => "cancelled", "Cancelled";
    }
}

vocabulary! {
    /// What an endpoint receives: signed event payloads, or short chat alerts.
    EndpointKind {
        /// Standard Webhooks: signed JSON events for a CMS or another system.
        Webhook => "webhook", "Webhook";
        /// Slack-compatible `{"text": ...}` alerts for the desk's chat.
        Chat => "chat", "Chat alerts";
    }
}

vocabulary! {
    /// Where a reader's subscription to an article's corrections is.
    SubscriptionStatus {
        /// Asked for, not yet confirmed from the mailbox.
        Pending => "pending", "Awaiting confirmation";
        /// Confirmed: mail goes out.
        Active => "active", "Active";
        /// Ended by the reader.
        Unsubscribed => "unsubscribed", "Unsubscribed";
    }
}

vocabulary! {
    /// What a saved response is for.
    ResponsePurpose {
        /// A question to the reader (asking for more information).
        Question => "question", "Question to the reader";
        /// The reason given with a decision (no change, rejected, duplicate, an appeal's outcome).
        Decision => "decision", "Reason for a decision";
    }
}

vocabulary! {
    /// What kind of distribution channel the publisher's stories go out through.
    ChannelKind {
        Newsletter => "newsletter", "Newsletter";
        Push => "push", "Push alert";
        Social => "social", "Social media";
        /// Partners who ran the story; their addresses are sent the corrective by email.
        Syndication => "syndication", "Syndication";
        Print => "print", "Print edition";
        Other => "other", "Other";
    }
}

vocabulary! {
    /// How a channel's checklist item was done, and how a corrective was delivered to it.
    ChannelVia {
        /// An editor marked it by hand.
        Staff => "staff", "Marked by an editor";
        /// Every email to its partners was delivered.
        Mail => "mail", "Emailed to its partners";
        /// Its webhook endpoint accepted the corrective.
        Webhook => "webhook", "Delivered to its webhook";
    }
}

vocabulary! {
    /// How a desk assigns the reports routed to it.
    Assignment {
        /// Nobody automatically: editors take reports from the desk's queue.
        None => "none", "By hand";
        /// To its members who are not away, in turn.
        RoundRobin => "round_robin", "Round robin";
        /// To the member with the fewest open assigned reports.
        LeastLoaded => "least_loaded", "Least loaded";
    }
}
