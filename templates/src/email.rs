//! Email bodies: one shape for every message, as plain text and as HTML.

use maud::{html, Markup, DOCTYPE};

/// What a message says.
#[derive(Debug, Clone, Default)]
pub struct EmailView {
    /// The publication, named in the header and the sign-off.
    pub publication: String,
    /// Paragraphs of plain text (shown in order).
    pub paragraphs: Vec<String>,
    /// A quoted passage (the reader's, or the correction's text), when there is one.
    pub quote: Option<String>,
    /// The main link: (label, absolute URL).
    pub action: Option<(String, String)>,
    /// The unsubscribe link, for messages to subscribers.
    pub unsubscribe: Option<String>,
}

/// The plain-text part.
pub fn email_text(view: &EmailView) -> String {
    let mut out = String::new();
    for p in &view.paragraphs {
        out.push_str(p);
        out.push_str("\n\n");
    }
    if let Some(quote) = &view.quote {
        for line in quote.lines() {
            out.push_str("> ");
            out.push_str(line);
            out.push('\n');
        }
        out.push('\n');
    }
    if let Some((label, url)) = &view.action {
        out.push_str(&format!("{label}:\n{url}\n\n"));
    }
    out.push_str(&format!("-- \n{} corrections desk\n", view.publication));
    if let Some(url) = &view.unsubscribe {
        out.push_str(&format!("Unsubscribe: {url}\n"));
    }
    out
}

/// The HTML part (every value escaped; inline styles only, as mail clients need).
pub fn email_html(view: &EmailView) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head { meta charset="utf-8"; title { (view.publication) " corrections" } }
            body style="font-family: system-ui, sans-serif; line-height: 1.5; color: #1a1a1a; max-width: 40rem; margin: 0 auto; padding: 1rem;" {
                p style="font-weight: bold; border-bottom: 1px solid #ccc; padding-bottom: .5rem;" { (view.publication) " corrections desk" }
                @for p in &view.paragraphs {
                    p style="white-space: pre-wrap;" { (p) }
                }
                @if let Some(quote) = &view.quote {
                    blockquote style="border-left: 4px solid #999; margin: 1rem 0; padding: .25rem 1rem; white-space: pre-wrap;" { (quote) }
                }
                @if let Some((label, url)) = &view.action {
                    p { a href=(url) style="color: #0b4ea2; font-weight: bold;" { (label) } }
                }
                @if let Some(url) = &view.unsubscribe {
                    p style="font-size: .875rem; color: #555; border-top: 1px solid #ccc; padding-top: .5rem;" {
                        "You receive this because you asked to be told about corrections to this article. "
                        a href=(url) style="color: #0b4ea2;" { "Unsubscribe" }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view() -> EmailView {
        EmailView {
            publication: "The <Gazette>".into(),
            paragraphs: vec!["Hello <b>reader</b>".into()],
            quote: Some("line one\nline two".into()),
            action: Some(("Follow your report".into(), "https://x.example/reports/abc?a=1&b=2".into())),
            unsubscribe: Some("https://x.example/subscriptions/t/unsubscribe".into()),
        }
    }

    #[test]
    fn text_part_quotes_and_links() {
        let text = email_text(&view());
        assert!(text.contains("> line one\n> line two"));
        assert!(text.contains("Follow your report:\nhttps://x.example/reports/abc?a=1&b=2"));
        assert!(text.contains("Unsubscribe: https://x.example/subscriptions/t/unsubscribe"));
    }

    #[test]
    fn html_part_escapes_everything() {
        let html = email_html(&view()).into_string();
        assert!(html.contains("Hello &lt;b&gt;reader&lt;/b&gt;"));
        assert!(html.contains("The &lt;Gazette&gt;"));
        assert!(html.contains("href=\"https://x.example/reports/abc?a=1&amp;b=2\""));
    }
}
