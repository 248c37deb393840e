//! The article a page is about, as the report form, the tracking page, the logs and the desk show it.

/// The article a report is about, as the form shows it.
#[derive(Debug, Clone)]
pub struct ArticleSummary {
    pub id: String,
    pub title: String,
    pub url: String,
    pub section: String,
    pub authors: Vec<String>,
    /// Already formatted, e.g. "28 November 2026".
    pub published: String,
    /// Whether the article's text is on file (the quote is then checked against it).
    pub text_known: bool,
}
