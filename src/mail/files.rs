//! Mail written to a folder when no SMTP server is configured.
//!
//! A message holds a reader's address and live tracking and unsubscribe links, so the folder
//! and its files are for the server's user alone, and erasing a reader removes their files.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Makes the mail folder; a folder made here is mode 0700 (one that exists is left as it is).
pub fn make_folder(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Writes one message as a new `.eml` file of mode 0600; returns its path.
pub fn write(dir: &Path, message: &[u8]) -> std::io::Result<PathBuf> {
    let path = dir.join(format!("{}.eml", hex::encode(rand::random::<[u8; 16]>())));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    // Set at creation, so the file is never readable by others, not even for a moment.
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&path)?;
    if let Err(err) = file.write_all(message) {
        // A partial message would be read as a whole one; the outbox tries again.
        let _ = std::fs::remove_file(&path);
        return Err(err);
    }
    Ok(path)
}

/// Removes every message in `dir` addressed to `email` (compared without case); returns how many.
/// A folder that does not exist holds none.
pub fn erase(dir: &Path, email: &str) -> std::io::Result<usize> {
    erase_any(dir, &[email.to_owned()])
}

/// Removes every message in `dir` addressed to any of `emails`, reading the folder once.
pub fn erase_any(dir: &Path, emails: &[String]) -> std::io::Result<usize> {
    if emails.is_empty() {
        return Ok(0);
    }
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(err),
    };
    let mut removed = 0;
    for entry in entries {
        let path = entry?.path();
        let message = path.extension().is_some_and(|e| e == "eml") && path.is_file();
        if !message {
            continue;
        }
        let to = recipients(&std::fs::read(&path)?);
        if to.iter().any(|r| emails.iter().any(|e| r.eq_ignore_ascii_case(e))) {
            std::fs::remove_file(&path)?;
            removed += 1;
        }
    }
    Ok(removed)
}

/// Whether a message's `To` header names `email`.
#[cfg(test)]
fn addressed_to(message: &[u8], email: &str) -> bool {
    recipients(message).iter().any(|r| r.eq_ignore_ascii_case(email))
}

/// The addresses a message's `To` headers name.
fn recipients(message: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(message);
    let end = text.find("\r\n\r\n").or_else(|| text.find("\n\n")).unwrap_or(text.len());
    // Headers may be folded over several lines.
    let mut headers: Vec<String> = Vec::new();
    for line in text[..end].lines() {
        match headers.last_mut() {
            Some(last) if line.starts_with([' ', '\t']) => last.push_str(line),
            _ => headers.push(line.to_owned()),
        }
    }
    headers
        .iter()
        .filter_map(|h| h.split_once(':').filter(|(name, _)| name.trim().eq_ignore_ascii_case("to")))
        .flat_map(|(_, value)| value.split(','))
        .map(|mailbox| match (mailbox.rfind('<'), mailbox.rfind('>')) {
            (Some(open), Some(close)) if open < close => &mailbox[open + 1..close],
            _ => mailbox,
        })
        .map(|address| address.trim().to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MESSAGE: &str = "From: Corrections <corrections@localhost>\r\nTo: Ada@Example.com\r\n\
        Subject: We received your report\r\n\r\nTo: bob@example.com is only the body.\r\n";

    #[test]
    fn the_recipient_is_read_from_the_to_header_only() {
        assert!(addressed_to(MESSAGE.as_bytes(), "ada@example.com"));
        assert!(!addressed_to(MESSAGE.as_bytes(), "bob@example.com"));
        assert!(!addressed_to(MESSAGE.as_bytes(), "da@example.com"));
        let named = "To: \"Ada, Reader\" <ada@example.com>,\r\n\tbob@example.com\r\n\r\nbody";
        assert!(addressed_to(named.as_bytes(), "ada@example.com"));
        assert!(addressed_to(named.as_bytes(), "bob@example.com"));
    }

    #[test]
    fn erase_removes_only_the_readers_messages() {
        let dir = tempfile::tempdir().unwrap();
        let ada = write(dir.path(), MESSAGE.as_bytes()).unwrap();
        let other = write(dir.path(), MESSAGE.replace("Ada@Example.com", "keep@example.com").as_bytes()).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "To: ada@example.com\r\n\r\n").unwrap();
        assert_eq!(erase(dir.path(), "ada@example.com").unwrap(), 1);
        assert!(!ada.exists());
        assert!(other.exists());
        assert!(dir.path().join("notes.txt").exists(), "only messages are looked at");
        assert_eq!(erase(&dir.path().join("missing"), "ada@example.com").unwrap(), 0);
    }

    #[cfg(unix)]
    #[test]
    fn files_and_a_new_folder_are_for_the_owner_alone() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let folder = dir.path().join("mail/outgoing");
        make_folder(&folder).unwrap();
        assert_eq!(std::fs::metadata(&folder).unwrap().permissions().mode() & 0o777, 0o700);
        let file = write(&folder, MESSAGE.as_bytes()).unwrap();
        assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), MESSAGE);
    }
}
