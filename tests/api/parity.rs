//! The two migration trees (`migrations/sqlite`, `migrations/postgres`) give the same schema:
//! the same tables, columns, nullability, coarse column types, keys, foreign keys and indexes.
//!
//! Both backends are migrated from scratch and their catalogues read back; each schema is
//! written as one line per fact, and the lines only one backend has are the drift. The
//! differences that are meant to be there are listed in [`KNOWN`], each with its reason.

use std::collections::{BTreeMap, BTreeSet};

use corrigenda::db::{migrate, DbConnection, DbTarget};
use diesel::sql_types::{BigInt, Bool, Nullable, Text};
use diesel::{sql_query, PgConnection, QueryableByName, RunQueryDsl, SqliteConnection};

use crate::helpers::{postgres_available, Backend, TestDb};

/// Differences between the trees that are meant to be there: (the backend that has the line, the line, why).
const KNOWN: &[(Backend, &str, &str)] = &[
    // SQLite cannot drop a column that a foreign key names, so its channels' endpoint is a
    // plain column there (the migration can be reverted); endpoints are never deleted.
    (
        Backend::Postgres,
        "channels: foreign key (endpoint_id) references webhook_endpoints (id)",
        "SQLite could not revert the column",
    ),
    // The same for a report's desk: desks are removed only after their reports leave them.
    (Backend::Postgres, "reports: foreign key (desk_id) references desks (id)", "SQLite could not revert the column"),
    // The scale migration rebuilt `reports_status` with a trailing `id` on PostgreSQL only. On
    // SQLite every index of a rowid table already ends with the rowid, which `id` (an INTEGER
    // PRIMARY KEY) is, so the two orders match the same rows the same way.
    (Backend::Sqlite, "reports: index reports_status (status, deadline_at)", "SQLite indexes end with the rowid"),
    (Backend::Postgres, "reports: index reports_status (status, deadline_at, id)", "SQLite indexes end with the rowid"),
    // Full-text search: PostgreSQL indexes text search vectors of the columns (GIN); SQLite keeps
    // FTS5 tables beside them instead (see FULL_TEXT_TABLES).
    (Backend::Postgres, "reports: index reports_search (<expression>)", "full-text search, GIN on PostgreSQL"),
    (Backend::Postgres, "articles: index articles_search (<expression>)", "full-text search, GIN on PostgreSQL"),
    // The figures' duration indexes include the time itself on PostgreSQL, whose index-only
    // scans need every column the expression reads; SQLite's store the expression's value.
    (
        Backend::Sqlite,
        "reports: index reports_correction_seconds (<expression>, created_at) partial",
        "index-only on PostgreSQL",
    ),
    (
        Backend::Postgres,
        "reports: index reports_correction_seconds (<expression>, created_at, corrected_at) partial",
        "index-only on PostgreSQL",
    ),
    (
        Backend::Sqlite,
        "reports: index reports_decision_seconds (<expression>, created_at) partial",
        "index-only on PostgreSQL",
    ),
    (
        Backend::Postgres,
        "reports: index reports_decision_seconds (<expression>, created_at, decided_at) partial",
        "index-only on PostgreSQL",
    ),
];

/// SQLite's FTS5 tables (and the shadow tables FTS5 keeps for each), where PostgreSQL has GIN indexes.
const FULL_TEXT_TABLES: &[&str] = &["reports_fts", "articles_fts"];

/// Whether a SQLite table is a full-text table or one of its shadow tables.
fn full_text(table: &str) -> bool {
    FULL_TEXT_TABLES
        .iter()
        .any(|fts| table == *fts || table.strip_prefix(fts).is_some_and(|rest| rest.starts_with('_')))
}

/// Diesel's bookkeeping table, not part of the application's schema.
const MIGRATIONS_TABLE: &str = "__diesel_schema_migrations";

#[test]
fn both_migration_trees_give_the_same_schema() {
    if !postgres_available() {
        return;
    }
    let sqlite_db = TestDb::new(Backend::Sqlite);
    let postgres_db = TestDb::new(Backend::Postgres);
    let sqlite = match migrated(&sqlite_db) {
        DbConnection::Sqlite(mut c) => sqlite_schema(&mut c),
        _ => unreachable!("a SQLite test database"),
    };
    let postgres = match migrated(&postgres_db) {
        DbConnection::Postgres(mut c) => postgres_schema(&mut c),
        _ => unreachable!("a PostgreSQL test database"),
    };
    for (name, schema) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        // An empty or partial read on both sides must not pass as parity.
        for fact in [
            "table reports",
            "table outbox",
            "outbox.status: text, not null",
            "users: primary key (id)",
            "reports: foreign key (article_id) references articles (id)",
            "reports: index reports_deadline (deadline_at, id)",
        ] {
            assert!(schema.contains(fact), "the {name} schema as read lacks {fact:?}:\n{}", lines(schema));
        }
    }

    let only_sqlite: BTreeSet<&String> = sqlite.difference(&postgres).collect();
    let only_postgres: BTreeSet<&String> = postgres.difference(&sqlite).collect();
    let known = |backend: Backend, line: &str| KNOWN.iter().any(|(b, l, _)| *b == backend && *l == line);
    let unexpected_sqlite: Vec<&String> = only_sqlite.iter().copied().filter(|l| !known(Backend::Sqlite, l)).collect();
    let unexpected_postgres: Vec<&String> =
        only_postgres.iter().copied().filter(|l| !known(Backend::Postgres, l)).collect();
    let gone: Vec<String> = KNOWN
        .iter()
        .filter(|(backend, line, _)| {
            let side = if *backend == Backend::Sqlite { &only_sqlite } else { &only_postgres };
            !side.contains(&line.to_string())
        })
        .map(|(backend, line, why)| format!("    {} {line:?} ({why})", backend.name()))
        .collect();

    let mut report = String::new();
    if !unexpected_sqlite.is_empty() || !unexpected_postgres.is_empty() {
        report.push_str(
            "the migration trees have drifted apart (- only in migrations/sqlite, + only in migrations/postgres):\n",
        );
        let mut by_table: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for (sign, line) in
            unexpected_sqlite.iter().map(|l| ('-', l)).chain(unexpected_postgres.iter().map(|l| ('+', l)))
        {
            by_table.entry(table_of(line)).or_default().push(format!("    {sign} {line}"));
        }
        for (table, mut entries) in by_table {
            entries.sort_by(|a, b| a[6..].cmp(&b[6..]).then(a.cmp(b)));
            report.push_str(&format!("  {table}:\n{}\n", entries.join("\n")));
        }
    }
    if !gone.is_empty() {
        report.push_str(&format!(
            "these known differences are gone; remove them from KNOWN in tests/api/parity.rs:\n{}\n",
            gone.join("\n")
        ));
    }
    assert!(report.is_empty(), "{report}");
}

/// A fresh database of `db`'s backend with every migration applied, on one connection.
fn migrated(db: &TestDb) -> DbConnection {
    let mut conn = DbTarget::parse(&db.url).unwrap().connect().unwrap();
    migrate(&mut conn).unwrap();
    conn
}

/// The table a schema line is about.
fn table_of(line: &str) -> &str {
    let line = line.strip_prefix("table ").unwrap_or(line);
    line.split(['.', ':']).next().unwrap_or(line)
}

fn lines(schema: &BTreeSet<String>) -> String {
    schema.iter().map(|l| format!("  {l}")).collect::<Vec<_>>().join("\n")
}

/// The schema facts both backends are compared on, one per line:
///
/// - `table T`
/// - `T.c: family, null` or `T.c: family, not null`
/// - `T: primary key (a, b)`
/// - `T: unique (a)`: a UNIQUE constraint (its index's name is the backend's own)
/// - `T: foreign key (a) references U (b)`
/// - `T: index N (a, b)` or `T: unique index N (a, b)`, ` partial` added for a `WHERE` index
struct Facts(BTreeSet<String>);

impl Facts {
    fn table(&mut self, table: &str) {
        self.0.insert(format!("table {table}"));
    }
    fn column(&mut self, table: &str, column: &str, family: &str, nullable: bool) {
        let null = if nullable { "null" } else { "not null" };
        self.0.insert(format!("{table}.{column}: {family}, {null}"));
    }
    fn primary_key(&mut self, table: &str, columns: &[String]) {
        self.0.insert(format!("{table}: primary key ({})", columns.join(", ")));
    }
    fn unique(&mut self, table: &str, columns: &[String]) {
        self.0.insert(format!("{table}: unique ({})", columns.join(", ")));
    }
    fn foreign_key(&mut self, table: &str, columns: &str, target: &str, target_columns: &str) {
        self.0.insert(format!("{table}: foreign key ({columns}) references {target} ({target_columns})"));
    }
    fn index(&mut self, table: &str, name: &str, unique: bool, partial: bool, columns: &[String]) {
        let kind = if unique { "unique index" } else { "index" };
        let partial = if partial { " partial" } else { "" };
        self.0.insert(format!("{table}: {kind} {name} ({}){partial}", columns.join(", ")));
    }
}

/// A SQLite declared type's coarse family.
fn sqlite_family(declared: &str) -> String {
    let t = declared.to_ascii_uppercase();
    let family = if t.contains("TIMESTAMP") || t.contains("DATETIME") {
        "timestamp"
    } else if t.contains("BOOL") {
        "boolean"
    } else if t.contains("INT") {
        "integer"
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text"
    } else if t == "DATE" {
        "date"
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") || t.contains("NUMERIC") {
        "real"
    } else {
        return format!("other ({declared})");
    };
    family.to_owned()
}

/// A PostgreSQL `information_schema` data type's coarse family.
fn postgres_family(data_type: &str) -> String {
    match data_type {
        "smallint" | "integer" | "bigint" => "integer",
        "text" | "character varying" | "character" => "text",
        "timestamp without time zone" => "timestamp",
        // Kept apart from `timestamp`: the application stores UTC without a zone on both backends.
        "timestamp with time zone" => "timestamptz",
        "date" => "date",
        "boolean" => "boolean",
        "real" | "double precision" | "numeric" => "real",
        other => return format!("other ({other})"),
    }
    .to_owned()
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = Text)]
    name: String,
}

#[derive(QueryableByName)]
struct SqliteTable {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    sql: String,
}

#[derive(QueryableByName)]
struct SqliteColumn {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    declared: String,
    #[diesel(sql_type = BigInt)]
    not_null: i64,
    #[diesel(sql_type = BigInt)]
    pk: i64,
}

#[derive(QueryableByName)]
struct SqliteIndex {
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = BigInt)]
    is_unique: i64,
    #[diesel(sql_type = Text)]
    origin: String,
    #[diesel(sql_type = BigInt)]
    partial: i64,
}

#[derive(QueryableByName)]
struct SqliteForeignKey {
    #[diesel(sql_type = BigInt)]
    id: i64,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    from_column: String,
    #[diesel(sql_type = Nullable<Text>)]
    to_column: Option<String>,
}

#[derive(QueryableByName)]
struct SqliteIndexColumn {
    #[diesel(sql_type = Nullable<Text>)]
    name: Option<String>,
}

fn sqlite_schema(c: &mut SqliteConnection) -> BTreeSet<String> {
    let mut facts = Facts(BTreeSet::new());
    let tables: Vec<SqliteTable> = sql_query(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
         ORDER BY name",
    )
    .load(c)
    .unwrap();
    for table in tables.iter().filter(|t| t.name != MIGRATIONS_TABLE && !full_text(&t.name)) {
        let t = table.name.as_str();
        facts.table(t);
        let columns: Vec<SqliteColumn> = sql_query(
            "SELECT name, type AS declared, \"notnull\" AS not_null, pk FROM pragma_table_info(?) ORDER BY cid",
        )
        .bind::<Text, _>(t)
        .load(c)
        .unwrap();
        let mut key: Vec<&SqliteColumn> = columns.iter().filter(|c| c.pk > 0).collect();
        key.sort_by_key(|c| c.pk);
        // An INTEGER PRIMARY KEY is the rowid, which is never NULL; so are the key columns of a
        // WITHOUT ROWID table. Other SQLite key columns accept NULL unless declared NOT NULL.
        let rowid_alias = key.len() == 1 && key[0].declared.eq_ignore_ascii_case("INTEGER");
        let without_rowid = table.sql.to_ascii_uppercase().contains("WITHOUT ROWID");
        for column in &columns {
            let implied = column.pk > 0 && (rowid_alias || without_rowid);
            facts.column(t, &column.name, &sqlite_family(&column.declared), column.not_null == 0 && !implied);
        }
        if !key.is_empty() {
            facts.primary_key(t, &key.iter().map(|c| c.name.clone()).collect::<Vec<_>>());
        }
        let references: Vec<SqliteForeignKey> = sql_query(
            "SELECT id, \"table\" AS target, \"from\" AS from_column, \"to\" AS to_column \
             FROM pragma_foreign_key_list(?) ORDER BY id, seq",
        )
        .bind::<Text, _>(t)
        .load(c)
        .unwrap();
        let mut by_id: BTreeMap<i64, (String, Vec<String>, Vec<String>)> = BTreeMap::new();
        for r in references {
            let entry = by_id.entry(r.id).or_insert_with(|| (r.target.clone(), Vec::new(), Vec::new()));
            entry.1.push(r.from_column);
            // `REFERENCES t` without columns means t's primary key.
            entry.2.push(r.to_column.unwrap_or_else(|| "<primary key>".into()));
        }
        for (target, from, to) in by_id.into_values() {
            facts.foreign_key(t, &from.join(", "), &target, &to.join(", "));
        }
        let indexes: Vec<SqliteIndex> =
            sql_query("SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list(?) ORDER BY name")
                .bind::<Text, _>(t)
                .load(c)
                .unwrap();
        for index in indexes {
            let columns: Vec<String> = sql_query("SELECT name FROM pragma_index_info(?) ORDER BY seqno")
                .bind::<Text, _>(&index.name)
                .load::<SqliteIndexColumn>(c)
                .unwrap()
                .into_iter()
                .map(|c| c.name.unwrap_or_else(|| "<expression>".into()))
                .collect();
            match index.origin.as_str() {
                // The primary key's own index (not made for an INTEGER PRIMARY KEY): compared as the key above.
                "pk" => {}
                "u" => facts.unique(t, &columns),
                _ => facts.index(t, &index.name, index.is_unique != 0, index.partial != 0, &columns),
            }
        }
    }
    facts.0
}

#[derive(QueryableByName)]
struct PostgresColumn {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Text)]
    data_type: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[derive(QueryableByName)]
struct PostgresForeignKey {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    columns: String,
    #[diesel(sql_type = Text)]
    target: String,
    #[diesel(sql_type = Text)]
    target_columns: String,
}

#[derive(QueryableByName)]
struct PostgresIndex {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    index_name: String,
    #[diesel(sql_type = Bool)]
    is_unique: bool,
    #[diesel(sql_type = Bool)]
    is_primary: bool,
    #[diesel(sql_type = Bool)]
    is_constraint: bool,
    #[diesel(sql_type = Bool)]
    partial: bool,
    #[diesel(sql_type = Nullable<Text>)]
    columns: Option<String>,
}

fn postgres_schema(c: &mut PgConnection) -> BTreeSet<String> {
    let mut facts = Facts(BTreeSet::new());
    let tables: Vec<Name> = sql_query(
        "SELECT table_name::text AS name FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name",
    )
    .load(c)
    .unwrap();
    let tables: BTreeSet<String> = tables.into_iter().map(|t| t.name).filter(|t| t != MIGRATIONS_TABLE).collect();
    for t in &tables {
        facts.table(t);
    }
    let columns: Vec<PostgresColumn> = sql_query(
        "SELECT table_name::text AS table_name, column_name::text AS column_name, data_type::text AS data_type, \
                is_nullable = 'YES' AS nullable \
         FROM information_schema.columns WHERE table_schema = 'public' ORDER BY table_name, ordinal_position",
    )
    .load(c)
    .unwrap();
    for column in columns.iter().filter(|c| tables.contains(&c.table_name)) {
        facts.column(&column.table_name, &column.column_name, &postgres_family(&column.data_type), column.nullable);
    }
    let references: Vec<PostgresForeignKey> = sql_query(
        "SELECT t.relname::text AS table_name, r.relname::text AS target, \
                (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord) \
                   FROM unnest(con.conkey) WITH ORDINALITY AS k(attnum, ord) \
                   JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum) AS columns, \
                (SELECT string_agg(a.attname::text, ', ' ORDER BY k.ord) \
                   FROM unnest(con.confkey) WITH ORDINALITY AS k(attnum, ord) \
                   JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum) AS target_columns \
         FROM pg_constraint con \
         JOIN pg_class t ON t.oid = con.conrelid \
         JOIN pg_class r ON r.oid = con.confrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE con.contype = 'f' AND n.nspname = 'public'",
    )
    .load(c)
    .unwrap();
    for r in references.iter().filter(|r| tables.contains(&r.table_name)) {
        facts.foreign_key(&r.table_name, &r.columns, &r.target, &r.target_columns);
    }
    // Each index with its key columns in order; `is_constraint`: it backs a UNIQUE constraint.
    let indexes: Vec<PostgresIndex> = sql_query(
        "SELECT t.relname::text AS table_name, i.relname::text AS index_name, \
                ix.indisunique AS is_unique, ix.indisprimary AS is_primary, \
                EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = ix.indexrelid \
                        AND con.conrelid = t.oid AND con.contype = 'u') AS is_constraint, \
                ix.indpred IS NOT NULL AS partial, \
                (SELECT string_agg(COALESCE(a.attname::text, '<expression>'), ',' ORDER BY k.ord) \
                   FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
                   LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum) AS columns \
         FROM pg_index ix \
         JOIN pg_class i ON i.oid = ix.indexrelid \
         JOIN pg_class t ON t.oid = ix.indrelid \
         JOIN pg_namespace n ON n.oid = t.relnamespace \
         WHERE n.nspname = 'public' ORDER BY t.relname, i.relname",
    )
    .load(c)
    .unwrap();
    for index in indexes.iter().filter(|i| tables.contains(&i.table_name)) {
        let t = index.table_name.as_str();
        let columns: Vec<String> = index.columns.as_deref().unwrap_or_default().split(',').map(str::to_owned).collect();
        if index.is_primary {
            facts.primary_key(t, &columns);
        } else if index.is_constraint {
            facts.unique(t, &columns);
        } else {
            facts.index(t, &index.index_name, index.is_unique, index.partial, &columns);
        }
    }
    facts.0
}
