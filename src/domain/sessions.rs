//! Signing in: sessions, the sign-in throttle, and the first-run setup link.

use chrono::{Duration, NaiveDateTime};

use super::accounts::{self, Actor, Role};
use super::secrets;
use crate::db::models::{LoginFailure, Session, SetupToken, StaffMember, User};
use crate::db::DbConnection;
use crate::error::AppError;

/// A session ends after this long without a request.
pub const IDLE: Duration = Duration::hours(4);
/// A session ends this long after sign-in, whatever the activity.
pub const ABSOLUTE: Duration = Duration::hours(24);
/// Failed sign-ins per account allowed within [`FAILURE_WINDOW`].
pub const ACCOUNT_FAILURES: usize = 5;
/// The window over which failed sign-ins are counted.
pub const FAILURE_WINDOW: Duration = Duration::minutes(15);
/// Activity is written at most this often, so reads do not all become writes.
const TOUCH_EVERY: Duration = Duration::seconds(60);

/// A session just created: the cookie value is known only now.
#[derive(Debug, Clone)]
pub struct NewSession {
    /// Goes into the cookie; only its hash is stored.
    pub cookie: String,
    /// The session's CSRF token.
    pub csrf: String,
}

/// A valid session and who it belongs to.
#[derive(Debug, Clone)]
pub struct Current {
    /// The signed-in staff member.
    pub actor: Actor,
    /// The session's CSRF token.
    pub csrf: String,
    /// The stored hash of the cookie, to end the session.
    pub id_hash: String,
}

fn account_key(email: &str) -> String {
    secrets::token_hash(&format!("account:{}", email.trim().to_lowercase()))
}

/// The CSRF token of the session behind `cookie`.
///
/// Derived, not stored: the cookie is known only to the browser and the request, and its
/// stored hash is a different hash, so a copy of the database forges no form post.
fn csrf_for(cookie: &str) -> String {
    secrets::token_hash(&format!("csrf:{cookie}"))
}

/// Starts a session for `user_id`.
fn start(conn: &mut DbConnection, user_id: i64, now: NaiveDateTime) -> Result<NewSession, AppError> {
    let cookie = secrets::new_token();
    Session { id_hash: secrets::token_hash(&cookie), user_id, created_at: now, last_seen_at: now }.insert(conn)?;
    let csrf = csrf_for(&cookie);
    Ok(NewSession { cookie, csrf })
}

/// A sign-in attempt's outcome: signed in, or refused (401, 403, 429) with the refusal's record kept.
pub type Attempt = Result<(Actor, NewSession), AppError>;

/// Checks email and password and starts a new session (a fresh ID every time).
///
/// A refusal is returned inside `Ok` so the caller's transaction commits the
/// failure that the throttle counts; the outer error is for storage failures.
pub fn login(conn: &mut DbConnection, email: &str, password: &str, now: NaiveDateTime) -> Result<Attempt, AppError> {
    let key = account_key(email);
    let failures = LoginFailure::since(conn, &key, now - FAILURE_WINDOW)?;
    if failures.len() >= ACCOUNT_FAILURES {
        let until = failures[failures.len() - ACCOUNT_FAILURES] + FAILURE_WINDOW;
        let secs = (until - now).num_seconds().max(1) as u64;
        return Ok(Err(AppError::RateLimited {
            retry_after_secs: secs,
            message: format!("too many failed sign-ins for this account; try again in {} minutes", secs.div_ceil(60)),
        }));
    }
    let user = User::by_email(conn, email.trim())?;
    // Verify against a real hash even for unknown emails, so timing does not reveal which exist.
    let stored: &str = match &user {
        Some(u) => &u.password_hash,
        None => dummy_hash(),
    };
    let password_ok = secrets::verify_password(password, stored);
    let Some(user) = user.filter(|_| password_ok) else {
        LoginFailure::record(conn, &key, now)?;
        return Ok(Err(AppError::Unauthorized("wrong email or password".into())));
    };
    if user.disabled {
        return Ok(Err(AppError::Forbidden("this account is disabled; ask a standards editor".into())));
    }
    LoginFailure::clear(conn, &key)?;
    let session = start(conn, user.id, now)?;
    Ok(Ok((Actor { id: user.id, email: user.email, name: user.name, role: user.role }, session)))
}

/// An argon2id hash of a random password, for constant-time refusal of unknown emails.
fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| secrets::hash_password(&secrets::new_token()).unwrap_or_default())
}

/// What a session cookie is worth, found without writing anything.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// Valid, and its activity was written recently.
    Valid(Current),
    /// Valid, but its activity was last written over a minute ago: write it with [`refresh`].
    Touch(Current),
    /// Expired (remove it with [`refresh`]) or unknown.
    Ended(Option<String>),
}

/// Looks up the session behind a cookie with reads only, so most signed-in requests write nothing.
pub fn look_up(conn: &mut DbConnection, cookie: &str, now: NaiveDateTime) -> Result<Lookup, AppError> {
    let id_hash = secrets::token_hash(cookie);
    let Some((session, user)) = Session::with_user(conn, &id_hash)? else { return Ok(Lookup::Ended(None)) };
    if now - session.last_seen_at > IDLE || now - session.created_at > ABSOLUTE {
        return Ok(Lookup::Ended(Some(id_hash)));
    }
    let touch = now - session.last_seen_at > TOUCH_EVERY;
    Ok(match Some(Actor::from(user)) {
        None => Lookup::Ended(None),
        Some(actor) => {
            let current = Current { actor, csrf: csrf_for(cookie), id_hash };
            if touch {
                Lookup::Touch(current)
            } else {
                Lookup::Valid(current)
            }
        }
    })
}

/// Writes what a [`Lookup`] found stale: the activity time, or the removal of an expired session.
pub fn refresh(conn: &mut DbConnection, lookup: &Lookup, now: NaiveDateTime) -> Result<(), AppError> {
    match lookup {
        Lookup::Valid(_) | Lookup::Ended(None) => Ok(()),
        Lookup::Touch(current) => Ok(Session::touch(conn, &current.id_hash, now)?),
        Lookup::Ended(Some(id_hash)) => Ok(Session::delete(conn, id_hash)?),
    }
}

/// Ends a session.
pub fn logout(conn: &mut DbConnection, id_hash: &str) -> Result<(), AppError> {
    Ok(Session::delete(conn, id_hash)?)
}

/// A one-time link token to create the first account, when no account exists yet.
pub fn setup_link(conn: &mut DbConnection, now: NaiveDateTime) -> Result<Option<String>, AppError> {
    if User::count(conn)? > 0 {
        return Ok(None);
    }
    let token = secrets::new_token();
    SetupToken::insert(conn, &secrets::token_hash(&token), now)?;
    Ok(Some(token))
}

/// What a starting server tells about the first account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FirstRun {
    /// An account exists: nothing to say.
    Done,
    /// No account yet: a new one-time link token.
    Link(String),
    /// No account yet, and nobody to show a link to (no terminal): none is made.
    NoTerminal,
}

/// Whether the first account is still to be made, with a setup link token when `interactive`.
pub fn first_run(conn: &mut DbConnection, interactive: bool, now: NaiveDateTime) -> Result<FirstRun, AppError> {
    if !interactive {
        return Ok(if User::count(conn)? > 0 { FirstRun::Done } else { FirstRun::NoTerminal });
    }
    Ok(setup_link(conn, now)?.map_or(FirstRun::Done, FirstRun::Link))
}

/// Whether a setup link still works.
pub fn setup_open(conn: &mut DbConnection, token: &str) -> Result<bool, AppError> {
    Ok(secrets::looks_like_token(token)
        && User::count(conn)? == 0
        && SetupToken::is_open(conn, &secrets::token_hash(token))?)
}

/// Creates the first standards editor through a setup link, closes every link and signs them in.
pub fn complete_setup(
    conn: &mut DbConnection,
    token: &str,
    email: &str,
    name: &str,
    password: &str,
    confirm: &str,
    now: NaiveDateTime,
) -> Result<(Actor, NewSession), AppError> {
    if !setup_open(conn, token)? {
        return Err(AppError::NotFound("this setup link has been used already or is not valid".into()));
    }
    if password != confirm {
        return Err(AppError::invalid("password_confirm", "does not match the password"));
    }
    let id = accounts::add_user(conn, email, name, Role::StandardsEditor, password, now)?;
    SetupToken::close_all(conn, now)?;
    let session = start(conn, id, now)?;
    let user = StaffMember::find(conn, id)?.ok_or_else(|| AppError::NotFound("the new account vanished".into()))?;
    let actor = Actor::from(user);
    Ok((actor, session))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_dummy_hash_is_a_valid_argon2id_hash() {
        assert!(super::dummy_hash().starts_with("$argon2id$"));
        assert!(!super::secrets::verify_password("anything", super::dummy_hash()));
    }
}
