//! Small pieces shared by the public and the staff pages: labelled form
//! controls with their hint and error wiring, the error summary, the article
//! box, safe links, paragraphs and number formatting.

use maud::{html, Markup};

use crate::article::ArticleSummary;
use crate::forms::{FieldError, Opt};

/// One labelled control: what its label, hint and error message need.
pub(crate) struct Field<'a> {
    /// The control's `name`.
    pub name: &'a str,
    /// What the control's ids are built from: its name, plus a suffix where a
    /// page has several controls of one name (one `reason` per move form).
    pub key: String,
    pub label: &'a str,
    /// Shown under the label; empty for none.
    pub hint: String,
    pub errors: Vec<&'a str>,
}

impl<'a> Field<'a> {
    pub fn new(name: &'a str, label: &'a str, hint: impl Into<String>) -> Self {
        Field { name, key: name.to_owned(), label, hint: hint.into(), errors: Vec::new() }
    }

    /// The same field with these error messages.
    pub fn with_errors(mut self, errors: Vec<&'a str>) -> Self {
        self.errors = errors;
        self
    }

    /// The same field with `suffix` added to its ids, keeping them unique on a
    /// page with several forms that share field names.
    pub fn with_id_suffix(mut self, suffix: &str) -> Self {
        self.key = format!("{}-{}", self.name, id_safe(suffix));
        self
    }

    pub fn id(&self) -> String {
        format!("field-{}", self.key)
    }

    pub fn hint_id(&self) -> String {
        format!("hint-{}", self.key)
    }

    pub fn error_id(&self) -> String {
        format!("error-{}", self.key)
    }

    pub fn has_hint(&self) -> bool {
        !self.hint.is_empty()
    }

    pub fn has_error(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The ids of the hint and the error message, when there are any.
    pub fn described_by(&self) -> Option<String> {
        let ids: Vec<String> = [self.has_hint().then(|| self.hint_id()), self.has_error().then(|| self.error_id())]
            .into_iter()
            .flatten()
            .collect();
        (!ids.is_empty()).then(|| ids.join(" "))
    }

    pub fn invalid(&self) -> Option<&'static str> {
        self.has_error().then_some("true")
    }
}

/// The messages of `errors` that belong to the field `name`.
pub(crate) fn messages_for<'a>(errors: &'a [FieldError], name: &str) -> Vec<&'a str> {
    errors.iter().filter(|e| e.field == name).map(|e| e.message.as_str()).collect()
}

/// Label, hint, error message and control, in the order a screen reader meets them.
pub(crate) fn form_group(field: &Field, control: Markup) -> Markup {
    html! {
        div.form-group.has-error[field.has_error()] {
            label.label for=(field.id()) { (field.label) }
            (hint(field))
            (field_error(field))
            (control)
        }
    }
}

/// A form group for a form of one field, which has no error summary: the
/// message beside the field is itself the alert.
pub(crate) fn single_field_group(field: &Field, control: Markup) -> Markup {
    html! {
        div.form-group.has-error[field.has_error()] {
            label.label for=(field.id()) { (field.label) }
            (hint(field))
            @if field.has_error() {
                div role="alert" { (field_error(field)) }
            }
            (control)
        }
    }
}

/// A group of checkboxes sharing one name, under a legend, with the group's
/// hint and error. The fieldset carries the field's id, so an error summary
/// link lands on it; each box's id adds its value.
pub(crate) fn checkbox_group(field: &Field, opts: &[Opt]) -> Markup {
    html! {
        fieldset.checkbox-group.form-group.has-error[field.has_error()] id=(field.id())
            aria-describedby=[field.described_by()] {
            legend.label { (field.label) }
            (hint(field))
            (field_error(field))
            div.checkboxes {
                @for opt in opts {
                    @let id = format!("{}-{}", field.id(), id_safe(&opt.value));
                    div.checkbox {
                        input #(id) type="checkbox" name=(field.name) value=(opt.value) checked[opt.selected];
                        label for=(id) { (opt.label) }
                    }
                }
            }
        }
    }
}

/// The `<option>`s of a select.
pub(crate) fn options(opts: &[Opt]) -> Markup {
    html! {
        @for opt in opts {
            option value=(opt.value) selected[opt.selected] { (opt.label) }
        }
    }
}

/// A labelled select, rendered only when it has options.
pub(crate) fn select_group(name: &str, label: &str, opts: &[Opt]) -> Markup {
    let field = Field::new(name, label, "");
    html! {
        @if !opts.is_empty() {
            (form_group(&field, html! {
                select.select id=(field.id()) name=(field.name) { (options(opts)) }
            }))
        }
    }
}

/// A labelled date input (YYYY-MM-DD), for the filter forms' `from` and `to`.
pub(crate) fn date_group(name: &str, label: &str, value: &str) -> Markup {
    let field = Field::new(name, label, "");
    form_group(
        &field,
        html! {
            input.input id=(field.id()) type="date" name=(field.name) value=(value);
        },
    )
}

/// The link to a list's next page, when there is one.
pub(crate) fn pager(next_href: Option<&str>) -> Markup {
    html! {
        @if let Some(next) = next_href {
            nav.pager aria-label="Pages" {
                a href=(next) rel="next" { "Next page" }
            }
        }
    }
}

/// The command that checks the public log against its signing key, as anyone can run it.
pub(crate) fn verify_log_command(public_key: &str) -> Markup {
    html! {
        code.command {
            "corrigenda verify-log --url " var { "this site's address" } " --pin "
            @if public_key.is_empty() {
                var { "the public key" }
            } @else {
                (public_key)
            }
        }
    }
}

/// The field's hint, if it has one.
fn hint(field: &Field) -> Markup {
    html! {
        @if field.has_hint() {
            p.hint id=(field.hint_id()) { (field.hint) }
        }
    }
}

/// The field's error messages, if any, under one id for `aria-describedby`.
pub(crate) fn field_error(field: &Field) -> Markup {
    html! {
        @if field.has_error() {
            p.field-error id=(field.error_id()) {
                @for (i, message) in field.errors.iter().enumerate() {
                    @if i > 0 { br; }
                    span.visually-hidden { "Error: " }
                    (message)
                }
            }
        }
    }
}

/// The box at the top of a form listing every problem. Errors for one of the
/// form's `fields` link to it; others (and `form_error`) are plain text.
pub(crate) fn error_summary(errors: &[FieldError], form_error: Option<&str>, fields: &[&str]) -> Markup {
    html! {
        div.error-summary role="alert" aria-labelledby="error-summary-title" {
            h2 #error-summary-title { "There is a problem" }
            ul {
                @if let Some(message) = form_error {
                    li { (message) }
                }
                @for error in errors {
                    li {
                        @if fields.contains(&error.field.as_str()) {
                            a href={ "#field-" (error.field) } { (error.message) }
                        } @else {
                            (error.message)
                        }
                    }
                }
            }
        }
    }
}

/// A done action's message, announced politely.
pub(crate) fn notice_panel(message: &str) -> Markup {
    html! {
        div.panel-success role="status" {
            p { (message) }
        }
    }
}

/// The article a report is about: title (linked), section, authors, date.
pub(crate) fn article_box(article: &ArticleSummary) -> Markup {
    html! {
        section.article-box aria-labelledby="article-heading" {
            h2 #article-heading { "The article" }
            p.article-title { (link_if_web(&article.url, &article.title, "noopener noreferrer")) }
            ul.article-meta {
                @if !article.section.is_empty() {
                    li { (article.section) }
                }
                @if !article.authors.is_empty() {
                    li { "By " (join_names(&article.authors)) }
                }
                @if !article.published.is_empty() {
                    li { "Published " (article.published) }
                }
            }
        }
    }
}

/// Evidence links as a list, each a link only when it is a web address.
pub(crate) fn evidence_list(urls: &[String]) -> Markup {
    html! {
        ul.evidence {
            @for url in urls {
                li { (link_if_web(url, url, "nofollow noopener noreferrer")) }
            }
        }
    }
}

/// A link to `url` when it is a web address, else just the text: a
/// `javascript:` or `data:` URL must never become clickable.
pub(crate) fn link_if_web(url: &str, text: &str, rel: &str) -> Markup {
    let lower = url.to_ascii_lowercase();
    html! {
        @if lower.starts_with("https://") || lower.starts_with("http://") {
            a href=(url) rel=(rel) { (text) }
        } @else {
            (text)
        }
    }
}

/// A textarea's content: the HTML parser drops one leading newline, so one
/// is added to keep a value that starts with a blank line intact.
pub(crate) fn textarea_value(value: &str) -> Markup {
    html! { "\n" (value) }
}

/// "A", "A and B", "A, B and C".
pub(crate) fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {}", init.join(", "), last),
    }
}

/// `n` with thousands separators, e.g. "2,000".
pub(crate) fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "1 link", "5 links".
pub(crate) fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{} {}", count(n), if n == 1 { one } else { many })
}

/// Plain text split into paragraphs at blank lines; single line breaks stay
/// inside their paragraph.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim_end());
        }
    }
    if !current.is_empty() {
        out.push(current.join("\n"));
    }
    out
}

/// Text for screen readers only, e.g. "removed:" before a deletion.
///
/// `inline` gives the span its own style attribute instead of the stylesheet's
/// class, for the embeddable notice, which cannot count on our stylesheet.
pub(crate) fn screen_reader_text(text: &str, inline: bool) -> Markup {
    html! {
        @if inline {
            span style=(VISUALLY_HIDDEN_STYLE) { (text) }
        } @else {
            span.visually-hidden { (text) }
        }
    }
}

/// The stylesheet's `.visually-hidden`, as an inline style.
const VISUALLY_HIDDEN_STYLE: &str = "position:absolute;width:1px;height:1px;margin:-1px;padding:0;\
     overflow:hidden;clip:rect(0 0 0 0);clip-path:inset(50%);white-space:nowrap;border:0";

/// `value` made fit for an id: letters, digits, `-` and `_` kept, anything
/// else (spaces above all, which would split an `aria-describedby` list) as `-`.
pub(crate) fn id_safe(value: &str) -> String {
    value.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn count_groups_thousands() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(2000), "2,000");
        assert_eq!(count(1234567), "1,234,567");
    }

    #[test]
    fn plural_agrees_with_the_number() {
        assert_eq!(plural(1, "link", "links"), "1 link");
        assert_eq!(plural(5, "link", "links"), "5 links");
    }

    #[test]
    fn join_names_reads_as_english() {
        let names = |n: &[&str]| n.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_names(&names(&[])), "");
        assert_eq!(join_names(&names(&["Ann"])), "Ann");
        assert_eq!(join_names(&names(&["Ann", "Bo"])), "Ann and Bo");
        assert_eq!(join_names(&names(&["Ann", "Bo", "Cy"])), "Ann, Bo and Cy");
    }

    #[test]
    fn only_web_urls_become_links() {
        let link = |url| link_if_web(url, "text", "nofollow").into_string();
        assert_eq!(link("https://a.example/"), "<a href=\"https://a.example/\" rel=\"nofollow\">text</a>");
        assert_eq!(link("HTTP://a.example/"), "<a href=\"HTTP://a.example/\" rel=\"nofollow\">text</a>");
        assert_eq!(link("javascript:alert(1)"), "text");
        assert_eq!(link(" https://a.example/"), "text");
        assert_eq!(link("/relative"), "text");
    }

    #[test]
    fn paragraphs_split_at_blank_lines() {
        assert_eq!(paragraphs(""), Vec::<String>::new());
        assert_eq!(paragraphs("One."), ["One."]);
        assert_eq!(paragraphs("One.\nStill one.\n\nTwo.\r\n  \r\n\nThree.\n"), ["One.\nStill one.", "Two.", "Three."]);
        assert_eq!(paragraphs("\n\n  \n"), Vec::<String>::new());
    }

    #[test]
    fn screen_reader_text_is_hidden_with_or_without_the_stylesheet() {
        assert_eq!(screen_reader_text("added:", false).into_string(), "<span class=\"visually-hidden\">added:</span>");
        let inline = screen_reader_text("added:", true).into_string();
        assert!(inline.starts_with("<span style=\"position:absolute;width:1px;height:1px;"), "{inline}");
        assert!(inline.contains("clip:rect(0 0 0 0)"));
        assert!(inline.ends_with(">added:</span>"));
    }

    #[test]
    fn id_safe_keeps_ids_whole() {
        assert_eq!(id_safe("needs_info"), "needs_info");
        assert_eq!(id_safe("in-review"), "in-review");
        assert_eq!(id_safe("a b\"<c>"), "a-b--c-");
    }

    #[test]
    fn field_ids_take_the_suffix() {
        let field = Field::new("reason", "Reason", "").with_id_suffix("no change");
        assert_eq!(field.id(), "field-reason-no-change");
        assert_eq!(field.described_by(), None);
        let field = field.with_errors(vec!["Missing."]);
        assert_eq!(field.described_by().as_deref(), Some("error-reason-no-change"));
        let field = Field::new("q", "Find", "Hint.");
        assert_eq!(field.described_by().as_deref(), Some("hint-q"));
    }
}
