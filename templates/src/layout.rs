//! The shared page frame and the stylesheet.

use maud::{html, Markup, DOCTYPE};

/// The stylesheet served at `/static/style.css`.
pub const STYLESHEET: &str = include_str!("style.css");

/// What every page's frame needs to know.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The publication's name, shown in the header and the title.
    pub publication: String,
}

impl Layout {
    /// Wraps `body` in the shared frame with `title` as the page title.
    pub fn page(&self, title: &str, body: Markup) -> Markup {
        html! {
            (DOCTYPE)
            html lang="en" {
                head {
                    meta charset="utf-8";
                    meta name="viewport" content="width=device-width, initial-scale=1";
                    // Tracking pages carry their secret token in the URL: never send it elsewhere.
                    meta name="referrer" content="same-origin";
                    meta name="color-scheme" content="light dark";
                    title { (title) " · " (self.publication) }
                    link rel="stylesheet" href="/static/style.css";
                }
                body {
                    a.skip-link href="#main" { "Skip to main content" }
                    header.site-header {
                        div.wrap.site-header-inner {
                            a.site-name href="/" { (self.publication) " Corrections" }
                            nav.site-nav aria-label="Site" {
                                ul {
                                    li { a href="/corrections" { "Corrections" } }
                                    li { a href="/standards" { "Editorial standards" } }
                                }
                            }
                        }
                    }
                    // tabindex -1 lets the skip link move keyboard focus, not only the scroll position.
                    main.wrap #main tabindex="-1" {
                        (body)
                    }
                    footer.site-footer {
                        div.wrap {
                            p { "Corrigenda — corrections and editorial standards for " (self.publication) }
                        }
                    }
                }
            }
        }
    }
}
