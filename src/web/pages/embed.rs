//! What publishers embed besides the notice: the select-to-report script, and a demonstration
//! page showing an article with the notice and the script as a publisher's page would.

use std::sync::OnceLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use base64::Engine;
use corrigenda_templates as views;
use sha2::{Digest, Sha256};

use super::corrections::notice_view;
use crate::error::AppError;
use crate::web::extract::{last_value, query_pairs};
use crate::web::present::{html, public_page, summary};
use crate::web::{steps, AppState, State};

/// How long a cache may keep the script at its plain address before asking again (with its ETag).
const SCRIPT_MAX_AGE: &str = "public, max-age=86400, stale-while-revalidate=604800";
/// The same at its versioned address (`?v=` the current version), which never changes.
const SCRIPT_IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// The script's version: the start of its SHA-256, so it changes whenever the script does.
pub fn script_version() -> &'static str {
    static VERSION: OnceLock<String> = OnceLock::new();
    VERSION.get_or_init(|| hex::encode(Sha256::digest(views::REPORT_SCRIPT.as_bytes()))[..16].to_owned())
}

/// `GET /embed/report.js`: the select-to-report widget, for any site to load.
///
/// Cached for a day at its plain address and revalidated with its ETag; for a year at
/// `?v=VERSION` (the address the demonstration page uses), since that address names one version.
pub async fn script(req: HttpRequest) -> HttpResponse {
    let version = script_version();
    let etag = format!("\"{version}\"");
    let pairs = query_pairs(&req);
    let cache = if last_value(&pairs, "v") == version { SCRIPT_IMMUTABLE } else { SCRIPT_MAX_AGE };
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut response = if fresh { HttpResponse::NotModified() } else { HttpResponse::Ok() };
    response
        .insert_header((header::CACHE_CONTROL, cache))
        .insert_header((header::ETAG, etag))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Loaded by the publisher's pages, also those that isolate themselves (COEP) or ask with CORS.
        .insert_header(("Cross-Origin-Resource-Policy", "cross-origin"))
        .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"));
    if fresh {
        return response.finish();
    }
    response.content_type("text/javascript; charset=utf-8").body(views::REPORT_SCRIPT)
}

/// `GET /embed/demo/{id}`: the article with its notice and the widget, as a publisher's page.
///
/// The text is shown when the publisher made article texts public, or to signed-in staff.
pub async fn demo(state: State, req: HttpRequest, path: web::Path<String>) -> Result<HttpResponse, AppError> {
    let state: &AppState = &state;
    let id = path.into_inner();
    public_page(state, &req, |layout| async move {
        let (article, list) = steps::article_and_corrections(state, id).await?;
        let show_text = state.config.public_article_text || layout.staff.is_some();
        let paragraphs = article.body.as_deref().filter(|_| show_text).map(paragraphs);
        let script_src = state.url(&format!("/embed/report.js?v={}", script_version()));
        let view = views::EmbedDemoView {
            article: summary(&article),
            paragraphs,
            notice: notice_view(state, &article, &list),
            notice_href: state.url(&format!("/articles/{}/notice", article.id)),
            script_src,
        };
        let markup = views::embed_demo(&layout, &view);
        let csp = demo_policy(&markup.0);
        let mut response = html(200, markup);
        response.headers_mut().insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_str(&csp).map_err(|e| AppError::Internal(e.into()))?,
        );
        Ok(response)
    })
    .await
}

/// The article's text as paragraphs (split at blank lines).
fn paragraphs(text: &str) -> Vec<String> {
    text.replace("\r\n", "\n").split("\n\n").map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
}

/// A strict policy, as a careful publisher's page has: scripts only from this site (the
/// widget), no inline script, styles from the stylesheet and, by their hashes, exactly the
/// style attributes the notice carries (CSP's `'unsafe-hashes'`), nothing else inline.
fn demo_policy(page: &str) -> String {
    let mut hashes: Vec<String> = style_attributes(page)
        .iter()
        .map(|style| {
            let digest = Sha256::digest(style.as_bytes());
            format!("'sha256-{}'", base64::engine::general_purpose::STANDARD.encode(digest))
        })
        .collect();
    hashes.sort();
    hashes.dedup();
    let styles = if hashes.is_empty() { String::new() } else { format!(" 'unsafe-hashes' {}", hashes.join(" ")) };
    format!(
        "default-src 'none'; script-src 'self'; style-src 'self'{styles}; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The values of the `style` attributes in `page`, unescaped. maud writes every attribute in
/// double quotes and escapes `"` in text as `&quot;`, so `style="` only ever starts an attribute.
fn style_attributes(page: &str) -> Vec<String> {
    page.split(" style=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|raw| raw.replace("&quot;", "\"").replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&"))
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_allows_exactly_the_style_attributes_on_the_page() {
        let page = r#"<p style="margin:0">x</p><p style="margin:0">y</p><p>style=&quot;color:red&quot;</p><b style="a&amp;b">"#;
        assert_eq!(super::style_attributes(page), vec!["margin:0", "margin:0", "a&b"]);
        let policy = super::demo_policy(page);
        assert!(policy.contains("'unsafe-hashes' "), "{policy}");
        assert_eq!(policy.matches("'sha256-").count(), 2, "{policy}");
        assert!(policy.contains("script-src 'self';") && !policy.contains("unsafe-inline"), "{policy}");
        assert!(!super::demo_policy("<p>plain</p>").contains("unsafe-hashes"));
    }

    #[test]
    fn the_text_is_split_into_paragraphs_at_blank_lines() {
        assert_eq!(super::paragraphs("One.\r\n\r\nTwo\nlines.\n\n\n\n"), vec!["One.", "Two\nlines."]);
    }

    #[test]
    fn the_script_version_follows_the_script() {
        assert_eq!(super::script_version().len(), 16);
        assert!(super::script_version().chars().all(|c| c.is_ascii_hexdigit()));
    }
}
