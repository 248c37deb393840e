//! What the property tests share: how many cases they run, and text a hostile client might send.

use proptest::prelude::*;

/// `ci` cases per property, or `PROPTEST_CASES` when it is set (the long run).
pub fn config(ci: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(ci);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

/// Characters that have broken parsers before: controls, separators, look-alikes, quotes,
/// zero-width and direction marks, characters whose lower case is longer.
const SHARP: &[char] = &[
    '\0', '\t', '\n', '\r', '\u{b}', '\u{c}', '\u{7f}', '\u{85}', '\u{a0}', '\u{ad}', '\u{200b}', '\u{202e}',
    '\u{2028}', '\u{feff}', '\u{2026}', '\u{201c}', '\u{2019}', '\u{2014}', '\u{ff1d}', '\u{130}', '\u{1e9e}', '/',
    '\\', '.', '%', '#', '?', '@', ':', ';', ',', '=', '+', '-', '"', '\'', '<', '>', '&', '*', '|', '(', ')', '!',
    '~', '_', '$', '{', '}', '[', ']',
];

/// One character: any Unicode scalar, weighted towards ASCII, controls and [`SHARP`] ones.
pub fn char() -> impl Strategy<Value = char> + Clone {
    prop_oneof![
        4 => any::<char>(),
        3 => proptest::char::range(' ', '~'),
        1 => proptest::char::range('\0', '\u{1f}'),
        1 => proptest::char::range('\u{7f}', '\u{9f}'),
        2 => proptest::sample::select(SHARP),
    ]
}

/// Text of hostile characters: mostly short, sometimes thousands of characters long.
pub fn text() -> impl Strategy<Value = String> + Clone {
    prop_oneof![
        8 => proptest::collection::vec(char(), 0..48).prop_map(String::from_iter),
        1 => (proptest::collection::vec(char(), 1..8), 1000..12_000usize)
            .prop_map(|(pattern, n)| pattern.into_iter().cycle().take(n).collect()),
    ]
}
