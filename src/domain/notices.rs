//! Notices: what happened, as data, for whoever acts on it (mail today; webhooks and others later).
//!
//! Domain steps push notices into a [`Notices`] collector inside their write transaction; the
//! caller hands them to consumers in the same transaction, so an outbox stays transactional.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::ids::{CorrectionId, DeskId, ReportId, UserId};
use crate::db::models::Report;
use crate::db::vocabulary::{Category, Kind, Severity, Status};
use crate::db::DbConnection;
use crate::error::AppError;

/// Where a reader who left an address can be written to, with a fresh link to their report.
///
/// Never serialised: notices may leave the building (webhooks); readers' details may not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderContact {
    /// Their address.
    pub email: String,
    /// A tracking token for the link in the mail.
    pub token: String,
}

/// A staff member named in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StaffRef {
    /// Their user id.
    pub id: UserId,
    /// Their address (staff mail goes there).
    pub email: String,
    /// Their name.
    pub name: String,
}

/// A desk named in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeskRef {
    /// Its id.
    pub id: DeskId,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
}

/// A correction named in a notice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CorrectionNote {
    /// Its id.
    pub id: CorrectionId,
    /// Its article.
    pub article_id: String,
    /// The article's headline.
    pub article_title: String,
    /// What kind of notice it is.
    pub kind: Kind,
    /// Its public text.
    pub text: String,
}

/// Something that happened that someone outside the transaction may need to act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Notice {
    /// A reader filed a report.
    ReportFiled {
        /// The report.
        report_id: ReportId,
        /// Its article.
        article_id: String,
        /// The article's headline.
        article_title: String,
        /// The passage reported.
        quote: String,
        /// What kind of error.
        category: Category,
        /// How urgent.
        severity: Severity,
        /// When it must be answered.
        deadline_at: NaiveDateTime,
        /// The desk the rules routed it to (none: the general queue).
        desk: Option<DeskRef>,
        /// The reader, when they left an address.
        #[serde(skip)]
        reader: Option<ReaderContact>,
    },
    /// A report already filed reached a desk: an editor moved it there, or the rules did when its
    /// article's section or its severity changed, or its desk was removed.
    Routed {
        /// The report.
        report_id: ReportId,
        /// Its article.
        article_id: String,
        /// The article's headline.
        article_title: String,
        /// The passage reported.
        quote: String,
        /// How urgent.
        severity: Severity,
        /// When it must be answered.
        deadline_at: NaiveDateTime,
        /// The desk it left, if any.
        from: Option<DeskRef>,
        /// The desk it reached.
        desk: DeskRef,
        /// The editor who moved it (none: the rules did).
        by: Option<StaffRef>,
    },
    /// An open report's deadline passed: it was escalated to its desk's lead, or to the standards
    /// editors when it is on no desk or its desk has no lead who can take it.
    Escalated {
        /// The report.
        report_id: ReportId,
        /// Its article.
        article_id: String,
        /// The article's headline.
        article_title: String,
        /// The passage reported.
        quote: String,
        /// How urgent.
        severity: Severity,
        /// Its status.
        status: Status,
        /// The deadline that passed.
        deadline_at: NaiveDateTime,
        /// Its desk (none: the general queue).
        desk: Option<DeskRef>,
        /// Who holds it, if anyone.
        assignee: Option<StaffRef>,
        /// Who it was escalated to.
        to: Vec<StaffRef>,
        /// Whether they are the desk's lead (else the standards editors).
        lead: bool,
    },
    /// Staff made a report urgent: raised it to high or legal severity, or from high to legal.
    SeverityRaised {
        /// The report.
        report_id: ReportId,
        /// Its article.
        article_id: String,
        /// The article's headline.
        article_title: String,
        /// The severity it had.
        from: Severity,
        /// The severity it has now.
        to: Severity,
        /// Its deadline, recomputed for the new severity.
        deadline_at: NaiveDateTime,
        /// Who raised it.
        by: StaffRef,
    },
    /// A report moved from one status to another (any move: staff, reader or publishing).
    StatusChanged {
        /// The report.
        report_id: ReportId,
        /// Its article.
        article_id: String,
        /// The status it left.
        from: Status,
        /// The status it is in now.
        to: Status,
        /// The correction that moved it, when publishing, returning or withdrawing one did.
        correction_id: Option<CorrectionId>,
    },
    /// Staff asked the reader a question.
    QuestionAsked {
        /// The report.
        report_id: ReportId,
        /// The question.
        question: String,
        /// The reader, when they left an address.
        #[serde(skip)]
        reader: Option<ReaderContact>,
    },
    /// The reader answered the question.
    ReaderAnswered {
        /// The report.
        report_id: ReportId,
        /// Its assignee, if any.
        assignee_id: Option<UserId>,
    },
    /// The reader appealed a decision.
    AppealFiled {
        /// The report.
        report_id: ReportId,
        /// Its assignee, if any.
        assignee_id: Option<UserId>,
    },
    /// A report was decided, or an appeal was.
    Decided {
        /// The report.
        report_id: ReportId,
        /// The status it was decided to.
        to: Status,
        /// The editors' reason, when there is one.
        reason: Option<String>,
        /// Whether this decides the reader's appeal.
        appeal: bool,
        /// The correction, when one was published.
        correction: Option<CorrectionNote>,
        /// The reader, when they left an address.
        #[serde(skip)]
        reader: Option<ReaderContact>,
    },
    /// A report was assigned to a staff member.
    Assigned {
        /// The report.
        report_id: ReportId,
        /// The passage reported.
        quote: String,
        /// When it must be answered.
        deadline_at: NaiveDateTime,
        /// Who it is assigned to.
        assignee: StaffRef,
        /// Who assigned it (none: its desk's automatic assignment).
        by: Option<StaffRef>,
        /// The desk whose automatic assignment chose the assignee, when one did.
        desk: Option<DeskRef>,
    },
    /// A correction waits for a second standards editor.
    CorrectionPending {
        /// The correction.
        correction: CorrectionNote,
        /// Who drafted it.
        author: StaffRef,
    },
    /// A standards editor sent a pending correction back to its author for changes.
    CorrectionReturned {
        /// The correction.
        correction: CorrectionNote,
        /// Who drafted it (they are told).
        author: StaffRef,
        /// Who returned it.
        by: StaffRef,
        /// What to change.
        reason: String,
    },
    /// A pending correction was withdrawn before approval.
    CorrectionWithdrawn {
        /// The correction.
        correction: CorrectionNote,
        /// Who drafted it (told when someone else withdrew it).
        author: StaffRef,
        /// Who withdrew it.
        by: StaffRef,
        /// Why.
        reason: String,
    },
    /// A correction was published.
    CorrectionPublished {
        /// The correction.
        correction: CorrectionNote,
    },
    /// Someone asked to hear about corrections to an article (not yet confirmed).
    SubscriptionRequested {
        /// The article.
        article_id: String,
        /// Its headline.
        article_title: String,
        /// The address to confirm.
        #[serde(skip)]
        email: String,
        /// The confirmation token.
        #[serde(skip)]
        token: String,
    },
}

/// The notices of one write transaction, in the order they happened.
#[derive(Debug, Default)]
pub struct Notices(Vec<Notice>);

impl Notices {
    /// Adds a notice.
    pub fn push(&mut self, notice: Notice) {
        self.0.push(notice);
    }

    /// Adds the notices of a step that succeeded.
    pub fn extend(&mut self, other: Notices) {
        self.0.extend(other.0);
    }

    /// The notices so far.
    pub fn as_slice(&self) -> &[Notice] {
        &self.0
    }

    /// Whether nothing happened that anyone needs to hear of.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The reader of `report`, with a fresh tracking link, when they left an address.
pub fn reader_of(
    conn: &mut DbConnection,
    report: &Report,
    now: NaiveDateTime,
) -> Result<Option<ReaderContact>, AppError> {
    let Some(email) = report.reporter_email.clone() else { return Ok(None) };
    let token = super::reports::mint_link(conn, report.id, now)?;
    Ok(Some(ReaderContact { email, token }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialised_notices_never_carry_a_readers_address_or_token() {
        let reader = Some(ReaderContact { email: "ada@example.com".into(), token: "secret-token".into() });
        let notices = [
            Notice::QuestionAsked { report_id: ReportId(4), question: "Which figure?".into(), reader: reader.clone() },
            Notice::Decided {
                report_id: ReportId(4),
                to: Status::Rejected,
                reason: Some("Stands.".into()),
                appeal: false,
                correction: None,
                reader,
            },
            Notice::SubscriptionRequested {
                article_id: "a1".into(),
                article_title: "T".into(),
                email: "ada@example.com".into(),
                token: "secret-token".into(),
            },
        ];
        for notice in notices {
            let json = serde_json::to_string(&notice).unwrap();
            assert!(!json.contains("ada@") && !json.contains("secret-token"), "{json}");
        }
        let json = serde_json::to_value(Notice::AppealFiled { report_id: ReportId(9), assignee_id: None }).unwrap();
        assert_eq!(json, serde_json::json!({ "type": "appeal_filed", "report_id": 9, "assignee_id": null }));
    }
}
