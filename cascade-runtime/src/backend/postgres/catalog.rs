//! The live schema on PostgreSQL, from `pg_catalog`: a table as the session's unqualified
//! statements find it (`to_regclass` of its quoted name, through `search_path`), its columns
//! (`pg_attribute`: `format_type`, and whether the database assigns them: `attidentity`,
//! `atthasdef`), primary key and indexes (`pg_index`), and the names of its primary-key and
//! foreign-key constraints (`pg_constraint`), which the fixes of `check_schema` drop.

use crate::check::{Assigned, LiveColumn, LiveForeignKey, LiveTable};
use crate::error::Result;
use crate::runner::Runner;
use crate::value::Value;

use super::PgRunner;

const COLUMNS: &str = "SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull, \
     COALESCE((SELECT k.n FROM unnest(i.indkey::int2[]) WITH ORDINALITY AS k(att, n) \
     WHERE k.att = a.attnum), 0)::bigint, a.attidentity::text, a.atthasdef \
     FROM pg_attribute a \
     LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary \
     WHERE a.attrelid = to_regclass(format('%I', $1::text)) AND a.attnum > 0 \
     AND NOT a.attisdropped ORDER BY a.attnum";

const FOREIGN_KEYS: &str = "SELECT c.oid::bigint, t.relname::text, a.attname::text, \
     ta.attname::text, c.confdeltype::text, c.conname::text \
     FROM pg_constraint c JOIN pg_class t ON t.oid = c.confrelid \
     CROSS JOIN LATERAL unnest(c.conkey, c.confkey) WITH ORDINALITY AS k(col, tcol, n) \
     JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.col \
     JOIN pg_attribute ta ON ta.attrelid = c.confrelid AND ta.attnum = k.tcol \
     WHERE c.conrelid = to_regclass(format('%I', $1::text)) AND c.contype = 'f' \
     ORDER BY c.oid, k.n";

const PRIMARY_KEY: &str = "SELECT conname::text FROM pg_constraint \
     WHERE conrelid = to_regclass(format('%I', $1::text)) AND contype = 'p'";

const INDEXED: &str = "SELECT a.attname::text FROM pg_index i \
     JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
     WHERE i.indrelid = to_regclass(format('%I', $1::text)) AND i.indpred IS NULL";

fn text(value: &Value) -> String {
    match value {
        Value::Text(t) => t.clone(),
        other => other.to_string(),
    }
}

/// `table`'s columns, foreign keys and indexed columns; `None` when there is no such table.
pub(crate) fn live_table(runner: &mut PgRunner<'_>, table: &str) -> Result<Option<LiveTable>> {
    let name = [Value::Text(table.to_owned())];
    let columns: Vec<LiveColumn> = runner
        .query(COLUMNS, &name)?
        .into_iter()
        .map(|row| LiveColumn {
            name: text(&row[0]),
            decl_type: text(&row[1]),
            not_null: matches!(row[2], Value::Integer(1)),
            pk: match row[3] {
                Value::Integer(n) => n,
                _ => 0,
            },
            assigned: Some(match text(&row[4]).as_str() {
                "d" => Assigned::ByDefault,
                "a" => Assigned::Always,
                _ if matches!(row[5], Value::Integer(1)) => Assigned::ByDefault,
                _ => Assigned::No,
            }),
        })
        .collect();
    if columns.is_empty() {
        return Ok(None);
    }
    let mut foreign_keys: Vec<(Value, LiveForeignKey)> = Vec::new();
    for row in runner.query(FOREIGN_KEYS, &name)? {
        let on_delete = match text(&row[4]).as_str() {
            "c" => "CASCADE",
            "n" => "SET NULL",
            "d" => "SET DEFAULT",
            "r" => "RESTRICT",
            _ => "NO ACTION",
        };
        let pair = (text(&row[2]), Some(text(&row[3])));
        match foreign_keys.last_mut() {
            Some((id, key)) if *id == row[0] => key.columns.push(pair),
            _ => foreign_keys.push((
                row[0].clone(),
                LiveForeignKey {
                    name: Some(text(&row[5])),
                    target: text(&row[1]),
                    columns: vec![pair],
                    on_delete: on_delete.to_owned(),
                },
            )),
        }
    }
    let indexed = runner
        .query(INDEXED, &name)?
        .iter()
        .map(|row| text(&row[0]))
        .collect();
    let primary_key = runner
        .query(PRIMARY_KEY, &name)?
        .first()
        .map(|row| text(&row[0]));
    Ok(Some(LiveTable {
        columns,
        foreign_keys: foreign_keys.into_iter().map(|(_, k)| k).collect(),
        indexed,
        primary_key,
    }))
}
