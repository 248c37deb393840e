//! Finding a reader's quoted passage in an article's text.
//!
//! Readers copy from rendered pages, so typography differs from the CMS text:
//! whitespace runs, curly or straight quotes, the various dashes, ellipses and
//! letter case are all made equal before comparing. A quote with an ellipsis
//! ("the first part ... the last part") matches when its parts occur in order.

/// The text with typography made uniform, for comparison only.
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    for c in text.chars() {
        if c.is_whitespace() || c == '\u{200b}' || c == '\u{ad}' {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => {
                out.push('\'')
            }
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => out.push('"'),
            '\u{2010}'..='\u{2015}' | '\u{2212}' | '\u{fe58}' | '\u{fe63}' | '\u{ff0d}' => {
                out.push('-')
            }
            '\u{2026}' => out.push_str("..."),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Whether `quote` occurs in `text`, modulo typography; an ellipsis may stand for omitted words.
pub fn occurs_in(quote: &str, text: &str) -> bool {
    let text = normalise(text);
    let quote = normalise(quote);
    let parts: Vec<&str> = quote
        .split("...")
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    if parts.is_empty() {
        return false;
    }
    let mut rest = text.as_str();
    for part in parts {
        match rest.find(part) {
            Some(at) => rest = &rest[at + part.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "In early November, the Pentagon said that an estimated 11,000 to 12,000\n\
        North Korean troops had arrived in the region.\n\n\u{201c}Another 1,000 have been injured \
        in the ongoing fight,\u{201d} the Telegraph said \u{2014} citing the NIS.";

    #[test]
    fn exact_passage_matches() {
        assert!(occurs_in(
            "the Pentagon said that an estimated 11,000",
            TEXT
        ));
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
        assert!(occurs_in(
            "the Pentagon said \u{2026} arrived in the region",
            TEXT
        ));
        assert!(occurs_in(
            "the Pentagon said ... arrived in the region",
            TEXT
        ));
        assert!(!occurs_in(
            "arrived in the region ... the Pentagon said",
            TEXT
        ));
    }

    #[test]
    fn absent_or_empty_passage_does_not_match() {
        assert!(!occurs_in("20,000 troops", TEXT));
        assert!(!occurs_in("   ", TEXT));
        assert!(!occurs_in("...", TEXT));
    }
}
