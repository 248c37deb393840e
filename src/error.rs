//! The one error type, and how each kind maps to an HTTP status.

use actix_web::http::StatusCode;

/// A problem with one input field, named as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name in the API body or form.
    pub field: String,
    /// A sentence a person can act on.
    pub message: String,
}

impl FieldError {
    /// Builds a field error.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self { field: field.into(), message: message.into() }
    }
}

/// Every failure a request or command can end in.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The request could not be read at all (bad JSON, bad UTF-8).
    #[error("{0}")]
    BadRequest(String),
    /// One or more fields are missing or invalid; never empty.
    #[error("{}", .0.first().map(|e| format!("{}: {}", e.field, e.message)).unwrap_or_default())]
    Invalid(Vec<FieldError>),
    /// No or bad credentials.
    #[error("{0}")]
    Unauthorized(String),
    /// Credentials are fine but the role may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The thing named in the path does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The path exists but not with this method; `allow` lists its methods, as the `Allow` header.
    #[error("this address does not answer {method}: it answers {allow}")]
    MethodNotAllowed {
        /// The method asked for.
        method: String,
        /// The path's methods, comma separated.
        allow: String,
    },
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// A well-formed field conflicts with the current state (e.g. a name already taken).
    #[error("{}", .0.message)]
    ConflictOn(FieldError),
    /// The body is larger than this route accepts.
    #[error("request body too large: this endpoint accepts at most {limit} bytes")]
    PayloadTooLarge {
        /// The route's limit in bytes.
        limit: usize,
    },
    /// Too many requests; retry after the given seconds.
    #[error("{message}")]
    RateLimited {
        /// Seconds until a new request is accepted.
        retry_after_secs: u64,
        /// What was limited, for people.
        message: String,
    },
    /// The service will not do this now (e.g. sign a checkpoint over a broken log).
    #[error("{0}")]
    Unavailable(String),
    /// The database is unreachable or did not answer in time; the same request may succeed later.
    #[error("{message}")]
    TryLater {
        /// Seconds the client should wait, as the `Retry-After` header.
        retry_after_secs: u64,
        /// What is wrong, for people; never the cause, which is logged.
        message: String,
    },
    /// Anything unexpected: logged with its cause, answered opaquely.
    #[error("internal error")]
    Internal(#[from] anyhow::Error),
}

impl AppError {
    /// The database cannot be reached; `cause` is logged, never shown.
    pub fn database_unreachable(cause: &dyn std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "the database is unreachable");
        Self::TryLater {
            retry_after_secs: RETRY_AFTER_SECS,
            message: "the database cannot be reached right now; please try again in a few seconds".into(),
        }
    }

    /// The database did not answer in time (a lock wait or a statement past its timeout).
    pub fn database_busy(cause: &dyn std::fmt::Display) -> Self {
        tracing::warn!(error = %cause, "a database wait ran out of time");
        Self::TryLater {
            retry_after_secs: RETRY_AFTER_SECS,
            message: "the database is busy right now; please try again in a few seconds".into(),
        }
    }

    /// The same error again, for each of several callers that shared one failure: a retryable
    /// failure stays retryable, anything else becomes an opaque internal error.
    pub fn again(&self) -> Self {
        match self {
            Self::TryLater { retry_after_secs, message } => {
                Self::TryLater { retry_after_secs: *retry_after_secs, message: message.clone() }
            }
            Self::Internal(cause) => Self::Internal(anyhow::anyhow!("{cause:#}")),
            other => Self::Internal(anyhow::anyhow!("{other}")),
        }
    }

    /// A single-field validation error.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The HTTP status for this error.
    pub fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) | Self::ConflictOn(_) => StatusCode::CONFLICT,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Unavailable(_) | Self::TryLater { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A stable machine-readable code for clients.
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Invalid(_) => "invalid_field",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::MethodNotAllowed { .. } => "method_not_allowed",
            Self::Conflict(_) | Self::ConflictOn(_) => "conflict",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::RateLimited { .. } => "rate_limited",
            Self::Unavailable(_) | Self::TryLater { .. } => "unavailable",
            Self::Internal(_) => "internal",
        }
    }

    /// The message shown to the client: the first field's message for validation errors.
    pub fn public_message(&self) -> String {
        match self {
            Self::Invalid(errors) => errors.first().map(|e| e.message.clone()).unwrap_or_default(),
            Self::Internal(_) => "something went wrong on our side; it has been logged, please try again later".into(),
            other => other.to_string(),
        }
    }

    /// The field at fault, for validation errors and conflicts of one field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors.first().map(|e| e.field.as_str()),
            Self::ConflictOn(e) => Some(e.field.as_str()),
            _ => None,
        }
    }
}

/// What a client is told to wait before retrying after a database outage or timeout.
pub const RETRY_AFTER_SECS: u64 = 5;

impl From<diesel::result::Error> for AppError {
    fn from(err: diesel::result::Error) -> Self {
        match err {
            diesel::result::Error::NotFound => Self::NotFound("not found".into()),
            other => match wait_failure(&other) {
                Some(Wait::Unreachable) => Self::database_unreachable(&other),
                Some(Wait::TimedOut) => Self::database_busy(&other),
                None => Self::Internal(anyhow::Error::new(other).context("database query failed")),
            },
        }
    }
}

/// Why a query failed that may succeed when sent again.
enum Wait {
    /// The connection to the database was lost or could not be made.
    Unreachable,
    /// A lock wait or a statement ran past its timeout.
    TimedOut,
}

/// Whether a query failed for want of the database rather than for what it asked.
fn wait_failure(err: &diesel::result::Error) -> Option<Wait> {
    use diesel::result::{DatabaseErrorKind, Error};
    match err {
        // UnableToSendCommand: libpq gave no result at all, as for a statement sent on a
        // connection the server has just dropped (diesel's `batch_execute` reports it so).
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand, _) => {
            Some(Wait::Unreachable)
        }
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) if shut_down(info.message()) => Some(Wait::Unreachable),
        // A transaction whose connection was lost could not be rolled back; the pool drops it.
        Error::BrokenTransactionManager => Some(Wait::Unreachable),
        Error::DatabaseError(DatabaseErrorKind::Unknown, info) if ran_out_of_time(info.message()) => {
            Some(Wait::TimedOut)
        }
        // A commit that failed, then a rollback that failed too: the commit's failure says why.
        Error::RollbackErrorOnCommit { commit_error, .. } => wait_failure(commit_error),
        _ => None,
    }
}

/// Whether a PostgreSQL message says the server ended the session: its SQLSTATE class 57P
/// (admin_shutdown, crash_shutdown, cannot_connect_now), which diesel passes on only as text.
fn shut_down(message: &str) -> bool {
    message.contains("terminating connection") || message.contains("the database system is")
}

/// Whether a driver message says a wait ran out: SQLite's SQLITE_BUSY after its busy timeout,
/// or PostgreSQL's query_canceled (57014) by `statement_timeout`. The drivers hand over no
/// error code for these, only the message; SQLite's is fixed, PostgreSQL's is English unless
/// the server's `lc_messages` says otherwise.
fn ran_out_of_time(message: &str) -> bool {
    message.starts_with("database is locked")
        || message.starts_with("database table is locked")
        || message.contains("canceling statement due to statement timeout")
        || message.contains("canceling statement due to lock timeout")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_maps_to_its_status() {
        let cases = [
            (AppError::BadRequest("x".into()), 400),
            (AppError::invalid("quote", "x"), 422),
            (AppError::Unauthorized("x".into()), 401),
            (AppError::Forbidden("x".into()), 403),
            (AppError::NotFound("x".into()), 404),
            (AppError::MethodNotAllowed { method: "TRACE".into(), allow: "GET".into() }, 405),
            (AppError::Conflict("x".into()), 409),
            (AppError::ConflictOn(FieldError::new("name", "x")), 409),
            (AppError::PayloadTooLarge { limit: 1 }, 413),
            (AppError::RateLimited { retry_after_secs: 1, message: "x".into() }, 429),
            (AppError::TryLater { retry_after_secs: 1, message: "x".into() }, 503),
            (AppError::Internal(anyhow::anyhow!("boom")), 500),
        ];
        for (err, status) in cases {
            assert_eq!(err.status_code().as_u16(), status, "{err:?}");
        }
    }

    #[test]
    fn diesel_not_found_is_404_and_other_failures_are_opaque() {
        assert_eq!(AppError::from(diesel::result::Error::NotFound).status_code().as_u16(), 404);
        let err = AppError::from(diesel::result::Error::AlreadyInTransaction);
        assert_eq!(err.status_code().as_u16(), 500);
        assert!(!err.public_message().contains("transaction"));
    }

    /// A driver error with only a message, as SQLite and PostgreSQL report lock waits and timeouts.
    #[derive(Debug)]
    struct Message(&'static str);

    impl diesel::result::DatabaseErrorInformation for Message {
        fn message(&self) -> &str {
            self.0
        }
        fn details(&self) -> Option<&str> {
            None
        }
        fn hint(&self) -> Option<&str> {
            None
        }
        fn table_name(&self) -> Option<&str> {
            None
        }
        fn column_name(&self) -> Option<&str> {
            None
        }
        fn constraint_name(&self) -> Option<&str> {
            None
        }
        fn statement_position(&self) -> Option<i32> {
            None
        }
    }

    fn database_error(kind: diesel::result::DatabaseErrorKind, message: &'static str) -> AppError {
        AppError::from(diesel::result::Error::DatabaseError(kind, Box::new(Message(message))))
    }

    #[test]
    fn lock_waits_timeouts_and_lost_connections_are_503_without_the_cause() {
        use diesel::result::DatabaseErrorKind::{ClosedConnection, UnableToSendCommand, Unknown};
        let cases = [
            (Unknown, "database is locked"),
            (Unknown, "canceling statement due to statement timeout"),
            (ClosedConnection, "server closed the connection unexpectedly"),
            (UnableToSendCommand, "no connection to the server"),
            (Unknown, "terminating connection due to administrator command"),
            (Unknown, "the database system is shutting down"),
        ];
        let broken = AppError::from(diesel::result::Error::BrokenTransactionManager);
        assert!(matches!(broken, AppError::TryLater { .. }), "{broken:?}");
        for (kind, message) in cases {
            let err = database_error(kind, message);
            assert!(matches!(err, AppError::TryLater { retry_after_secs: RETRY_AFTER_SECS, .. }), "{message}: {err:?}");
            assert_eq!(err.status_code().as_u16(), 503);
            assert!(!err.public_message().contains(message), "{message}");
        }
        assert_eq!(database_error(Unknown, "syntax error at or near \"x\"").status_code().as_u16(), 500);
    }

    #[test]
    fn a_shared_failure_stays_retryable_for_each_caller() {
        let busy = AppError::database_busy(&"database is locked");
        assert!(matches!(busy.again(), AppError::TryLater { .. }));
        assert_eq!(AppError::invalid("x", "y").again().status_code().as_u16(), 500);
    }

    #[test]
    fn validation_error_names_its_field() {
        let err = AppError::invalid("reporter_email", "not an email address");
        assert_eq!(err.field(), Some("reporter_email"));
        assert_eq!(err.public_message(), "not an email address");
    }
}
