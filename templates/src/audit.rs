//! The auditor's pages: the event stream, verification of the public log, and reader-data erasure.

use maud::{html, Markup};

use crate::forms::Opt;
use crate::layout::Layout;
use crate::partials::{
    count, date_group, error_summary, form_group, notice_panel, pager, select_group, verify_log_command, Field,
};

/// One event in the audit stream.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub id: i64,
    pub at: String,
    pub at_iso: String,
    /// A staff name, "Reader" or "System".
    pub actor: String,
    /// Machine kind, e.g. "status_changed".
    pub kind: String,
    /// One line for people, e.g. "Report #3: In review → No change".
    pub summary: String,
    /// Reason, note, question or reply text, if any.
    pub detail: Option<String>,
    /// Whether the reader sees it.
    pub public: bool,
    /// Link to the ticket (`/desk/reports/N`) when the event concerns a report, else to the
    /// correction (`/desk/corrections/N`) when it concerns one.
    pub ticket_href: Option<String>,
}

/// `/audit`: every event, filterable (a GET form) and paged, newest first.
#[derive(Debug, Clone, Default)]
pub struct AuditView {
    pub events: Vec<AuditEvent>,
    /// Select `actor`: "" any, then staff emails (label: name).
    pub actors: Vec<Opt>,
    /// Select `kind`: "" any, then event kinds.
    pub kinds: Vec<Opt>,
    /// Date inputs `from` and `to` (YYYY-MM-DD), as typed.
    pub from: String,
    pub to: String,
    pub next_href: Option<String>,
    /// A filter problem, shown with role="alert".
    pub error: Option<String>,
    /// Link to the verification page (/audit/verify).
    pub verify_href: String,
    /// Link to the JSON of the same stream (/api/v1/audit/events?...).
    pub json_href: String,
}

/// One check of the verification, e.g. "Hash chain", with its outcome.
#[derive(Debug, Clone)]
pub struct VerifyCheck {
    pub name: String,
    pub ok: bool,
    pub detail: String,
}

/// `/audit/verify`: the same verification as `corrigenda verify-log`, run on the live data.
#[derive(Debug, Clone, Default)]
pub struct VerifyView {
    /// Whether everything verified.
    pub ok: bool,
    /// One sentence: "The log verifies: 12 entries, …" or "The log does not verify: entry 4 …".
    pub summary: String,
    pub checks: Vec<VerifyCheck>,
    /// Entries in the log.
    pub size: i64,
    /// Head hash (hex).
    pub head_hash: String,
    /// The signing public key (base64).
    pub public_key: String,
    /// The signed checkpoint as JSON, for copying (shown in a `<pre>`), when one could be signed.
    pub checkpoint_json: Option<String>,
}

/// `/desk/erasure`: remove a reader's name and email everywhere (standards editors).
#[derive(Debug, Clone, Default)]
pub struct ErasureView {
    /// Form POST /desk/erasure with field `email` and hidden `csrf`.
    pub csrf: String,
    pub email: String,
    pub error: Option<String>,
    /// e.g. "Erased the name and email from 3 reports."
    pub notice: Option<String>,
}

/// The audit stream.
pub fn audit(layout: &Layout, view: &AuditView) -> Markup {
    let body = html! {
        h1 { "Audit trail" }
        p.measure {
            "Every action on every report and correction: who did it, when, and what. "
            "Readers' names and email addresses are never shown here."
        }
        ul.feed-links {
            li { a href=(view.verify_href) { "Verify the public log now" } }
            li { a href=(view.json_href) type="application/json" { "This trail as JSON" } }
        }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        section.filters aria-labelledby="filters-heading" {
            h2 #filters-heading { "Filter the events" }
            form method="get" action="/audit" accept-charset="utf-8" {
                div.filter-grid {
                    (select_group("actor", "Actor", &view.actors))
                    (select_group("kind", "Kind of event", &view.kinds))
                    (date_group("from", "From", &view.from))
                    (date_group("to", "To", &view.to))
                }
                div.form-actions {
                    button.button type="submit" { "Apply" }
                    a href="/audit" { "Clear" }
                }
            }
        }
        section aria-labelledby="results-heading" {
            h2 #results-heading { "Events" }
            @if view.events.is_empty() {
                p.empty { "No events match these filters." }
            } @else {
                p.muted { "Newest first." }
                div.table-scroll role="region" aria-label="Audit events" tabindex="0" {
                    table.audit-table {
                        caption.visually-hidden { "Events matching the filters, newest first, one per row" }
                        thead {
                            tr {
                                th scope="col" { "Time" }
                                th scope="col" { "Actor" }
                                th scope="col" { "Event" }
                                th scope="col" { "Visibility" }
                            }
                        }
                        tbody {
                            @for event in &view.events {
                                (event_row(event))
                            }
                        }
                    }
                }
            }
            (pager(view.next_href.as_deref()))
        }
    };
    let title = if view.error.is_some() { "Error: Audit trail" } else { "Audit trail" };
    layout.page(title, body)
}

/// One row of the audit table. The summary links to the ticket, when there is one.
fn event_row(event: &AuditEvent) -> Markup {
    html! {
        tr class=[(!event.public).then_some("internal")] {
            td.event-time data-label="Time" { time datetime=(event.at_iso) { (event.at) } }
            td.event-actor data-label="Actor" { (event.actor) }
            td.event {
                p.event-summary {
                    @match &event.ticket_href {
                        Some(href) => a href=(href) { (event.summary) },
                        None => (event.summary),
                    }
                }
                @if let Some(detail) = &event.detail {
                    p.preserve-lines.event-detail { (detail) }
                }
            }
            td data-label="Visibility" {
                @if event.public {
                    span.tag-public { "Public" }
                } @else {
                    span.tag-internal { "Internal" }
                }
            }
        }
    }
}

/// The verification result.
pub fn verify(layout: &Layout, view: &VerifyView) -> Markup {
    let size = usize::try_from(view.size).map(count).unwrap_or_else(|_| view.size.to_string());
    let body = html! {
        h1 { "Verify the public log" }
        div.measure {
            @if view.ok {
                div.verify-result.verify-ok role="status" {
                    p.verify-verdict { span.verify-mark aria-hidden="true" { "✓" } " Verified" }
                    p.verify-summary { (view.summary) }
                }
            } @else {
                div.verify-result.verify-failed role="alert" {
                    p.verify-verdict { span.verify-mark aria-hidden="true" { "✗" } " Not verified" }
                    p.verify-summary { (view.summary) }
                }
            }
            p {
                "This page ran the same checks as " code { "corrigenda verify-log" } " on the log as it is stored now."
            }
            form.run-again method="get" action="/audit/verify" {
                button.button.button-secondary type="submit" { "Run again" }
            }
            section aria-labelledby="checks-heading" {
                h2 #checks-heading { "Checks" }
                @if view.checks.is_empty() {
                    p.empty { "No checks were run." }
                } @else {
                    ul.check-list {
                        @for check in &view.checks {
                            li.check.check-failed[!check.ok] {
                                p.check-head {
                                    @if check.ok {
                                        span.check-result.check-pass {
                                            span aria-hidden="true" { "✓ " } "Passed"
                                        }
                                    } @else {
                                        span.check-result.check-fail {
                                            span aria-hidden="true" { "✗ " } "Failed"
                                        }
                                    }
                                    span.visually-hidden { ": " }
                                    " "
                                    strong.check-name { (check.name) }
                                }
                                p.preserve-lines.check-detail { (check.detail) }
                            }
                        }
                    }
                }
            }
            section aria-labelledby="log-heading" {
                h2 #log-heading { "The log" }
                dl.summary-list.verify-facts {
                    div { dt { "Entries" } dd { (size) } }
                    div {
                        dt { "Head hash" }
                        dd {
                            @if view.head_hash.is_empty() {
                                span.muted { "None" }
                            } @else {
                                code.hash-value { (view.head_hash) }
                            }
                        }
                    }
                    div {
                        dt { "Public key" }
                        dd {
                            @if view.public_key.is_empty() {
                                span.muted { "None" }
                            } @else {
                                code.hash-value { (view.public_key) }
                            }
                        }
                    }
                }
            }
            @if let Some(checkpoint) = &view.checkpoint_json {
                section aria-labelledby="checkpoint-heading" {
                    h2 #checkpoint-heading { "Signed checkpoint" }
                    p {
                        "The log's size and head hash, signed with the key above. Keep a copy: "
                        "a later log that does not extend this one was rewritten."
                    }
                    pre.checkpoint { (checkpoint) }
                }
            }
            section aria-labelledby="yourself-heading" {
                h2 #yourself-heading { "Check it yourself" }
                p {
                    "Anyone can run the same check, without an account: "
                    (verify_log_command(&view.public_key))
                    ". Or use your own code: each entry's hash is the SHA-256 of the previous hash and "
                    "the entry's canonical JSON, and each checkpoint is signed with Ed25519."
                }
                p { a href="/audit" { "Back to the audit trail" } }
            }
        }
    };
    layout.page("Verify the public log", body)
}

/// The erasure form.
pub fn erasure(layout: &Layout, view: &ErasureView) -> Markup {
    let email = Field::new(
        "email",
        "Reader's email address",
        "The address the reader gave with their reports, as they wrote it.",
    );
    let body = html! {
        h1 { "Erase a reader's details" }
        @if let Some(error) = &view.error {
            (error_summary(&[], Some(error), &[]))
        }
        @if let Some(notice) = &view.notice {
            (notice_panel(notice))
        }
        div.measure {
            p {
                "This removes the reader's name and email address from every report they sent, and "
                "from every email still waiting to be sent to them. It cannot be undone."
            }
            p {
                "The public correction log never contained them, so it stays valid: no entry changes."
            }
            p {
                "The erasure itself is recorded in the audit trail, with who did it and when, "
                "but not whose details were erased."
            }
        }
        form.stacked-form method="post" action="/desk/erasure" accept-charset="utf-8" {
            input type="hidden" name="csrf" value=(view.csrf);
            (form_group(&email, html! {
                input.input id=(email.id()) type="email" name=(email.name) value=(view.email)
                    autocomplete="off" spellcheck="false" required
                    aria-describedby=[email.described_by()];
            }))
            button.button.button-danger type="submit" { "Erase" }
        }
    };
    let title = if view.error.is_some() { "Error: Erase a reader's details" } else { "Erase a reader's details" };
    layout.page(title, body)
}
