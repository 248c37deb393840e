//! Bulk article import from CSV or JSON lines, one transaction per article.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::Path;

use super::articles::{self, ArticleId, ArticleInput, Upserted};
use super::notices::Notices;
use crate::db::Db;
use crate::error::AppError;

/// The file formats `import articles` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Header row with `id,url,title,section,authors,published_at,text`; authors split on `;`.
    Csv,
    /// One JSON object per line: `id` plus the fields of `PUT /api/v1/articles/{id}`.
    JsonLines,
}

impl Format {
    /// Chosen by extension (`.csv`, `.jsonl`, `.ndjson`, `.json`), else by the first character.
    pub fn detect(path: &Path, first_bytes: &[u8]) -> Self {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("csv") => Self::Csv,
            Some("jsonl" | "ndjson" | "json") => Self::JsonLines,
            _ if first_bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{') => Self::JsonLines,
            _ => Self::Csv,
        }
    }
}

/// One line of the file, parsed or refused.
struct Record {
    line: u64,
    /// Bytes read so far, for the progress bar.
    position: u64,
    parsed: Result<(String, ArticleInput), String>,
}

/// What an import did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Articles that were new.
    pub created: usize,
    /// Articles that existed and were replaced.
    pub updated: usize,
    /// Line number and reason of each refused line.
    pub refused: Vec<(u64, String)>,
}

/// Reads `path` and upserts every valid article; `progress` gets bytes read and the total.
pub fn import_file(
    db: &Db,
    path: &Path,
    notify: super::demo::Notify<'_>,
    now: chrono::NaiveDateTime,
    mut progress: impl FnMut(u64, u64),
) -> anyhow::Result<Summary> {
    let total = std::fs::metadata(path)?.len();
    let mut reader = BufReader::new(File::open(path)?);
    let format = Format::detect(path, reader.fill_buf()?);
    let records: Box<dyn Iterator<Item = Record>> = match format {
        Format::Csv => Box::new(csv_records(reader)?),
        Format::JsonLines => Box::new(json_records(reader)),
    };
    let mut summary = Summary::default();
    for record in records {
        progress(record.position, total);
        let outcome = record.parsed.and_then(|(id, input)| {
            let id = ArticleId::parse(id.trim()).map_err(|e| format!("id: {}", e.message))?;
            db.write_blocking(|conn| {
                let mut notices = Notices::default();
                let out = articles::upsert(conn, &id, &input, &mut notices, now)?;
                notify(conn, &notices, now)?;
                Ok(out)
            })
            .map_err(|e| describe(&e))
        });
        match outcome {
            Ok((_, Upserted::Created)) => summary.created += 1,
            Ok((_, Upserted::Updated)) => summary.updated += 1,
            Err(reason) => summary.refused.push((record.line, reason)),
        }
    }
    progress(total, total);
    Ok(summary)
}

/// A refusal as one line: every bad field with its message.
fn describe(err: &AppError) -> String {
    match err {
        AppError::Invalid(errors) => {
            errors.iter().map(|e| format!("{}: {}", e.field, e.message)).collect::<Vec<_>>().join("; ")
        }
        other => other.public_message(),
    }
}

fn csv_records(reader: impl std::io::Read) -> anyhow::Result<impl Iterator<Item = Record>> {
    let mut csv = csv::ReaderBuilder::new().flexible(false).from_reader(reader);
    let headers = csv.headers()?.clone();
    let column = |name: &str| headers.iter().position(|h| h.trim().eq_ignore_ascii_case(name));
    let required = ["id", "url", "title", "section", "published_at"];
    let missing: Vec<&str> = required.iter().copied().filter(|n| column(n).is_none()).collect();
    if !missing.is_empty() {
        anyhow::bail!(
            "the CSV header lacks the column(s) {}; expected id,url,title,section,authors,published_at,text",
            missing.join(", ")
        );
    }
    let [id, url, title, section, published_at] = required.map(|n| column(n).unwrap_or_default());
    let (authors, text) = (column("authors"), column("text"));
    Ok(csv.into_records().map(move |row| {
        let line = row.as_ref().ok().and_then(|r| r.position()).map_or(0, |p| p.line());
        let position = row.as_ref().ok().and_then(|r| r.position()).map_or(0, |p| p.byte());
        let parsed = row.map_err(|e| format!("unreadable CSV row: {e}")).map(|r| {
            let cell = |i: usize| r.get(i).unwrap_or_default().to_owned();
            let input = ArticleInput {
                url: cell(url),
                title: cell(title),
                section: cell(section),
                authors: authors
                    .map(|i| cell(i).split(';').map(|a| a.trim().to_owned()).filter(|a| !a.is_empty()).collect())
                    .unwrap_or_default(),
                published_at: cell(published_at),
                text: text.map(cell),
            };
            (cell(id), input)
        });
        Record { line, position, parsed }
    }))
}

fn json_records(reader: impl BufRead) -> impl Iterator<Item = Record> {
    let mut position = 0u64;
    reader
        .split(b'\n')
        .enumerate()
        .map(move |(i, line)| {
            let line_no = i as u64 + 1;
            let parsed = line.map_err(|e| format!("unreadable line: {e}")).and_then(|bytes| {
                position += bytes.len() as u64 + 1;
                parse_json_line(&bytes)
            });
            Record { line: line_no, position, parsed: parsed.and_then(|p| p.ok_or_else(String::new)) }
        })
        .filter(|r| !matches!(&r.parsed, Err(reason) if reason.is_empty()))
}

/// Parses one JSON line; `Ok(None)` for a blank line.
fn parse_json_line(bytes: &[u8]) -> Result<Option<(String, ArticleInput)>, String> {
    let text = std::str::from_utf8(bytes).map_err(|_| "the line is not valid UTF-8".to_owned())?;
    if text.trim().is_empty() {
        return Ok(None);
    }
    let mut value: serde_json::Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let id = match value.as_object_mut().map(|o| o.remove("id")) {
        Some(Some(serde_json::Value::String(id))) => id,
        Some(Some(_)) => return Err("id: must be a string".into()),
        Some(None) => return Err("id: is required".into()),
        None => return Err("the line is not a JSON object".into()),
    };
    let input = serde_json::from_value(value).map_err(|e| e.to_string())?;
    Ok(Some((id, input)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_follows_extension_then_content() {
        assert_eq!(Format::detect(Path::new("a.csv"), b"{"), Format::Csv);
        assert_eq!(Format::detect(Path::new("a.jsonl"), b"id,"), Format::JsonLines);
        assert_eq!(Format::detect(Path::new("a.txt"), b"  {\"id\""), Format::JsonLines);
        assert_eq!(Format::detect(Path::new("a"), b"id,url"), Format::Csv);
    }

    #[test]
    fn json_lines_name_what_is_wrong() {
        assert_eq!(parse_json_line(b"  ").map(|r| r.is_none()), Ok(true));
        assert!(parse_json_line(b"[1]").unwrap_err().contains("not a JSON object"));
        assert!(parse_json_line(b"{\"url\":\"x\"}").unwrap_err().contains("id"));
        assert!(parse_json_line(b"{\"id\":\"a\",\"colour\":1}").unwrap_err().contains("colour"));
        assert!(parse_json_line(b"\xff").unwrap_err().contains("UTF-8"));
    }

    mod properties {
        use proptest::prelude::*;

        use crate::domain::cases;
        use crate::domain::import::*;

        /// An article's fields as a CMS might send them, hostile text included.
        fn article() -> impl Strategy<Value = (String, String, String, String, Vec<String>, String, Option<String>)> {
            let author = cases::text()
                .prop_map(|a| a.replace(';', ",").trim().to_owned())
                .prop_filter("a name", |a| !a.is_empty());
            (
                cases::text(),
                cases::text(),
                cases::text(),
                cases::text(),
                proptest::collection::vec(author, 0..4),
                prop_oneof![Just("2026-11-28T09:30:00Z".to_owned()), cases::text()],
                proptest::option::of(cases::text()),
            )
        }

        proptest! {
            #![proptest_config(cases::config(256))]

            #[test]
            fn any_json_line_is_read_or_refused_with_a_reason(line in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..200),
                cases::text().prop_map(String::into_bytes),
                (cases::text(), cases::text()).prop_map(|(k, v)| serde_json::json!({ "id": "a1", k: v }).to_string().into_bytes()),
            ]) {
                match parse_json_line(&line) {
                    Ok(Some((_id, _input))) => {}
                    Ok(None) => prop_assert!(String::from_utf8_lossy(&line).trim().is_empty()),
                    Err(reason) => prop_assert!(!reason.is_empty()),
                }
            }

            #[test]
            fn an_article_written_as_a_json_line_reads_back((id, url, title, section, authors, published_at, text) in article()) {
                let line = serde_json::json!({
                    "id": id, "url": url, "title": title, "section": section,
                    "authors": authors, "published_at": published_at, "text": text,
                });
                let (read_id, input) = parse_json_line(line.to_string().as_bytes()).unwrap().unwrap();
                prop_assert_eq!(
                    (read_id, input.url, input.title, input.section, input.authors, input.published_at, input.text),
                    (id, url, title, section, authors, published_at, text)
                );
            }

            #[test]
            fn an_article_written_as_a_csv_row_reads_back((id, url, title, section, authors, published_at, text) in article()) {
                let mut out = csv::Writer::from_writer(Vec::new());
                out.write_record(["id", "url", "title", "section", "authors", "published_at", "text"]).unwrap();
                let joined = authors.join(";");
                let text_cell = text.clone().unwrap_or_default();
                out.write_record([&id, &url, &title, &section, &joined, &published_at, &text_cell]).unwrap();
                let bytes = out.into_inner().unwrap();
                let records: Vec<Record> = csv_records(bytes.as_slice()).unwrap().collect();
                prop_assert_eq!(records.len(), 1);
                let (read_id, input) = records.into_iter().next().unwrap().parsed.unwrap();
                prop_assert_eq!(
                    (read_id, input.url, input.title, input.section, input.authors, input.published_at, input.text),
                    (id, url, title, section, authors, published_at, Some(text_cell))
                );
            }

            #[test]
            fn any_csv_file_is_read_or_refused_without_panicking(bytes in prop_oneof![
                proptest::collection::vec(any::<u8>(), 0..300),
                cases::text().prop_map(|t| format!("id,url,title,section,published_at\n{t}").into_bytes()),
            ]) {
                if let Ok(records) = csv_records(bytes.as_slice()) {
                    for record in records {
                        if let Err(reason) = record.parsed {
                            prop_assert!(!reason.is_empty());
                        }
                    }
                }
                for record in json_records(bytes.as_slice()) {
                    if let Err(reason) = record.parsed {
                        prop_assert!(!reason.is_empty());
                    }
                }
            }
        }
    }
}
