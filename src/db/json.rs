//! A list of strings kept as a JSON array in a text column (an article's authors, a report's
//! evidence links); a stored value that is not such an array is an error, never an empty list.

use diesel::deserialize::{self, FromSql};
use diesel::serialize::{self, IsNull, Output, ToSql};
use diesel::sql_types::Text;

use super::MultiBackend;

/// A JSON array of strings in a text column.
#[derive(Debug, Clone, PartialEq, Eq, diesel::expression::AsExpression, diesel::deserialize::FromSqlRow)]
#[diesel(sql_type = Text)]
pub struct StringList {
    items: Vec<String>,
    // Kept with the items: a bind value must borrow from the value bound.
    json: String,
}

impl From<Vec<String>> for StringList {
    fn from(items: Vec<String>) -> Self {
        let json = serde_json::Value::from(items.clone()).to_string();
        Self { items, json }
    }
}

impl Default for StringList {
    fn default() -> Self {
        Vec::new().into()
    }
}

impl StringList {
    /// The JSON text stored.
    pub fn to_json(&self) -> &str {
        &self.json
    }

    /// The strings.
    pub fn into_vec(self) -> Vec<String> {
        self.items
    }
}

impl std::ops::Deref for StringList {
    type Target = Vec<String>;
    fn deref(&self) -> &Vec<String> {
        &self.items
    }
}

impl ToSql<Text, MultiBackend> for StringList {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, MultiBackend>) -> serialize::Result {
        out.set_value((Text, self.json.as_str()));
        Ok(IsNull::No)
    }
}

// Inserts go through each backend's own bind collector.
impl ToSql<Text, diesel::pg::Pg> for StringList {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::pg::Pg>) -> serialize::Result {
        <str as ToSql<Text, diesel::pg::Pg>>::to_sql(&self.json, &mut out.reborrow())
    }
}

impl ToSql<Text, diesel::sqlite::Sqlite> for StringList {
    fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, diesel::sqlite::Sqlite>) -> serialize::Result {
        out.set_value(self.json.as_str());
        Ok(IsNull::No)
    }
}

impl FromSql<Text, MultiBackend> for StringList {
    fn from_sql(bytes: <MultiBackend as diesel::backend::Backend>::RawValue<'_>) -> deserialize::Result<Self> {
        let raw = <String as FromSql<Text, MultiBackend>>::from_sql(bytes)?;
        serde_json::from_str::<Vec<String>>(&raw)
            .map(Self::from)
            .map_err(|e| format!("{raw:?} is not a JSON list of strings: {e}").into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_stored_as_json_arrays() {
        assert_eq!(StringList::from(vec!["a".to_owned(), "b\"c".to_owned()]).to_json(), r#"["a","b\"c"]"#);
        assert_eq!(StringList::default().to_json(), "[]");
    }
}
