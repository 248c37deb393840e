//! Finding a reader's quoted passage in an article's text.
//!
//! Readers copy from rendered pages, so typography differs from the CMS text:
//! whitespace runs, curly or straight quotes, the various dashes, ellipses and
//! letter case are all made equal before comparing. A quote with an ellipsis
//! ("the first part ... the last part") matches when its parts occur in order.

/// The text with typography made uniform, for comparison only.
pub fn normalise(text: &str) -> String {
    normalise_mapped(text).0
}

/// [`normalise`], plus for each output byte the byte range of the input character it came from.
fn normalise_mapped(text: &str) -> (String, Vec<(usize, usize)>) {
    let mut out = String::with_capacity(text.len());
    let mut map = Vec::with_capacity(text.len());
    let mut pending_space: Option<(usize, usize)> = None;
    let push = |out: &mut String, map: &mut Vec<(usize, usize)>, s: &str, from: (usize, usize)| {
        out.push_str(s);
        map.extend(std::iter::repeat_n(from, s.len()));
    };
    for (at, c) in text.char_indices() {
        let from = (at, at + c.len_utf8());
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{ad}' {
            if !out.is_empty() && pending_space.is_none() {
                pending_space = Some(from);
            }
            continue;
        }
        if let Some(space) = pending_space.take() {
            push(&mut out, &mut map, " ", space);
        }
        let mut buf = [0u8; 4];
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => {
                push(&mut out, &mut map, "'", from)
            }
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}' | '\u{bb}' => {
                push(&mut out, &mut map, "\"", from)
            }
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}' => {
                push(&mut out, &mut map, "-", from)
            }
            '\u{2026}' => push(&mut out, &mut map, "...", from),
            c => {
                for lower in c.to_lowercase() {
                    push(&mut out, &mut map, lower.encode_utf8(&mut buf), from);
                }
            }
        }
    }
    (out, map)
}

/// Where the normalised `quote` occurs in the normalised text (byte range of `text_n`).
fn find_normalised(quote: &str, text_n: &str) -> Option<(usize, usize)> {
    let parts = quote.split("...").map(str::trim).filter(|p| !p.is_empty());
    let mut from = 0;
    let mut range: Option<(usize, usize)> = None;
    for part in parts {
        let at = from + text_n[from..].find(part)?;
        let end = at + part.len();
        range = Some((range.map_or(at, |r| r.0), end));
        from = end;
    }
    range
}

/// Where `quote` occurs in `text` (byte range in `text`), modulo typography; an ellipsis may stand for omitted words.
pub fn span(quote: &str, text: &str) -> Option<std::ops::Range<usize>> {
    let (text_n, map) = normalise_mapped(text);
    let (start, end) = find_normalised(&normalise(quote), &text_n)?;
    Some(map[start].0..map[end - 1].1)
}

/// Where `quote` occurs in an already normalised text (see [`Normalised`]), as a byte range of it.
pub fn normalised_span(quote: &str, text_n: &str) -> Option<(i64, i64)> {
    find_normalised(&normalise(quote), text_n).map(|(s, e)| (s as i64, e as i64))
}

/// Normalised article texts, each computed once per version of the article and kept.
///
/// Filing a report and finding likely duplicates compare quotes with the article's text;
/// normalising a long article on every request was most of their cost.
pub struct Normalised {
    texts: quick_cache::sync::Cache<(String, chrono::NaiveDateTime), std::sync::Arc<str>, ByLength>,
}

/// Weighs a kept text by its length.
#[derive(Clone)]
pub struct ByLength;

impl quick_cache::Weighter<(String, chrono::NaiveDateTime), std::sync::Arc<str>> for ByLength {
    fn weight(&self, key: &(String, chrono::NaiveDateTime), text: &std::sync::Arc<str>) -> u64 {
        (key.0.len() + text.len() + 64) as u64
    }
}

impl Normalised {
    /// A store of at most about `bytes` of text.
    pub fn new(bytes: u64) -> Self {
        Self { texts: quick_cache::sync::Cache::with_weighter((bytes / 4096).max(16) as usize, bytes, ByLength) }
    }

    /// The process-wide store.
    pub fn shared() -> &'static Self {
        static SHARED: std::sync::OnceLock<Normalised> = std::sync::OnceLock::new();
        SHARED.get_or_init(|| Self::new(32 << 20))
    }

    /// The normalised text of an article's `body` as of `updated_at`.
    pub fn of(&self, id: &str, updated_at: chrono::NaiveDateTime, body: &str) -> std::sync::Arc<str> {
        let key = (id.to_owned(), updated_at);
        if let Some(text) = self.texts.get(&key) {
            return text;
        }
        let text: std::sync::Arc<str> = normalise(body).into();
        self.texts.insert(key, text.clone());
        text
    }
}

/// Whether `quote` occurs in `text`, modulo typography; an ellipsis may stand for omitted words.
pub fn occurs_in(quote: &str, text: &str) -> bool {
    span(quote, text).is_some()
}

/// Whether two quoted passages overlap: in the article's text when known, else by containment.
pub fn overlap(a: &str, b: &str, text: Option<&str>) -> bool {
    if let Some(text) = text {
        if let (Some(x), Some(y)) = (span(a, text), span(b, text)) {
            return x.start < y.end && y.start < x.end;
        }
    }
    let (a, b) = (normalise(a), normalise(b));
    !a.is_empty() && !b.is_empty() && (a.contains(&b) || b.contains(&a))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "In early November, the Pentagon said that an estimated 11,000 to 12,000\n\
        North Korean troops had arrived in the region.\n\n\u{201c}Another 1,000 have been injured \
        in the ongoing fight,\u{201d} the Telegraph said \u{2014} citing the NIS.";

    #[test]
    fn exact_passage_matches() {
        assert!(occurs_in("the Pentagon said that an estimated 11,000", TEXT));
    }

    #[test]
    fn whitespace_quotes_dashes_and_case_are_normalised() {
        assert!(occurs_in("12,000 north korean   troops", TEXT));
        assert!(occurs_in(
            "\"Another 1,000 have been injured in the ongoing fight,\" the Telegraph said - citing",
            TEXT
        ));
    }

    #[test]
    fn ellipsis_parts_must_occur_in_order() {
        assert!(occurs_in("the Pentagon said \u{2026} arrived in the region", TEXT));
        assert!(occurs_in("the Pentagon said ... arrived in the region", TEXT));
        assert!(!occurs_in("arrived in the region ... the Pentagon said", TEXT));
    }

    #[test]
    fn span_points_at_the_original_bytes() {
        let range = span("\"another 1,000", TEXT).unwrap();
        assert_eq!(&TEXT[range], "\u{201c}Another 1,000");
        let range = span("Pentagon said ... 11,000", TEXT).unwrap();
        assert_eq!(&TEXT[range], "Pentagon said that an estimated 11,000");
    }

    #[test]
    fn overlapping_passages_are_found_with_or_without_the_text() {
        assert!(overlap("estimated 11,000 to 12,000", "12,000\nNorth Korean troops", Some(TEXT)));
        assert!(!overlap("the Pentagon said", "the Telegraph said", Some(TEXT)));
        assert!(overlap("four-year mark", "approaching its four-year mark", None));
        assert!(!overlap("four-year mark", "three-year mark", None));
    }

    #[test]
    fn normalised_spans_are_positions_in_the_kept_text() {
        let kept = Normalised::new(1 << 20);
        let at = chrono::NaiveDateTime::default();
        let text_n = kept.of("a", at, TEXT);
        let (start, end) = normalised_span("North  Korean\ntroops", &text_n).unwrap();
        assert_eq!(&text_n[start as usize..end as usize], "north korean troops");
        assert!(std::sync::Arc::ptr_eq(&text_n, &kept.of("a", at, "ignored: the kept text is used")));
        assert_eq!(normalised_span("20,000 troops", &text_n), None);
    }

    #[test]
    fn absent_or_empty_passage_does_not_match() {
        assert!(!occurs_in("20,000 troops", TEXT));
        assert!(!occurs_in("   ", TEXT));
        assert!(!occurs_in("...", TEXT));
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::quote::*;

        /// Text with the typography readers' copies differ in.
        fn typographic() -> impl Strategy<Value = String> {
            let piece = prop_oneof![
                4 => "[A-Za-z0-9,]{1,8}",
                1 => proptest::sample::select(&[" ", "  ", "\n", "\u{a0}", "\u{200b}", "\u{2019}", "'", "\u{201c}", "\"", "\u{2014}", "-", "\u{2026}", "...", "\u{130}", "\u{ad}"][..]).prop_map(str::to_owned),
            ];
            proptest::collection::vec(piece, 1..60).prop_map(|p| p.concat())
        }

        fn text() -> impl Strategy<Value = String> {
            prop_oneof![typographic(), cases::text()]
        }

        proptest! {
            #![proptest_config(cases::config(256))]

            #[test]
            fn matching_never_panics_and_spans_lie_on_character_boundaries(quote in text(), body in text()) {
                if let Some(range) = span(&quote, &body) {
                    prop_assert!(body.get(range.clone()).is_some(), "{range:?} in {body:?}");
                }
                let body_n = normalise(&body);
                if let Some((start, end)) = normalised_span(&quote, &body_n) {
                    prop_assert!(body_n.get(start as usize..end as usize).is_some());
                }
                let _ = overlap(&quote, &body, Some(&body));
                let _ = overlap(&quote, &body, None);
            }

            #[test]
            fn a_passage_copied_from_the_text_is_found_where_it_was(
                body in text(),
                from in any::<proptest::sample::Index>(),
                len in 1..300_usize,
            ) {
                let chars: Vec<char> = body.chars().collect();
                let start = from.index(chars.len().max(1)).min(chars.len());
                let quote: String = chars[start..].iter().take(len).collect();
                let parts: Vec<String> =
                    normalise(&quote).split("...").map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect();
                prop_assume!(!parts.is_empty());
                let range = span(&quote, &body);
                prop_assert!(range.is_some(), "{quote:?} not found in {body:?}");
                let found = normalise(&body[range.unwrap_or_default()]);
                for part in &parts {
                    prop_assert!(found.contains(part.as_str()), "{part:?} not in {found:?}");
                }
                prop_assert!(overlap(&quote, &quote, Some(&body)));
            }
        }
    }
}
