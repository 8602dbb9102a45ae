//! How records map to catalog rows, for every backend: a record kind declares its stored
//! fields once (see `catalog_columns`), in column order, and gets the column names, the
//! reading of a row and the values of its columns from [`stored_columns!`]. Backends only
//! say how one column is read from their rows and how a [`ColumnValue`] is bound.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::BackendError;

/// The value of one catalog column, as a query parameter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ColumnValue {
    Text(String),
    MaybeText(Option<String>),
    Integer(i64),
    Boolean(bool),
}

/// The query counting the rows of `dependent` that reference one id and are live: its table
/// is `table_prefix` followed by the table's name, and the id is bound to `id_placeholder`.
pub(crate) fn dependent_count_sql(
    dependent: &crate::records::Dependent,
    table_prefix: &str,
    id_placeholder: &str,
) -> String {
    let live_only = match dependent.live_only {
        "" => String::new(),
        condition => format!(" AND {condition}"),
    };
    format!(
        "SELECT count(*) FROM {table_prefix}{} WHERE {} = {id_placeholder}{live_only}",
        dependent.table, dependent.column
    )
}

/// The columns of one row, read in order.
pub(crate) trait ColumnReader {
    fn text(&mut self) -> Result<String, BackendError>;
    fn maybe_text(&mut self) -> Result<Option<String>, BackendError>;
    fn integer(&mut self) -> Result<i64, BackendError>;
    fn boolean(&mut self) -> Result<bool, BackendError>;
}

/// Implements [`ColumnReader`] for a row reader whose own generic `next` reads the next
/// column as any type its database driver converts to.
macro_rules! column_reader_by_next {
    ($reader:ty) => {
        impl $crate::backend::columns::ColumnReader for $reader {
            fn text(&mut self) -> Result<String, BackendError> {
                self.next()
            }
            fn maybe_text(&mut self) -> Result<Option<String>, BackendError> {
                self.next()
            }
            fn integer(&mut self) -> Result<i64, BackendError> {
                self.next()
            }
            fn boolean(&mut self) -> Result<bool, BackendError> {
                self.next()
            }
        }
    };
}

/// A field type kept in one column as it is.
pub(crate) trait Stored: Sized {
    fn read(reader: &mut dyn ColumnReader) -> Result<Self, BackendError>;
    fn value(&self) -> ColumnValue;
}

impl Stored for String {
    fn read(reader: &mut dyn ColumnReader) -> Result<Self, BackendError> {
        reader.text()
    }
    fn value(&self) -> ColumnValue {
        ColumnValue::Text(self.clone())
    }
}

impl Stored for Option<String> {
    fn read(reader: &mut dyn ColumnReader) -> Result<Self, BackendError> {
        reader.maybe_text()
    }
    fn value(&self) -> ColumnValue {
        ColumnValue::MaybeText(self.clone())
    }
}

impl Stored for i64 {
    fn read(reader: &mut dyn ColumnReader) -> Result<Self, BackendError> {
        reader.integer()
    }
    fn value(&self) -> ColumnValue {
        ColumnValue::Integer(*self)
    }
}

impl Stored for bool {
    fn read(reader: &mut dyn ColumnReader) -> Result<Self, BackendError> {
        reader.boolean()
    }
    fn value(&self) -> ColumnValue {
        ColumnValue::Boolean(*self)
    }
}

/// A field kept as JSON text (`NULL` for a value that is JSON `null`).
pub(crate) fn read_json<T: DeserializeOwned>(
    reader: &mut dyn ColumnReader,
) -> Result<T, BackendError> {
    let text = reader.maybe_text()?;
    serde_json::from_str(text.as_deref().unwrap_or("null"))
        .map_err(|error| BackendError::Corrupt(error.to_string()))
}

/// The column value of a field kept as JSON text.
pub(crate) fn json_value(value: &impl Serialize) -> Result<ColumnValue, BackendError> {
    let text =
        serde_json::to_string(value).map_err(|error| BackendError::Corrupt(error.to_string()))?;
    Ok(match text.as_str() {
        "null" => ColumnValue::MaybeText(None),
        _ => ColumnValue::Text(text),
    })
}

/// The stored fields of a record kind, in column order.
pub(crate) trait Columns: Sized {
    /// The column names, in order.
    const NAMES: &'static [&'static str];
    /// The record whose columns `reader` reads; fields that are not stored are empty.
    fn read_columns(reader: &mut dyn ColumnReader) -> Result<Self, BackendError>;
    /// The values of every column of `self`, in order.
    fn column_values(&self) -> Result<Vec<ColumnValue>, BackendError>;
}

/// The values of the columns `names` (each one of `R::NAMES`) of `record`, in that order.
pub(crate) fn values_of<R: Columns>(
    record: &R,
    names: &[&str],
) -> Result<Vec<ColumnValue>, BackendError> {
    let mut all = record.column_values()?;
    names
        .iter()
        .map(|name| {
            let index = R::NAMES.iter().position(|column| column == name);
            index
                .map(|index| std::mem::replace(&mut all[index], ColumnValue::MaybeText(None)))
                .ok_or_else(|| BackendError::Corrupt(format!("no column {name}")))
        })
        .collect()
}

/// Where the rows of a record kind live and how they are looked up, on every backend.
pub(crate) trait CatalogTable: Columns {
    /// The table's name (PostgreSQL keeps it in the `tenant_catalog` schema).
    const TABLE: &'static str;
    /// The condition a row meets while its object is live (not tombstoned or revoked).
    const LIVE: &'static str;
    /// The columns of the natural key, in key order.
    const KEY: &'static [&'static str];
    /// The columns naming a listing scope, in scope order; none for every live row.
    const SCOPE: &'static [&'static str];
    /// The order of listings.
    const ORDER_BY: &'static str;
}

/// The condition that `columns` (with `prefix`, e.g. `u.`) equal the parameters numbered
/// from 1 in `placeholder` style (`?` or `$`); `TRUE` for no columns.
pub(crate) fn equal_filter(columns: &[&str], prefix: &str, placeholder: char) -> String {
    if columns.is_empty() {
        return "TRUE".to_string();
    }
    let terms: Vec<String> = (columns.iter().enumerate())
        .map(|(index, column)| format!("{prefix}{column} = {placeholder}{}", index + 1))
        .collect();
    terms.join(" AND ")
}

/// The table and columns of the record type `$record`: where its rows live (`live` when
/// only some rows are), its natural key, its listing scope and order, then each stored
/// field in column order, optionally `= "column"` when the column is named otherwise and
/// `: json` when it is kept as JSON text, and the fields that are not stored with the value
/// a read gives them.
macro_rules! stored_columns {
    ($record:ident in $table:literal {
        $(live: $live:literal,)?
        key: [$($key:ident),*],
        scope: [$($scope:ident),*],
        order: $order:ident,
        columns: [$($field:ident $(= $column:literal)? $(: $codec:ident)?),* $(,)?],
        $(unstored: { $($unstored:ident: $default:expr),* $(,)? },)?
    }) => {
        impl $crate::backend::columns::CatalogTable for $record {
            const TABLE: &'static str = $table;
            const LIVE: &'static str = stored_columns!(@live $($live)?);
            const KEY: &'static [&'static str] = &[$(stringify!($key)),*];
            const SCOPE: &'static [&'static str] = &[$(stringify!($scope)),*];
            const ORDER_BY: &'static str = stringify!($order);
        }

        impl $crate::backend::columns::Columns for $record {
            const NAMES: &'static [&'static str] = &[$(stored_columns!(@name $field $($column)?)),*];

            fn read_columns(
                reader: &mut dyn $crate::backend::columns::ColumnReader,
            ) -> Result<Self, $crate::backend::BackendError> {
                Ok($record {
                    $($field: stored_columns!(@read reader $($codec)?),)*
                    $($($unstored: $default,)*)?
                })
            }

            fn column_values(
                &self,
            ) -> Result<Vec<$crate::backend::columns::ColumnValue>, $crate::backend::BackendError>
            {
                Ok(vec![$(stored_columns!(@value &self.$field $(, $codec)?)),*])
            }
        }
    };
    (@live) => { "TRUE" };
    (@live $live:literal) => { $live };
    (@name $field:ident) => { stringify!($field) };
    (@name $field:ident $column:literal) => { $column };
    (@read $reader:ident) => { $crate::backend::columns::Stored::read($reader)? };
    (@read $reader:ident json) => { $crate::backend::columns::read_json($reader)? };
    (@value $value:expr) => { $crate::backend::columns::Stored::value($value) };
    (@value $value:expr, json) => { $crate::backend::columns::json_value($value)? };
}
