//! Staff accounts and API tokens.

use chrono::NaiveDateTime;

use super::ids::UserId;
use super::secrets;
use super::text::required_line;
use crate::db::models::{touch_token, ApiToken, NewApiToken, NewUser, Session, StaffMember, User};
use crate::db::DbConnection;
use crate::error::{AppError, FieldError};

/// Shortest password accepted.
pub const PASSWORD_MIN: usize = 12;
/// Prefix that makes Corrigenda API tokens recognisable (e.g. to secret scanners).
pub const API_TOKEN_PREFIX: &str = "cgd_";

pub use crate::db::vocabulary::Role;

impl Role {
    /// Whether this role may change newsroom data (auditors may not).
    pub fn can_edit(self) -> bool {
        matches!(self, Self::Editor | Self::StandardsEditor)
    }
}

/// A signed-in or token-authenticated staff member.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user's id.
    pub id: i64,
    /// Their email.
    pub email: String,
    /// Their display name.
    pub name: String,
    /// Their role.
    pub role: Role,
}

impl From<StaffMember> for Actor {
    fn from(user: StaffMember) -> Self {
        Self { id: user.id, email: user.email, name: user.name, role: user.role }
    }
}

/// Enabled accounts with `role`, by name.
pub fn active_with_role(conn: &mut DbConnection, role: Role) -> Result<Vec<StaffMember>, AppError> {
    Ok(StaffMember::all(conn)?.into_iter().filter(|u| !u.disabled && u.role == role).collect())
}

/// The enabled account with this id, if any.
pub fn active_by_id(conn: &mut DbConnection, id: UserId) -> Result<Option<StaffMember>, AppError> {
    Ok(StaffMember::find(conn, id.0)?.filter(|u| !u.disabled))
}

/// Enabled accounts that may work tickets, by name.
pub fn editors(conn: &mut DbConnection) -> Result<Vec<StaffMember>, AppError> {
    Ok(StaffMember::all(conn)?.into_iter().filter(|u| !u.disabled && u.role.can_edit()).collect())
}

/// Checks an email address for an account or a reader.
pub fn parse_email(field: &str, raw: &str) -> Result<String, FieldError> {
    let email = required_line(field, raw, 254)?;
    match email.parse::<lettre::Address>() {
        Ok(addr) if addr.domain().contains('.') || addr.domain() == "localhost" => Ok(email),
        _ => Err(FieldError::new(field, format!("must be an email address like name@example.com, not {email:?}"))),
    }
}

/// Creates a staff account (run inside a write transaction).
pub fn add_user(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    role: Role,
    password: &str,
    now: NaiveDateTime,
) -> Result<i64, AppError> {
    let email = parse_email("email", email).map_err(|e| AppError::Invalid(vec![e]))?;
    let name = required_line("name", name, 200).map_err(|e| AppError::Invalid(vec![e]))?;
    check_password(password)?;
    if User::by_email(conn, &email)?.is_some() {
        return Err(AppError::Conflict(format!("an account with email {email} already exists")));
    }
    let hash = secrets::hash_password(password)?;
    Ok(User::insert(
        conn,
        &NewUser { email: &email, name: &name, role, password_hash: &hash, disabled: false, created_at: now },
    )?)
}

fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < PASSWORD_MIN {
        return Err(AppError::invalid("password", format!("must have at least {PASSWORD_MIN} characters")));
    }
    Ok(())
}

/// The account with this email, or a 404 naming it.
pub fn user(conn: &mut DbConnection, email: &str) -> Result<StaffMember, AppError> {
    StaffMember::by_email(conn, email.trim())?
        .ok_or_else(|| AppError::NotFound(format!("no account has the email {:?}", email.trim())))
}

/// Disables or re-enables an account; disabling ends its sessions and revokes its API tokens,
/// so enabling it again brings none of them back. Returns how many tokens were revoked.
pub fn set_disabled(
    conn: &mut DbConnection,
    email: &str,
    disabled: bool,
    now: NaiveDateTime,
) -> Result<usize, AppError> {
    let user = user(conn, email)?;
    User::set_disabled(conn, user.id, disabled)?;
    if !disabled {
        return Ok(0);
    }
    Session::delete_for_user(conn, user.id)?;
    Ok(ApiToken::revoke_for_user(conn, user.id, now)?)
}

/// Changes an account's role.
pub fn set_role(conn: &mut DbConnection, email: &str, role: Role) -> Result<(), AppError> {
    let user = user(conn, email)?;
    Ok(User::set_role(conn, user.id, role)?)
}

/// Sets a new password and ends the account's sessions.
pub fn reset_password(conn: &mut DbConnection, email: &str, password: &str) -> Result<(), AppError> {
    check_password(password)?;
    let user = user(conn, email)?;
    User::set_password_hash(conn, user.id, &secrets::hash_password(password)?)?;
    Ok(Session::delete_for_user(conn, user.id)?)
}

/// Every API token with its owner's email, newest first (hashes are never shown).
pub fn tokens(conn: &mut DbConnection) -> Result<Vec<(ApiToken, String)>, AppError> {
    Ok(ApiToken::all_with_owner(conn)?)
}

/// Revokes the token with this id.
pub fn revoke_token(conn: &mut DbConnection, id: i64, now: NaiveDateTime) -> Result<(), AppError> {
    if ApiToken::revoke(conn, id, now)? {
        Ok(())
    } else {
        Err(AppError::NotFound(format!("no active token has the id {id}; see `corrigenda token list`")))
    }
}

/// Creates an API token acting as the user with `email`; returns the token, shown once.
pub fn create_token(conn: &mut DbConnection, email: &str, name: &str, now: NaiveDateTime) -> Result<String, AppError> {
    let name = required_line("name", name, 200).map_err(|e| AppError::Invalid(vec![e]))?;
    let user = User::by_email(conn, email.trim())?
        .ok_or_else(|| AppError::NotFound(format!("no account has the email {:?}", email.trim())))?;
    if user.disabled {
        return Err(AppError::Conflict(format!("the account {} is disabled", user.email)));
    }
    let token = format!("{API_TOKEN_PREFIX}{}", secrets::new_token());
    NewApiToken { user_id: user.id, name: &name, token_hash: &secrets::token_hash(&token), created_at: now }
        .insert(conn)?;
    Ok(token)
}

/// A token's last use is written at most this often, so API reads do not all become writes.
const TOKEN_TOUCH_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// The staff member an API token acts as; `None` for unknown, revoked or disabled. Reads only:
/// the flag says whether its last use is old enough to be written (with [`touch_token_use`]).
pub fn actor_for_token(
    conn: &mut DbConnection,
    token: &str,
    now: NaiveDateTime,
) -> Result<Option<(Actor, bool)>, AppError> {
    if !token.starts_with(API_TOKEN_PREFIX) {
        return Ok(None);
    }
    let Some((user, last_used)) = StaffMember::by_token_hash(conn, &secrets::token_hash(token))? else {
        return Ok(None);
    };
    let stale = last_used.is_none_or(|at| now - at > TOKEN_TOUCH_EVERY);
    Ok(Some((Actor::from(user), stale)))
}

/// Records that an API token was used now.
pub fn touch_token_use(conn: &mut DbConnection, token: &str, now: NaiveDateTime) -> Result<(), AppError> {
    Ok(touch_token(conn, &secrets::token_hash(token), now)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_and_only_auditors_cannot_edit() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(*role));
        }
        assert!(Role::Editor.can_edit() && Role::StandardsEditor.can_edit());
        assert!(!Role::Auditor.can_edit());
    }

    #[test]
    fn emails_need_a_domain() {
        assert!(parse_email("email", "ed@news.example").is_ok());
        assert!(parse_email("email", "ed@news").is_err());
        assert!(parse_email("email", "not an email").is_err());
    }
}
