//! Word-level differences between an original and a corrected passage.

use similar::{ChangeTag, TextDiff};

/// How a stretch changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// In both.
    Same,
    /// Only in the original.
    Removed,
    /// Only in the corrected passage.
    Added,
}

/// The passages as runs of unchanged, removed and added words (whitespace kept).
pub fn words(original: &str, corrected: &str) -> Vec<(Change, String)> {
    let mut parts: Vec<(Change, String)> = Vec::new();
    for change in TextDiff::from_words(original, corrected).iter_all_changes() {
        let kind = match change.tag() {
            ChangeTag::Equal => Change::Same,
            ChangeTag::Delete => Change::Removed,
            ChangeTag::Insert => Change::Added,
        };
        match parts.last_mut() {
            Some((last, text)) if *last == kind => text.push_str(change.value()),
            _ => parts.push((kind, change.value().to_owned())),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_word_is_removed_then_added() {
        let parts = words("approaching its four-year mark", "approaching its three-year mark");
        assert_eq!(
            parts,
            [
                (Change::Same, "approaching its ".to_owned()),
                (Change::Removed, "four-year".to_owned()),
                (Change::Added, "three-year".to_owned()),
                (Change::Same, " mark".to_owned()),
            ]
        );
    }

    #[test]
    fn identical_passages_are_one_unchanged_run() {
        assert_eq!(words("same text", "same text"), [(Change::Same, "same text".to_owned())]);
    }
}
