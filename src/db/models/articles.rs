//! Articles as the CMS sent them.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::json::StringList;
use crate::db::schema::*;
use crate::db::DbConnection;

diesel::define_sql_function! {
    /// SQL `lower()`: ASCII letters on SQLite, every letter on PostgreSQL.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// An article row.
#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = articles)]
pub struct Article {
    pub id: String,
    pub url: String,
    pub title: String,
    pub section: String,
    pub authors: StringList,
    pub published_at: NaiveDateTime,
    /// The article's text, when the CMS sent it.
    #[diesel(treat_none_as_null = true)]
    pub body: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// An article as a list of found articles shows it: without its text.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = articles)]
pub struct ArticleHeadline {
    pub id: String,
    pub title: String,
    pub url: String,
    pub section: String,
    pub published_at: NaiveDateTime,
}

impl Article {
    /// The article with this id, if any.
    pub fn find(conn: &mut DbConnection, id: &str) -> QueryResult<Option<Self>> {
        articles::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The most recently published article with this canonical URL, if any.
    pub fn by_url(conn: &mut DbConnection, url: &str) -> QueryResult<Option<Self>> {
        articles::table
            .filter(articles::url.eq(url))
            .order(articles::published_at.desc())
            .select(Self::as_select())
            .first(conn)
            .optional()
    }

    /// Articles matching `condition` (SQL the caller builds from literals only: a full-text
    /// match through the backend's index), newest first, at most `limit`.
    pub fn headline_matches(conn: &mut DbConnection, condition: &str, limit: i64) -> QueryResult<Vec<ArticleHeadline>> {
        articles::table
            .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(condition))
            .order((articles::published_at.desc(), articles::id.asc()))
            .limit(limit)
            .select(ArticleHeadline::as_select())
            .load(conn)
    }

    /// Inserts a new article.
    pub fn insert(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::insert_into(articles::table).values(self).execute(conn).map(drop)
    }

    /// Overwrites every field of an existing article but its creation time.
    pub fn update(&self, conn: &mut DbConnection) -> QueryResult<()> {
        diesel::update(articles::table.find(&self.id))
            .set((
                articles::url.eq(&self.url),
                articles::title.eq(&self.title),
                articles::section.eq(&self.section),
                articles::authors.eq(&self.authors),
                articles::published_at.eq(self.published_at),
                articles::body.eq(&self.body),
                articles::updated_at.eq(self.updated_at),
            ))
            .execute(conn)
            .map(drop)
    }
}
