//! The audit trail's events: what each kind records, how it is stored, and how it reads.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use super::accounts::Actor;
use super::desks::the_desk;
use super::ids::{CorrectionId, ReportId, UserId};
use crate::db::models::{Event, NewEvent};
use crate::db::vocabulary::{ActorKind, Category, ChannelVia, EventKind, Kind, Severity, Status};
use crate::db::DbConnection;
use crate::error::AppError;

/// What an event records: one variant per kind, stored as the kind and a JSON payload.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "payload", rename_all = "snake_case")]
pub enum EventData {
    /// A reader filed a report.
    ReportFiled {
        /// What kind of error they reported.
        category: Category,
    },
    /// Staff, or publishing a correction, moved a report.
    StatusChanged {
        /// The status before.
        from: Status,
        /// The status after.
        to: Status,
        /// The staff's reason, when one was given.
        #[serde(default)]
        reason: Option<String>,
        /// The part of the reason the reader sees.
        #[serde(default)]
        public_message: Option<String>,
        /// The primary report, for a duplicate.
        #[serde(default)]
        duplicate_of: Option<ReportId>,
        /// The correction that resolved it, for a publishing move.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        correction_id: Option<CorrectionId>,
    },
    /// The reader answered the editors' question.
    ReaderReplied {
        /// The status before.
        from: Status,
        /// The status after.
        to: Status,
        /// The reader's answer.
        public_message: String,
    },
    /// The reader appealed a decision.
    AppealFiled {
        /// The status before.
        from: Status,
        /// The status after.
        to: Status,
        /// The reader's reason.
        public_message: String,
    },
    /// The report was assigned, or unassigned.
    Assigned {
        /// The new assignee's id.
        assignee_id: Option<UserId>,
        /// Their name at the time.
        assignee_name: Option<String>,
    },
    /// The severity (and so the deadline) changed.
    SeverityChanged {
        /// Before.
        from: Severity,
        /// After.
        to: Severity,
    },
    /// An internal note.
    Note {
        /// The note.
        body: String,
    },
    /// A correction awaits a second standards editor.
    CorrectionDrafted(CorrectionRef),
    /// A correction was published directly.
    CorrectionPublished(CorrectionRef),
    /// A pending correction was approved, which published it.
    CorrectionApproved(CorrectionRef),
    /// A standards editor sent a pending correction back to its author.
    CorrectionReturned(CorrectionReason),
    /// A pending correction was withdrawn before approval.
    CorrectionWithdrawn(CorrectionReason),
    /// A correction reached one of the channels its error went to.
    ChannelDone(ChannelDone),
    /// The report was routed to a desk (or to the general queue): by the rules when it was filed
    /// or when what they read changed, or by an editor who moved it.
    DeskRouted {
        /// The desk it left (slug; none: the general queue).
        #[serde(default)]
        from: Option<String>,
        /// That desk's name at the time.
        #[serde(default)]
        from_name: Option<String>,
        /// The desk it is on now (slug; none: the general queue).
        #[serde(default)]
        to: Option<String>,
        /// That desk's name at the time.
        #[serde(default)]
        to_name: Option<String>,
        /// Why: the editor's reason, or what changed.
        #[serde(default)]
        reason: Option<String>,
    },
    /// The report became overdue and was escalated to its desk's lead (or the standards editors).
    Escalated {
        /// Who was told, by name.
        to: Vec<String>,
    },
    /// A reader's name and email were erased.
    ReporterErased {
        /// Reports changed.
        reports: usize,
        /// Unsent mails withdrawn.
        mails_cancelled: usize,
        /// Subscriptions removed.
        subscriptions: usize,
        /// Set when the retention setting erased it: the days the report had been closed.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retention_days: Option<u32>,
    },
}

/// The correction a correction event is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionRef {
    /// Its id.
    pub correction_id: CorrectionId,
    /// Its article.
    pub article_id: String,
    /// What kind of notice it is.
    pub kind: Kind,
}

/// A checklist item done: the corrective reached a channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChannelDone {
    /// The correction.
    pub correction_id: CorrectionId,
    /// Its article.
    pub article_id: String,
    /// The channel.
    pub channel_id: i64,
    /// Its name at the time.
    pub channel: String,
    /// How: an editor marked it, or the partners' emails were delivered.
    pub via: ChannelVia,
    /// The corrective post, when the editor gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
}

/// A correction stopped before publication, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CorrectionReason {
    /// The correction.
    #[serde(flatten)]
    pub correction: CorrectionRef,
    /// Why, as the staff member gave it.
    pub reason: String,
}

/// Who an event's sentence is written for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    /// The reader, on the tracking page: only public events, in the second person.
    Reader,
    /// Staff, on the ticket and in the audit trail.
    Staff,
}

impl EventData {
    /// The stored kind.
    pub fn kind(&self) -> EventKind {
        match self {
            Self::ReportFiled { .. } => EventKind::ReportFiled,
            Self::StatusChanged { .. } => EventKind::StatusChanged,
            Self::ReaderReplied { .. } => EventKind::ReaderReplied,
            Self::AppealFiled { .. } => EventKind::AppealFiled,
            Self::Assigned { .. } => EventKind::Assigned,
            Self::SeverityChanged { .. } => EventKind::SeverityChanged,
            Self::Note { .. } => EventKind::Note,
            Self::CorrectionDrafted(_) => EventKind::CorrectionDrafted,
            Self::CorrectionPublished(_) => EventKind::CorrectionPublished,
            Self::CorrectionApproved(_) => EventKind::CorrectionApproved,
            Self::CorrectionReturned(_) => EventKind::CorrectionReturned,
            Self::CorrectionWithdrawn(_) => EventKind::CorrectionWithdrawn,
            Self::ChannelDone(_) => EventKind::ChannelDone,
            Self::ReporterErased { .. } => EventKind::ReporterErased,
            Self::DeskRouted { .. } => EventKind::DeskRouted,
            Self::Escalated { .. } => EventKind::Escalated,
        }
    }

    /// The correction a correction event is about.
    pub fn correction_id(&self) -> Option<CorrectionId> {
        match self {
            Self::CorrectionDrafted(c) | Self::CorrectionPublished(c) | Self::CorrectionApproved(c) => {
                Some(c.correction_id)
            }
            Self::CorrectionReturned(r) | Self::CorrectionWithdrawn(r) => Some(r.correction.correction_id),
            Self::ChannelDone(d) => Some(d.correction_id),
            _ => None,
        }
    }

    /// The payload as stored (a JSON object without the kind).
    pub fn payload(&self) -> serde_json::Value {
        serde_json::to_value(self)
            .ok()
            .and_then(|mut v| v.get_mut("payload").map(serde_json::Value::take))
            .unwrap_or_default()
    }

    /// Reads a stored event back; a kind or payload this version does not know is an error naming the event.
    pub fn of(event: &Event) -> Result<Self, AppError> {
        let payload: serde_json::Value = serde_json::from_str(&event.payload)
            .map_err(|e| anyhow::anyhow!("event #{} has a payload that is not JSON: {e}", event.id))?;
        let tagged = serde_json::json!({ "kind": event.kind.as_str(), "payload": payload });
        Ok(serde_json::from_value(tagged)
            .map_err(|e| anyhow::anyhow!("event #{} ({}) has an unexpected payload: {e}", event.id, event.kind))?)
    }

    /// What happened, as one sentence for `audience`.
    pub fn sentence(&self, audience: Audience) -> String {
        let reader = audience == Audience::Reader;
        match self {
            Self::ReportFiled { .. } if reader => "Report received".into(),
            Self::ReportFiled { .. } => "Report filed".into(),
            Self::StatusChanged { to: Status::NeedsInfo, .. } if reader => "The editor asked you a question".into(),
            Self::StatusChanged { to: Status::Duplicate, .. } if reader => {
                "Marked as a duplicate of another reader's report".into()
            }
            Self::StatusChanged { to, .. } if reader => format!("Status changed to \u{201c}{}\u{201d}", to.label()),
            Self::StatusChanged { from, to, .. } => {
                format!("{} \u{2192} {}", from.staff_label(), to.staff_label())
            }
            Self::ReaderReplied { .. } if reader => "You answered the editor's question".into(),
            Self::ReaderReplied { .. } => "The reader answered".into(),
            Self::AppealFiled { .. } if reader => "You appealed the decision".into(),
            Self::AppealFiled { .. } => "The reader appealed".into(),
            Self::Assigned { assignee_name: Some(name), .. } => format!("Assigned to {name}"),
            Self::Assigned { .. } => "Unassigned".into(),
            Self::SeverityChanged { from, to } => format!("Severity {} \u{2192} {}", from.label(), to.label()),
            Self::Note { .. } => "Internal note".into(),
            Self::CorrectionDrafted(c) => format!("Correction #{} drafted, awaiting approval", c.correction_id),
            Self::CorrectionPublished(c) => format!("Correction #{} published", c.correction_id),
            Self::CorrectionApproved(c) => format!("Correction #{} approved and published", c.correction_id),
            Self::CorrectionReturned(r) => {
                format!("Correction #{} returned to its author for changes", r.correction.correction_id)
            }
            Self::CorrectionWithdrawn(r) => {
                format!("Correction #{} withdrawn before approval", r.correction.correction_id)
            }
            Self::ChannelDone(d) if d.via == ChannelVia::Staff => {
                format!("Correction #{} marked as sent to {}", d.correction_id, d.channel)
            }
            Self::ChannelDone(d) => {
                format!("Correction #{} emailed to the partners of {}", d.correction_id, d.channel)
            }
            Self::DeskRouted { from: None, to: Some(_), to_name, .. } => {
                format!("Routed to {}", the_desk(to_name.as_deref().unwrap_or("former")))
            }
            Self::DeskRouted { from: Some(from), from_name, to: Some(_), to_name, .. } => format!(
                "Moved from {} to {}",
                the_desk(from_name.as_deref().unwrap_or(from)),
                the_desk(to_name.as_deref().unwrap_or("former"))
            ),
            Self::DeskRouted { from: Some(from), from_name, to: None, .. } => {
                format!("Moved from {} to the general queue", the_desk(from_name.as_deref().unwrap_or(from)))
            }
            Self::DeskRouted { from: None, to: None, .. } => "Left in the general queue".into(),
            Self::Escalated { to } if to.is_empty() => "Escalated for being overdue".into(),
            Self::Escalated { to } => format!("Escalated to {} for being overdue", to.join(", ")),
            Self::ReporterErased { retention_days: Some(days), .. } => {
                format!("The reader's name and email were erased: the report had been closed for more than {days} days")
            }
            Self::ReporterErased { reports, .. } => {
                format!("A reader's name and email were erased from {reports} reports")
            }
        }
    }

    /// The text that goes with the event: for the reader only what was written for them.
    pub fn detail(&self, audience: Audience) -> Option<&str> {
        match (self, audience) {
            (Self::StatusChanged { public_message, .. }, Audience::Reader) => public_message.as_deref(),
            (Self::StatusChanged { reason, public_message, .. }, Audience::Staff) => {
                reason.as_deref().or(public_message.as_deref())
            }
            (Self::ReaderReplied { public_message, .. } | Self::AppealFiled { public_message, .. }, _) => {
                Some(public_message)
            }
            (Self::Note { body }, Audience::Staff) => Some(body),
            (Self::CorrectionReturned(r) | Self::CorrectionWithdrawn(r), Audience::Staff) => Some(&r.reason),
            (Self::ChannelDone(d), Audience::Staff) => d.link.as_deref(),
            (Self::DeskRouted { reason, .. }, Audience::Staff) => reason.as_deref(),
            _ => None,
        }
    }
}

/// Who did it, for staff: the account's name (or that it is gone), the reader, or the system.
pub fn actor_name(kind: ActorKind, name: Option<&str>) -> String {
    match kind {
        ActorKind::User => name.unwrap_or("A former account").to_owned(),
        ActorKind::Reader => "Reader".into(),
        ActorKind::System => "System".into(),
    }
}

/// Appends a staff-only event about a report that the system did (routing, automatic
/// assignment, escalation), not its reader.
pub fn record_system(
    conn: &mut DbConnection,
    report_id: i64,
    data: &EventData,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    NewEvent {
        report_id: Some(report_id),
        actor_id: None,
        actor_kind: ActorKind::System,
        kind: data.kind(),
        public: false,
        payload: &data.payload().to_string(),
        created_at: now,
    }
    .insert(conn)?;
    Ok(())
}

/// Appends an event about `report_id` (or none), by `actor` (a staff member) or else the reader or the system.
pub fn record(
    conn: &mut DbConnection,
    report_id: Option<i64>,
    actor: Option<&Actor>,
    public: bool,
    data: &EventData,
    now: NaiveDateTime,
) -> Result<(), AppError> {
    let actor_kind = match (actor, report_id) {
        (Some(_), _) => ActorKind::User,
        (None, Some(_)) => ActorKind::Reader,
        (None, None) => ActorKind::System,
    };
    NewEvent {
        report_id,
        actor_id: actor.map(|a| a.id),
        actor_kind,
        kind: data.kind(),
        public,
        payload: &data.payload().to_string(),
        created_at: now,
    }
    .insert(conn)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(data: &EventData) -> Event {
        Event {
            id: 7,
            report_id: Some(1),
            actor_id: None,
            actor_kind: ActorKind::Reader,
            kind: data.kind(),
            public: true,
            payload: data.payload().to_string(),
            created_at: chrono::NaiveDateTime::default(),
        }
    }

    #[test]
    fn every_kind_round_trips_through_storage() {
        let c = CorrectionRef { correction_id: CorrectionId(3), article_id: "a".into(), kind: Kind::Update };
        let all = [
            EventData::ReportFiled { category: Category::Misquote },
            EventData::StatusChanged {
                from: Status::New,
                to: Status::Duplicate,
                reason: Some("same".into()),
                public_message: None,
                duplicate_of: Some(ReportId(2)),
                correction_id: None,
            },
            EventData::ReaderReplied { from: Status::NeedsInfo, to: Status::InReview, public_message: "x".into() },
            EventData::AppealFiled { from: Status::Rejected, to: Status::Appealed, public_message: "y".into() },
            EventData::Assigned { assignee_id: Some(UserId(4)), assignee_name: Some("Ann".into()) },
            EventData::SeverityChanged { from: Severity::Low, to: Severity::Legal },
            EventData::Note { body: "n".into() },
            EventData::CorrectionDrafted(c.clone()),
            EventData::CorrectionPublished(c.clone()),
            EventData::CorrectionApproved(c.clone()),
            EventData::CorrectionReturned(CorrectionReason {
                correction: c.clone(),
                reason: "Name the source.".into(),
            }),
            EventData::CorrectionWithdrawn(CorrectionReason { correction: c, reason: "Not needed.".into() }),
            EventData::ChannelDone(ChannelDone {
                correction_id: CorrectionId(3),
                article_id: "a".into(),
                channel_id: 2,
                channel: "Newsletter".into(),
                via: ChannelVia::Staff,
                link: Some("https://news.example/post".into()),
            }),
            EventData::ReporterErased { reports: 2, mails_cancelled: 1, subscriptions: 0, retention_days: None },
            EventData::DeskRouted {
                from: Some("sport".into()),
                from_name: Some("Sport".into()),
                to: None,
                to_name: None,
                reason: Some("Needs the standards editor.".into()),
            },
            EventData::Escalated { to: vec!["Ann Lead".into()] },
        ];
        assert_eq!(all.len(), EventKind::ALL.len());
        for data in all {
            assert_eq!(EventData::of(&stored(&data)).unwrap(), data);
        }
    }

    #[test]
    fn an_erasure_by_retention_says_so_and_one_on_request_keeps_its_shape() {
        let requested =
            EventData::ReporterErased { reports: 2, mails_cancelled: 1, subscriptions: 0, retention_days: None };
        assert_eq!(requested.payload().to_string(), r#"{"mails_cancelled":1,"reports":2,"subscriptions":0}"#);
        let aged =
            EventData::ReporterErased { reports: 1, mails_cancelled: 0, subscriptions: 0, retention_days: Some(30) };
        assert_eq!(EventData::of(&stored(&aged)).unwrap(), aged);
        assert_eq!(
            aged.sentence(Audience::Staff),
            "The reader's name and email were erased: the report had been closed for more than 30 days"
        );
    }

    #[test]
    fn routing_reads_as_where_the_report_went() {
        let routed = |from: Option<&str>, to: Option<&str>| EventData::DeskRouted {
            from: from.map(|f| f.to_lowercase()),
            from_name: from.map(str::to_owned),
            to: to.map(|t| t.to_lowercase()),
            to_name: to.map(str::to_owned),
            reason: Some("why".into()),
        };
        assert_eq!(routed(None, Some("Sport")).sentence(Audience::Staff), "Routed to the Sport desk");
        assert_eq!(
            routed(Some("Sport"), Some("Business")).sentence(Audience::Staff),
            "Moved from the Sport desk to the Business desk"
        );
        assert_eq!(
            routed(Some("Sport"), None).sentence(Audience::Staff),
            "Moved from the Sport desk to the general queue"
        );
        assert_eq!(
            routed(Some("Night desk"), Some("Sports Desk")).sentence(Audience::Staff),
            "Moved from the Night desk to the Sports Desk"
        );
        assert_eq!(routed(None, Some("Sport")).detail(Audience::Staff), Some("why"));
        assert_eq!(routed(None, Some("Sport")).detail(Audience::Reader), None);
        assert_eq!(
            EventData::Escalated { to: vec!["Ann".into(), "Bo".into()] }.sentence(Audience::Staff),
            "Escalated to Ann, Bo for being overdue"
        );
    }

    #[test]
    fn payloads_keep_their_stored_shape() {
        let data = EventData::ReportFiled { category: Category::FactualError };
        assert_eq!(data.payload().to_string(), r#"{"category":"factual_error"}"#);
        let c = EventData::CorrectionPublished(CorrectionRef {
            correction_id: CorrectionId(3),
            article_id: "a".into(),
            kind: Kind::Correction,
        });
        assert_eq!(c.payload().to_string(), r#"{"article_id":"a","correction_id":3,"kind":"correction"}"#);
        let returned = EventData::CorrectionReturned(CorrectionReason {
            correction: CorrectionRef {
                correction_id: CorrectionId(3),
                article_id: "a".into(),
                kind: Kind::Retraction,
            },
            reason: "Cite the ruling.".into(),
        });
        assert_eq!(
            returned.payload().to_string(),
            r#"{"article_id":"a","correction_id":3,"kind":"retraction","reason":"Cite the ruling."}"#
        );
        assert_eq!(returned.sentence(Audience::Staff), "Correction #3 returned to its author for changes");
        assert_eq!(returned.detail(Audience::Staff), Some("Cite the ruling."));
        assert_eq!(returned.detail(Audience::Reader), None);
    }

    #[test]
    fn an_unknown_payload_is_an_error_naming_the_event() {
        let mut e = stored(&EventData::Note { body: "n".into() });
        e.payload = r#"{"text":"n"}"#.into();
        let err = EventData::of(&e).unwrap_err();
        assert!(format!("{err:?}").contains("event #7 (note)"), "{err:?}");
    }

    #[test]
    fn readers_and_staff_read_their_own_sentences() {
        let asked = EventData::StatusChanged {
            from: Status::InReview,
            to: Status::NeedsInfo,
            reason: Some("Which figure?".into()),
            public_message: Some("Which figure?".into()),
            duplicate_of: None,
            correction_id: None,
        };
        assert_eq!(asked.sentence(Audience::Reader), "The editor asked you a question");
        assert_eq!(asked.sentence(Audience::Staff), "In review \u{2192} Waiting for the reader");
        assert_eq!(
            asked.sentence(Audience::Reader),
            "The editor asked you a question",
            "the reader keeps their own words"
        );
        let severity = EventData::SeverityChanged { from: Severity::Low, to: Severity::Legal };
        assert_eq!(severity.sentence(Audience::Staff), "Severity Low \u{2192} Legal");
        let note = EventData::Note { body: "internal".into() };
        assert_eq!(note.detail(Audience::Reader), None);
        assert_eq!(note.detail(Audience::Staff), Some("internal"));
    }
}
