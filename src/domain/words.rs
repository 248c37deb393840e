//! Words to search for, as each backend's full-text index takes them.
//!
//! A word is a run of letters and digits, lower-cased; every word must match, the last one also
//! as the start of a longer word (`BUDG` finds "budget" while it is typed). Whole words are
//! found in the index directly, where a prefix makes both backends merge the lists of every
//! word it starts. Only such words reach the SQL, so they are written into it as literals.

/// Most words looked for at once.
pub const WORDS_MAX: usize = 8;

/// The words of a search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words(pub Vec<String>);

impl Words {
    /// The words of `raw` (punctuation and spaces separate them; at most [`WORDS_MAX`], 64 characters each).
    pub fn of(raw: &str) -> Self {
        Self(
            raw.split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .take(WORDS_MAX)
                .map(|w| w.chars().take(64).collect::<String>().to_lowercase())
                .collect(),
        )
    }

    /// Whether there is nothing to look for.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The FTS5 query: each word quoted, the last also as a prefix, all required.
    pub fn fts5(&self) -> String {
        self.each(|w, last| format!("\"{w}\"{}", if last { "*" } else { "" })).join(" ")
    }

    /// The PostgreSQL `tsquery`: each word, the last also as a prefix, all required.
    pub fn tsquery(&self) -> String {
        self.each(|w, last| format!("{w}{}", if last { ":*" } else { "" })).join(" & ")
    }

    /// Each word written by `write`, told whether it is the last.
    fn each(&self, write: impl Fn(&str, bool) -> String) -> Vec<String> {
        self.0.iter().enumerate().map(|(i, w)| write(w, i + 1 == self.0.len())).collect()
    }

    /// The PostgreSQL test that an article's headline has every word, through `articles_search`.
    pub fn title_test(&self) -> String {
        format!("to_tsvector('simple', title) @@ to_tsquery('simple', '{}')", self.tsquery())
    }

    /// The test that the headline of the article whose id is `id` (a column of the row at hand)
    /// has every word, for a query that tests rows one by one: SQLite's looks the article's rowid
    /// up in the index of its primary key rather than reading the articles that match.
    pub fn headline_test(&self, id: &str, postgres: bool) -> String {
        if postgres {
            self.headline_condition(id, true)
        } else {
            format!(
                "(SELECT rowid FROM articles WHERE articles.id = {id}) IN \
                 (SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{}')",
                self.fts5()
            )
        }
    }

    /// The condition that an article's headline has every word, through `articles_fts` (SQLite)
    /// or the `articles_search` text-search index (PostgreSQL); `id` names the article's id column.
    pub fn headline_condition(&self, id: &str, postgres: bool) -> String {
        if postgres {
            format!("{id} IN (SELECT id FROM articles WHERE {})", self.title_test())
        } else {
            format!(
                "{id} IN (SELECT id FROM articles WHERE rowid IN \
                 (SELECT rowid FROM articles_fts WHERE articles_fts MATCH '{}'))",
                self.fts5()
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_letters_and_digits_reach_the_query() {
        let w = Words::of("  Budget' OR 1=1; -- Café 5% ");
        assert_eq!(w.0, ["budget", "or", "1", "1", "café", "5"]);
        assert_eq!(w.fts5(), r#""budget" "or" "1" "1" "café" "5"*"#);
        assert_eq!(w.tsquery(), "budget & or & 1 & 1 & café & 5:*");
        assert!(Words::of("% -- ''").is_empty());
        assert_eq!(Words::of(&"a ".repeat(20)).0.len(), WORDS_MAX);
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::words::*;

        proptest! {
            #![proptest_config(cases::config(512))]

            #[test]
            fn only_letters_and_digits_reach_the_index_queries(raw in cases::text()) {
                let words = Words::of(&raw);
                prop_assert!(words.0.len() <= WORDS_MAX);
                for word in &words.0 {
                    prop_assert!(!word.is_empty() && word.chars().count() <= 2 * 64);
                    prop_assert!(!word.chars().any(|c| c.is_ascii_punctuation() || c.is_whitespace() || c.is_control()), "{word:?}");
                }
                // What goes between the quotes of an SQL literal.
                for literal in [words.fts5(), words.tsquery()] {
                    prop_assert!(!literal.contains('\'') && !literal.contains('\0'), "{literal:?}");
                }
            }
        }
    }
}
