//! Desks (teams of editors that reports are routed to) and their members.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::StaffMember;
use crate::db::json::StringList;
use crate::db::schema::{desk_members, desks, users};
use crate::db::vocabulary::Assignment;
use crate::db::DbConnection;

/// A desk row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = desks)]
pub struct Desk {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub lead_id: Option<i64>,
    /// Article sections it takes (empty: any).
    pub sections: StringList,
    /// Categories it takes, as stored names (empty: any).
    pub categories: StringList,
    /// Severities it takes, as stored names (empty: any).
    pub severities: StringList,
    pub assignment: Assignment,
    /// Its place in the rule order, 1 first.
    pub position: i32,
    /// The chat endpoint that hears of its reports.
    pub endpoint_id: Option<i64>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A desk's stored fields, to insert or replace.
#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = desks, treat_none_as_null = true)]
pub struct DeskFields<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub lead_id: Option<i64>,
    pub sections: &'a StringList,
    pub categories: &'a StringList,
    pub severities: &'a StringList,
    pub assignment: Assignment,
    pub position: i32,
    pub endpoint_id: Option<i64>,
    pub updated_at: NaiveDateTime,
}

/// A member row.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = desk_members)]
pub struct DeskMember {
    pub desk_id: i64,
    pub user_id: i64,
    /// The order of their last automatic assignment on this desk (0: never).
    pub turn: i64,
}

impl Desk {
    /// Every desk in rule order.
    pub fn all(conn: &mut DbConnection) -> QueryResult<Vec<Self>> {
        desks::table.order((desks::position.asc(), desks::id.asc())).select(Self::as_select()).load(conn)
    }

    /// The desk with this slug.
    pub fn by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<Self>> {
        desks::table.filter(desks::slug.eq(slug)).select(Self::as_select()).first(conn).optional()
    }

    /// The desk with this id.
    pub fn find(conn: &mut DbConnection, id: i64) -> QueryResult<Option<Self>> {
        desks::table.find(id).select(Self::as_select()).first(conn).optional()
    }

    /// The desks `user_id` belongs to, in rule order.
    pub fn of_member(conn: &mut DbConnection, user_id: i64) -> QueryResult<Vec<Self>> {
        desks::table
            .inner_join(desk_members::table)
            .filter(desk_members::user_id.eq(user_id))
            .order((desks::position.asc(), desks::id.asc()))
            .select(Self::as_select())
            .load(conn)
    }

    /// Stores a new desk; returns its id.
    pub fn insert(conn: &mut DbConnection, fields: &DeskFields<'_>, now: NaiveDateTime) -> QueryResult<i64> {
        diesel::insert_into(desks::table)
            .values((fields, desks::created_at.eq(now)))
            .returning(desks::id)
            .get_result(conn)
    }

    /// Replaces a desk's fields.
    pub fn replace(conn: &mut DbConnection, id: i64, fields: &DeskFields<'_>) -> QueryResult<()> {
        diesel::update(desks::table.find(id)).set(fields).execute(conn).map(drop)
    }

    /// Writes every desk's place in the rule order, 1 first, as listed.
    pub fn renumber(conn: &mut DbConnection, ids: &[i64]) -> QueryResult<()> {
        for (i, id) in ids.iter().enumerate() {
            let position = i32::try_from(i + 1).unwrap_or(i32::MAX);
            diesel::update(desks::table.find(id)).set(desks::position.eq(position)).execute(conn)?;
        }
        Ok(())
    }

    /// Removes a desk (its members go with it; its reports must have left it).
    pub fn delete(conn: &mut DbConnection, id: i64) -> QueryResult<()> {
        diesel::delete(desks::table.find(id)).execute(conn).map(drop)
    }

    /// Unsets a removed chat endpoint from the desks it alerted.
    pub fn unset_endpoint(conn: &mut DbConnection, endpoint_id: i64) -> QueryResult<()> {
        diesel::update(desks::table.filter(desks::endpoint_id.eq(endpoint_id)))
            .set(desks::endpoint_id.eq(None::<i64>))
            .execute(conn)
            .map(drop)
    }
}

impl DeskMember {
    /// A desk's members with their accounts, by name.
    pub fn of_desk(conn: &mut DbConnection, desk_id: i64) -> QueryResult<Vec<(Self, StaffMember)>> {
        desk_members::table
            .inner_join(users::table)
            .filter(desk_members::desk_id.eq(desk_id))
            .order((users::name.asc(), users::id.asc()))
            .select((Self::as_select(), StaffMember::as_select()))
            .load(conn)
    }

    /// Adds a member.
    pub fn add(conn: &mut DbConnection, desk_id: i64, user_id: i64) -> QueryResult<()> {
        diesel::insert_into(desk_members::table)
            .values((desk_members::desk_id.eq(desk_id), desk_members::user_id.eq(user_id)))
            .execute(conn)
            .map(drop)
    }

    /// Removes a member.
    pub fn remove(conn: &mut DbConnection, desk_id: i64, user_id: i64) -> QueryResult<()> {
        diesel::delete(desk_members::table.find((desk_id, user_id))).execute(conn).map(drop)
    }

    /// Records that automatic assignment just gave this member one of the desk's reports: their
    /// turn becomes the desk's latest.
    pub fn assigned(conn: &mut DbConnection, desk_id: i64, user_id: i64) -> QueryResult<()> {
        let last: Option<i64> = desk_members::table
            .filter(desk_members::desk_id.eq(desk_id))
            .select(diesel::dsl::max(desk_members::turn))
            .first(conn)?;
        diesel::update(desk_members::table.find((desk_id, user_id)))
            .set(desk_members::turn.eq(last.unwrap_or(0) + 1))
            .execute(conn)
            .map(drop)
    }
}
