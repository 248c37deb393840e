//! The shared page frame and the stylesheet.

use maud::{html, Markup, DOCTYPE};

/// The stylesheet served at `/static/style.css`.
pub const STYLESHEET: &str = include_str!("style.css");

/// What every page's frame needs to know.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The publication's name, shown in the header and the title.
    pub publication: String,
    /// The signed-in staff member, on desk pages: adds the desk link and a sign-out button.
    pub staff: Option<StaffNav>,
}

/// Who is signed in, for the page header.
#[derive(Debug, Clone)]
pub struct StaffNav {
    pub name: String,
    /// e.g. "Standards editor".
    pub role_label: String,
    /// CSRF token for the sign-out form (POST /logout, hidden field `csrf`).
    pub csrf: String,
    /// Standards editors also get links to "Audit" (/audit), "Figures" (/desk/transparency) and
    /// "Erase reader data" (/desk/erasure); everyone gets "Desks" (/desk/desks) and "Standards" (/desk/standards), and everyone but auditors
    /// "Approvals" (/desk/corrections: editors withdraw and redraft their own corrections there).
    /// Auditors (`role_label` "Auditor") get "Audit" and "Figures" but not "Desk".
    pub is_standards_editor: bool,
    /// How many corrections await approval, shown beside "Approvals" when any do.
    pub pending_approvals: i64,
}

/// The role label auditors are shown with: the header tells them apart by it.
const AUDITOR_LABEL: &str = "Auditor";

impl StaffNav {
    /// Whether this is an auditor, who reads the audit trail but cannot work the queue.
    pub(crate) fn is_auditor(&self) -> bool {
        self.role_label == AUDITOR_LABEL
    }
}

impl Layout {
    /// Wraps `body` in the shared frame with `title` as the page title.
    ///
    /// Staff pages (when `staff` is set) use a wider frame, for the queue's table
    /// and the ticket's two columns.
    pub fn page(&self, title: &str, body: Markup) -> Markup {
        self.frame(title, body, self.staff.is_some())
    }

    /// Wraps a public page in the shared frame: the reading width for everyone, the staff
    /// navigation in the header when someone is signed in.
    pub fn public_page(&self, title: &str, body: Markup) -> Markup {
        self.frame(title, body, false)
    }

    fn frame(&self, title: &str, body: Markup, wide: bool) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    // No referrer meta: it would override the `Referrer-Policy` header, which is
                    // `no-referrer` on pages whose URL holds a secret token.
                    meta name="color-scheme" content="light dark";
                    title { (title) " · " (self.publication) }
                    link rel="stylesheet" href="/static/style.css";
                }
                body {
                    a.skip-link href="#main" { "Skip to main content" }
                    header.site-header {
                        div.wrap.wrap-wide[wide].site-header-inner {
                            a.site-name href="/" { (self.publication) " Corrections" }
                            nav.site-nav aria-label="Site" {
                                ul {
                                    li { a href="/corrections" { "Corrections" } }
                                    li { a href="/standards" { "Editorial standards" } }
                                    @if let Some(staff) = &self.staff {
                                        // Auditors cannot work the queue; they read the audit trail.
                                        @if !staff.is_auditor() {
                                            li { a href="/desk" { "Desk" } }
                                        }
                                        li { a href="/desk/desks" { "Desks" } }
                                        li { a href="/desk/standards" { "Standards" } }
                                        @if !staff.is_auditor() {
                                            li {
                                                a href="/desk/corrections" {
                                                    "Approvals"
                                                    @if staff.pending_approvals > 0 {
                                                        span.nav-count {
                                                            span.visually-hidden { ", " }
                                                            (staff.pending_approvals)
                                                            span.visually-hidden { " waiting" }
                                                        }
                                                    }
                                                }
                                            }
                                        }
                                        @if staff.is_standards_editor || staff.is_auditor() {
                                            li { a href="/audit" { "Audit" } }
                                            li { a href="/desk/transparency" { "Figures" } }
                                        }
                                        @if staff.is_standards_editor {
                                            li { a href="/desk/outbox" { "Mail" } }
                                            li { a href="/desk/webhooks" { "Webhooks" } }
                                            li { a href="/desk/erasure" { "Erase reader data" } }
                                        }
                                    }
                                }
                                @if let Some(staff) = &self.staff {
                                    div.staff-nav {
                                        p.signed-in {
                                            "Signed in as " (staff.name) " (" (staff.role_label) ")"
                                        }
                                        form.sign-out method="post" action="/logout" {
                                            input type="hidden" name="csrf" value=(staff.csrf);
                                            button.header-button type="submit" { "Sign out" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    // tabindex -1 lets the skip link move keyboard focus, not only the scroll position.
                    main.wrap.wrap-wide[wide] #main tabindex="-1" {
                        (body)
                    }
                    footer.site-footer {
                        div.wrap.wrap-wide[wide] {
                            p { "Corrigenda — corrections and editorial standards for " (self.publication) }
                        }
                    }
                }
            }
        }
    }
}
