//! Hostile and odd identifiers and values, end to end: tables and columns named after SQL
//! keywords or holding quotes and spaces (as foreign keys, association tables, a
//! self-referential table, and so as the names of the runtime's temporary tables on SQLite and
//! of its key-set CTEs on PostgreSQL), values that look like SQL, and malformed `delete_where`
//! clauses. Every call of the session goes through them; what is stored is read back verbatim,
//! and a failed call changes nothing.
//!
//! Every scenario runs on a SQLite file, on SQLite in memory and (with `CASCADE_PG_URL`) on
//! PostgreSQL ([`on_all!`]), with the backend's placeholders (`?1`, `$1`). PostgreSQL's text
//! cannot hold NUL: there the fixture's text with NULs is replaced by one with backslashes, and
//! NUL gets tests of its own (refused clearly, nothing written). PostgreSQL also keeps names
//! that differ in case apart: `"Order"` beside `"order"`, a key column `"ID"` beside a column
//! `"id"` (the mixed-case models below).

mod common;

use std::cell::RefCell;
use std::ops::ControlFlow;

use cascade_runtime::{
    Backend, DeleteHooks, Error, HookContext, HookError, Key, Model, Result, Session, Value,
};
use common::pg::{pg_session, pg_session_in};
use common::{dump, quoted, Db, Dump};

// --- Models --------------------------------------------------------------------------------

/// `order`: keyword table, keyword and quoted column names, a one-to-many and a many-to-many.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "order")]
pub struct Order {
    #[model(primary_key, column = "group")]
    pub id: i64,
    #[model(column = "from")]
    pub from: String,
    #[model(column = "a \"quoted\" col")]
    pub quoted: String,
    #[model(column = "with space")]
    pub data: Vec<u8>,
    #[relationship(cascade = "all, delete-orphan")]
    pub lines: Vec<Line>,
    #[relationship(secondary = OrderTag, cascade = "save-update, merge, refresh-expire")]
    pub tags: Vec<Tag>,
}

/// `select`: its foreign key to `order` is the column `from`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "select")]
pub struct Line {
    #[model(primary_key, column = "where")]
    pub id: i64,
    #[model(foreign_key = Order, column = "from")]
    pub order_id: Option<i64>,
    #[model(column = "a \"quoted\" col")]
    pub text: String,
    #[relationship(cascade = "all, delete-orphan")]
    pub notes: Vec<Note>,
}

/// `my "table"`, with delete hooks (so a `cascade_rows_my "table"` temporary table): its
/// foreign key is the column `a "quoted" col`, NOT NULL, `ON DELETE CASCADE`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "my \"table\"", hooks)]
pub struct Note {
    #[model(primary_key, column = "with space")]
    pub id: i64,
    #[model(foreign_key = Line, column = "a \"quoted\" col", on_delete = "cascade")]
    pub line_id: i64,
    #[model(column = "group")]
    pub body: String,
}

/// `tag table`: a space in the table name.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tag table")]
pub struct Tag {
    #[model(primary_key, column = "table")]
    pub id: i64,
    #[model(column = "values", unique)]
    pub name: String,
}

/// The association table `order "tag" link`, keyed by `order` and `tag "id"`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "order \"tag\" link")]
pub struct OrderTag {
    #[model(primary_key, foreign_key = Order, column = "order")]
    pub order_id: i64,
    #[model(primary_key, foreign_key = Tag, column = "tag \"id\"")]
    pub tag_id: i64,
}

/// `references`: a self-referential tree through the column `parent "of" it`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "references")]
pub struct Folder {
    #[model(primary_key, column = "key")]
    pub id: i64,
    #[model(foreign_key = Folder, column = "parent \"of\" it")]
    pub parent_id: Option<i64>,
    #[model(column = "name; DROP TABLE \"references\"; --")]
    pub name: String,
    #[relationship(cascade = "all")]
    pub children: Vec<Folder>,
}

/// `drop`: a text primary key (values that look like SQL are keys here) and a default that
/// looks like SQL.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "drop")]
pub struct Setting {
    #[model(primary_key, column = "primary key")]
    pub key: String,
    #[model(column = "default", default = "'); DROP TABLE \"drop\"; --")]
    pub value: String,
    #[model(column = "?1")]
    pub raw: Option<Vec<u8>>,
}

thread_local! {
    static HOOKED: RefCell<Vec<(String, i64, String)>> = const { RefCell::new(Vec::new()) };
}

impl DeleteHooks for Note {
    fn after_delete(&self, ctx: &HookContext<'_>) -> std::result::Result<(), HookError> {
        HOOKED.with(|h| {
            h.borrow_mut()
                .push((ctx.table().to_owned(), self.id, self.body.clone()))
        });
        Ok(())
    }
}

fn hooked() -> Vec<(String, i64, String)> {
    HOOKED.with(|h| std::mem::take(&mut *h.borrow_mut()))
}

// --- Values --------------------------------------------------------------------------------

/// Text that must be stored and read back verbatim.
const TEXTS: &[&str] = &[
    "'); DROP TABLE \"order\"; --",
    "\" OR 1=1 --",
    "' OR '1'='1",
    "x\"); DELETE FROM \"select\" WHERE (\"where\" > 0",
    "日本語 ✓ émoji 🦀 \u{202e}rtl",
    "",
    "nul\0inside\0",
    "\n\r\t\\ %_ ?1 :name @x $y */ /*",
];

/// [`TEXTS`] for PostgreSQL, whose text cannot hold NUL: the NULs are spelled as escapes that
/// must stay escapes (standard strings, `E''` strings, `bytea` hex).
const PG_TEXTS: &[&str] = &[
    TEXTS[0],
    TEXTS[1],
    TEXTS[2],
    TEXTS[3],
    TEXTS[4],
    TEXTS[5],
    "nul\\0inside\\000 E'\\x00' $1 $$ $q$",
    TEXTS[7],
];

/// The hostile texts a backend can store.
fn texts(s: &impl Db) -> &'static [&'static str] {
    if s.is_postgres() {
        PG_TEXTS
    } else {
        TEXTS
    }
}

/// A clause written with SQLite's placeholders (`?1`, `?2`), in the backend's.
fn ph(s: &impl Db, clause: &str) -> String {
    (1..=3).rev().fold(clause.to_owned(), |c, n| {
        c.replace(&format!("?{n}"), &s.p(n))
    })
}

/// Blobs, NUL bytes and quotes included.
fn blobs() -> Vec<Vec<u8>> {
    vec![
        Vec::new(),
        vec![0],
        vec![0, 0, 0],
        b"'); DROP TABLE x; --\0".to_vec(),
        vec![0x27, 0x22, 0x00, 0xff, 0xfe, 0x5c],
        (0..=255).collect(),
    ]
}

fn tags() -> Vec<Tag> {
    ["\"tag\"", "'; --", "🏷"]
        .iter()
        .map(|name| Tag {
            id: 0,
            name: (*name).to_owned(),
        })
        .collect()
}

/// One order per hostile text: two lines each with two notes, and some tags.
fn orders(texts: &[&str], tags: &[Tag]) -> Vec<Order> {
    let blobs = blobs();
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| Order {
            id: 0,
            from: (*text).to_owned(),
            quoted: format!("{text}{i}"),
            data: blobs[i % blobs.len()].clone(),
            lines: (0..2)
                .map(|l| Line {
                    id: 0,
                    order_id: None,
                    text: format!("{text} line {l}"),
                    notes: (0..2)
                        .map(|n| Note {
                            id: 0,
                            line_id: 0,
                            body: format!("{text} note {l}.{n}"),
                        })
                        .collect(),
                })
                .collect(),
            tags: tags.iter().take(i % (tags.len() + 1)).cloned().collect(),
        })
        .collect()
}

fn folders(texts: &[&str]) -> Folder {
    let leaf = |name: &str| Folder {
        id: 0,
        parent_id: None,
        name: name.to_owned(),
        children: vec![],
    };
    Folder {
        id: 0,
        parent_id: None,
        name: texts[0].to_owned(),
        children: vec![
            Folder {
                children: vec![leaf(texts[1]), leaf(texts[6])],
                ..leaf(texts[2])
            },
            leaf(texts[5]),
        ],
    }
}

/// A session with every model created and the fixture inserted.
struct Fixture {
    tags: Vec<Tag>,
    orders: Vec<Order>,
    root: Folder,
}

fn seed<B: Backend>(s: &mut Session<B>) -> Result<Fixture>
where
    Session<B>: Db,
{
    let texts = texts(s);
    s.create_all::<Order>()?;
    s.create_all::<Folder>()?;
    s.create_all::<Setting>()?;
    let mut tags = tags();
    for tag in &mut tags {
        s.insert(tag)?;
    }
    let mut orders = orders(texts, &tags);
    for order in &mut orders {
        s.insert(order)?;
    }
    let mut root = folders(texts);
    s.insert(&mut root)?;
    hooked();
    Ok(Fixture { tags, orders, root })
}

// --- Helpers -------------------------------------------------------------------------------

fn rows(s: &mut impl Db, table: &str) -> usize {
    s.rows_as_text(table).len()
}

fn t(text: &str) -> Value {
    Value::Text(text.to_owned())
}

/// Every table of the models, by name: all still there after every call (no value or clause
/// that looks like SQL dropped one), and no other.
const TABLES: &[&str] = &[
    "drop",
    "my \"table\"",
    "order",
    "order \"tag\" link",
    "references",
    "select",
    "tag table",
];

/// Indexes of `table` whose first column is `column`.
fn indexes_on(s: &mut impl Db, table: &str, column: &str) -> i64 {
    let sql = if s.is_postgres() {
        "SELECT count(*) FROM pg_index AS i JOIN pg_attribute AS a \
         ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] \
         WHERE i.indrelid = quote_ident($1)::regclass AND a.attname::text = $2"
    } else {
        "SELECT count(*) FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i \
         WHERE i.seqno = 0 AND i.name = ?2"
    };
    s.sql_count_with(sql, &[t(table), t(column)])
}

// --- create_all, insert, get, check_schema --------------------------------------------------

#[test]
fn tables_named_after_keywords_and_quotes_are_created_and_check_clean() {
    on_all!(|s| {
        seed(s)?;
        assert_eq!(s.tables(), TABLES);
        // Twice is harmless (IF NOT EXISTS), indexes included.
        s.create_all::<Order>()?;
        s.create_all::<Folder>()?;
        s.create_all::<Setting>()?;
        for report in [
            s.check_schema::<Order>()?,
            s.check_schema::<Folder>()?,
            s.check_schema::<Setting>()?,
        ] {
            assert!(report.is_clean(), "{report}");
        }
        assert!(indexes_on(s, "select", "from") >= 1);
        assert!(indexes_on(s, "my \"table\"", "a \"quoted\" col") >= 1);
        assert!(indexes_on(s, "order \"tag\" link", "tag \"id\"") >= 1);
        assert!(indexes_on(s, "references", "parent \"of\" it") >= 1);
        Ok(())
    });
}

#[test]
fn hostile_values_round_trip_and_keys_are_written_back() {
    on_all!(|s| {
        let texts = texts(s);
        let fx = seed(s)?;
        assert_eq!(rows(s, "order"), texts.len());
        assert_eq!(rows(s, "select"), texts.len() * 2);
        assert_eq!(rows(s, "my \"table\""), texts.len() * 4);
        let stored = format!(
            "SELECT count(*) FROM \"order\" WHERE \"group\" = {} AND \"from\" = {} \
             AND \"with space\" = {}",
            s.p(1),
            s.p(2),
            s.p(3)
        );
        for (i, order) in fx.orders.iter().enumerate() {
            assert!(order.id > 0);
            for line in &order.lines {
                assert_eq!(line.order_id, Some(order.id));
                assert!(line.id > 0);
                for note in &line.notes {
                    assert_eq!(note.line_id, line.id);
                }
            }
            let mut found = s.get::<Order>(order.id)?.expect("the order");
            assert_eq!(found.from, texts[i]);
            assert_eq!(found.quoted, order.quoted);
            assert_eq!(found.data, order.data, "blob {i}");
            assert!(found.lines.is_empty() && found.tags.is_empty());
            s.load_related(&mut found)?;
            assert_eq!(found.lines.len(), 2);
            assert_eq!(found.tags.len(), order.tags.len());
            // Stored verbatim: the database itself agrees, byte for byte.
            let params = [
                Value::Integer(order.id),
                t(texts[i]),
                Value::Blob(order.data.clone()),
            ];
            assert_eq!(s.sql_count_with(&stored, &params), 1, "{:?}", texts[i]);
        }
        for tag in &fx.tags {
            assert_eq!(s.get::<Tag>(tag.id)?.as_ref(), Some(tag));
        }
        assert_eq!(rows(s, "references"), 5);
        assert!(fx.root.children[0].children[1].id > 0);
        assert_eq!(
            fx.root.children[0].children[1].parent_id,
            Some(fx.root.children[0].id)
        );
        Ok(())
    });
}

#[test]
fn text_keys_that_look_like_sql_are_keys() {
    on_all!(|s| {
        let texts = texts(s);
        seed(s)?;
        for (i, text) in texts.iter().enumerate() {
            let mut setting = Setting {
                key: (*text).to_owned(),
                value: format!("{text}{text}"),
                raw: Some(blobs()[i % blobs().len()].clone()),
            };
            s.insert(&mut setting)?;
            assert_eq!(s.get::<Setting>(*text)?, Some(setting.clone()));
            setting.value = texts[(i + 1) % texts.len()].to_owned();
            setting.raw = None;
            s.update(&mut setting)?;
            assert_eq!(s.get::<Setting>(*text)?, Some(setting));
        }
        // The default that looks like SQL is a literal in the DDL, applied verbatim.
        s.sql_batch("INSERT INTO \"drop\" (\"primary key\") VALUES ('defaulted')");
        let defaulted = s.get::<Setting>("defaulted")?.expect("the row");
        assert_eq!(defaulted.value, "'); DROP TABLE \"drop\"; --");
        assert_eq!(defaulted.raw, None);

        let before = dump(s);
        let report = s.delete_by_pk::<Setting>(texts[1])?;
        assert_eq!(report.count("drop"), 1);
        assert_eq!(s.get::<Setting>(texts[1])?, None);
        // Exactly one row went.
        let after = dump(s);
        let gone = |d: &Dump| d.iter().map(|(_, r)| r.len()).sum::<usize>();
        assert_eq!(gone(&before) - gone(&after), 1);
        assert_eq!(s.delete_by_pk::<Setting>("no such key")?.total(), 0);
        assert_eq!(s.tables(), TABLES);
        Ok(())
    });
}

// --- update with delete-orphan, merge, refresh, load_all ------------------------------------

#[test]
fn update_with_delete_orphan_merge_refresh_and_load_all() {
    on_all!(|s| {
        let texts = texts(s);
        let fx = seed(s)?;
        let mut all: Vec<Order> = fx
            .orders
            .iter()
            .map(|o| s.get::<Order>(o.id).map(Option::unwrap))
            .collect::<Result<_>>()?;
        s.load_all(&mut all)?;
        for (loaded, inserted) in all.iter().zip(&fx.orders) {
            assert_eq!(loaded.lines.len(), 2);
            let mut tags: Vec<i64> = loaded.tags.iter().map(|t| t.id).collect();
            tags.sort();
            assert_eq!(tags, inserted.tags.iter().map(|t| t.id).collect::<Vec<_>>());
        }
        s.load_depth(&mut all, 2)?;
        assert!(all
            .iter()
            .all(|o| o.lines.iter().all(|l| l.notes.len() == 2)));

        // Drop a line: delete-orphan removes it, and its notes with it (hooks see them).
        let mut order = all[0].clone();
        let gone = order.lines.remove(0);
        order.from = texts[3].to_owned();
        order.lines[0].text = texts[0].to_owned();
        let report = s.update(&mut order)?;
        assert_eq!(
            (report.count("select"), report.count("my \"table\"")),
            (1, 2)
        );
        let mut seen: Vec<i64> = hooked().into_iter().map(|(_, id, _)| id).collect();
        seen.sort();
        assert_eq!(seen, gone.notes.iter().map(|n| n.id).collect::<Vec<_>>());
        assert!(s.get::<Line>(gone.id)?.is_none());
        let stored = s.get_with_related::<Order>(order.id)?.expect("the order");
        assert_eq!(stored.from, texts[3]);
        assert_eq!(stored.lines.len(), 1);
        assert_eq!(stored.lines[0].text, texts[0]);

        // merge: an update of what exists, an insert of what does not.
        let mut merged = stored.clone();
        merged.quoted = texts[4].to_owned();
        merged.lines.push(Line {
            id: 0,
            order_id: None,
            text: texts[6].to_owned(),
            notes: vec![],
        });
        merged.tags.push(fx.tags[2].clone());
        s.merge(&mut merged)?;
        assert!(merged.lines[1].id > 0);
        let stored = s.get_with_related::<Order>(order.id)?.expect("the order");
        assert_eq!(stored.quoted, texts[4]);
        assert_eq!(stored.lines.len(), 2);
        assert!(stored.tags.iter().any(|t| t.id == fx.tags[2].id));

        // refresh: local changes are replaced by the row, tags along refresh-expire.
        let mut local = merged.clone();
        local.from = "changed locally".into();
        local.data = vec![1, 2, 3];
        local.tags.clear();
        s.refresh(&mut local)?;
        assert_eq!(local.from, stored.from);
        assert_eq!(local.data, stored.data);
        let mut tags: Vec<i64> = local.tags.iter().map(|t| t.id).collect();
        tags.sort();
        let mut expected: Vec<i64> = stored.tags.iter().map(|t| t.id).collect();
        expected.sort();
        assert_eq!(tags, expected);
        assert_eq!(s.tables(), TABLES);
        Ok(())
    });
}

/// The runtime's key sets, keep sets and rows of hooked tables are named after the tables:
/// temporary tables on SQLite, the CTEs of the statements on PostgreSQL. Both quote the name.
#[test]
fn temporary_tables_are_named_after_hostile_tables() {
    on_all!(|s| {
        let texts = texts(s);
        let fx = seed(s)?;
        let (done, statements) = common::traced(|| -> Result<()> {
            // Beyond 512 keys, a batched load writes its keys to a temporary table on SQLite
            // (binds one array on PostgreSQL).
            let mut many: Vec<Order> = (0..600)
                .map(|i| Order {
                    id: 0,
                    from: texts[i % texts.len()].to_owned(),
                    quoted: String::new(),
                    data: vec![0; i % 3],
                    lines: vec![],
                    tags: vec![],
                })
                .collect();
            s.transaction(|s| many.iter_mut().try_for_each(|order| s.insert(order)))?;
            many.extend(fx.orders.iter().cloned());
            for order in &mut many {
                order.lines.clear();
                order.tags.clear();
            }
            s.load_depth(&mut many, 2)?;
            let lines: usize = many.iter().map(|o| o.lines.len()).sum();
            assert_eq!(lines, fx.orders.len() * 2);
            assert!(many
                .iter()
                .flat_map(|o| &o.lines)
                .all(|l| l.notes.len() == 2));
            let tags: usize = many.iter().map(|o| o.tags.len()).sum();
            assert_eq!(tags, fx.orders.iter().map(|o| o.tags.len()).sum::<usize>());

            // A delete with hooks, and an update that keeps part of a collection.
            s.delete(&fx.orders[1])?;
            let mut order = s
                .get_with_related::<Order>(fx.orders[2].id)?
                .expect("the order");
            order.lines.truncate(1);
            s.update(&mut order)?;
            s.delete_by_pk::<Folder>(fx.root.id)?;
            Ok(())
        });
        done?;
        if s.is_postgres() {
            let sql: Vec<&str> = statements.iter().map(|e| e.sql.as_str()).collect();
            for name in [
                "cascade_keys_order",
                "cascade_keys_select",
                "cascade_keys_my \"table\"",
                "cascade_keys_references",
            ] {
                let cte = format!("{}(", quoted(name));
                assert!(sql.iter().any(|q| q.contains(&cte)), "{cte} in {sql:#?}");
            }
        } else {
            let temp = s.sql_strings(
                "SELECT name FROM temp.sqlite_master WHERE type = 'table' ORDER BY name",
            );
            for name in [
                "cascade_keys_order",
                "cascade_keys_select",
                "cascade_keys_my \"table\"",
                "cascade_keys_references",
                "cascade_keep_select",
                "cascade_keep_tag table",
                "cascade_rows_my \"table\"",
                "cascade_load_order",
            ] {
                assert!(temp.iter().any(|t| t == name), "{name:?} in {temp:?}");
            }
        }
        assert_eq!(s.tables(), TABLES);
        Ok(())
    });
}

// --- delete, delete_by_pk, plans ------------------------------------------------------------

#[test]
fn delete_cascades_through_quoted_foreign_keys_and_association_tables() {
    on_all!(|s| {
        let fx = seed(s)?;
        let order = &fx.orders[2];
        assert_eq!(order.tags.len(), 2);
        let links = rows(s, "order \"tag\" link");
        let report = s.delete(order)?;
        assert_eq!(report.count("order"), 1);
        assert_eq!(report.count("select"), 2);
        assert_eq!(report.count("my \"table\""), 4);
        assert_eq!(report.count("order \"tag\" link"), 2);
        assert_eq!(report.count("tag table"), 0, "tags are not deleted");
        assert_eq!(hooked().len(), 4);
        assert!(hooked().is_empty());
        assert_eq!(rows(s, "order \"tag\" link"), links - 2);
        assert_eq!(rows(s, "tag table"), fx.tags.len());
        assert!(s.get::<Order>(order.id)?.is_none());

        let other = &fx.orders[3];
        let report = s.delete_by_pk::<Order>(other.id)?;
        assert_eq!(report.total(), 1 + 2 + 4 + other.tags.len());
        // The others are intact.
        for o in fx
            .orders
            .iter()
            .filter(|o| o.id != order.id && o.id != other.id)
        {
            let found = s.get_with_related::<Order>(o.id)?.expect("still there");
            assert_eq!(found.from, o.from);
            assert_eq!(found.lines.len(), 2);
        }

        // The self-referential table: the whole subtree, through `parent "of" it`.
        let report = s.delete_by_pk::<Folder>(fx.root.children[0].id)?;
        assert_eq!(report.count("references"), 3);
        assert_eq!(rows(s, "references"), 2);
        let report = s.delete(&fx.root)?;
        assert_eq!(report.count("references"), 2);
        assert_eq!(s.tables(), TABLES);
        Ok(())
    });
}

#[test]
fn plans_render_hostile_names_and_execute_later() {
    on_all!(|s| {
        let texts = texts(s);
        let fx = seed(s)?;
        let order = &fx.orders[2];
        let before = dump(s);
        let plan = s.plan_delete::<Order>(order.id)?;
        assert_eq!(dump(s), before, "planning changes nothing");
        assert_eq!(plan.count("my \"table\""), 4);
        assert_eq!(plan.count("order \"tag\" link"), 2);

        let tree = plan.to_string();
        assert!(tree.contains("delete order: 1 row"), "{tree}");
        assert!(
            tree.contains("delete my \"table\": 4 rows (via my \"table\".a \"quoted\" col)"),
            "{tree}"
        );
        assert!(tree.contains("(via select.from)"), "{tree}");
        assert!(tree.contains("(via order \"tag\" link.order)"), "{tree}");
        let detailed = format!("{plan:#}");
        let first = plan.first_keys("select");
        assert_eq!(
            first,
            [Key::from(order.lines[0].id), Key::from(order.lines[1].id)]
        );
        assert!(
            detailed.contains(&format!("[{}, {}]", order.lines[0].id, order.lines[1].id)),
            "{detailed}"
        );

        let mermaid = plan.to_mermaid();
        assert!(mermaid.starts_with("flowchart TD\n"), "{mermaid}");
        assert!(
            mermaid.contains("[\"delete my #quot;table#quot;: 4 rows\"]"),
            "{mermaid}"
        );
        assert!(
            mermaid.contains("|\"my #quot;table#quot;.a #quot;quoted#quot; col\"|"),
            "{mermaid}"
        );
        assert_balanced_mermaid(&mermaid);
        let dot = plan.to_dot();
        assert!(
            dot.contains("label=\"delete my \\\"table\\\": 4 rows\""),
            "{dot}"
        );
        assert!(
            dot.contains("label=\"order \\\"tag\\\" link.order\""),
            "{dot}"
        );
        assert_balanced_dot(&dot);

        let report = s.execute_plan(&plan)?;
        assert_eq!(report.total(), plan.total());
        assert!(s.get::<Order>(order.id)?.is_none());

        // A plan over the hostile-keyed table, and a stale one refused.
        let plan = s.plan_delete::<Order>(fx.orders[4].id)?;
        let insert = ph(
            s,
            "INSERT INTO \"my \"\"table\"\"\" (\"a \"\"quoted\"\" col\", \"group\") VALUES (?1, ?2)",
        );
        s.sql_execute(
            &insert,
            &[Value::Integer(fx.orders[4].lines[0].id), t(texts[0])],
        );
        let before = dump(s);
        match s.execute_plan(&plan) {
            Err(Error::PlanChanged {
                table,
                planned,
                now,
            }) => assert_eq!((table.as_str(), planned, now), ("my \"table\"", 4, 5)),
            other => panic!("expected PlanChanged, got {other:?}"),
        }
        assert_eq!(dump(s), before);
        Ok(())
    });
}

#[test]
fn the_model_graph_names_every_hostile_table_and_column() {
    on_all!(|s| {
        seed(s)?;
        let graph = s.model_graph::<Order>()?;
        let text = graph.to_string();
        for name in [
            "order (Order)",
            "select (Line)",
            "my \"table\" (Note)",
            "order \"tag\" link (OrderTag)",
            "foreign key a \"quoted\" col -> select.where ON DELETE CASCADE, NOT NULL",
            "foreign key tag \"id\" -> tag table.table",
        ] {
            assert!(text.contains(name), "{name:?} in\n{text}");
        }
        assert_balanced_mermaid(&graph.to_mermaid());
        assert_balanced_dot(&graph.to_dot());
        let folders = s.model_graph::<Folder>()?;
        assert!(
            folders
                .to_string()
                .contains("foreign key parent \"of\" it -> references.key"),
            "{folders}"
        );
        assert_balanced_mermaid(&folders.to_mermaid());
        assert_balanced_dot(&folders.to_dot());
        Ok(())
    });
}

/// Every label of a Mermaid diagram is one `"..."` with no quote inside.
fn assert_balanced_mermaid(text: &str) {
    for line in text.lines() {
        assert_eq!(line.matches('"').count() % 2, 0, "{line}");
        assert!(!line.contains("\"\""), "empty or broken label: {line}");
    }
}

/// Every DOT string ends where it should: unescaped quotes come in pairs.
fn assert_balanced_dot(text: &str) {
    for line in text.lines() {
        let mut quotes = 0;
        let mut chars = line.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => {
                    chars.next();
                }
                '"' => quotes += 1,
                _ => {}
            }
        }
        assert_eq!(quotes % 2, 0, "{line}");
    }
}

// --- delete_where and chunks ----------------------------------------------------------------

#[test]
fn delete_where_quotes_the_column_itself_and_binds_hostile_values() {
    on_all!(|s| {
        let texts = texts(s);
        let fx = seed(s)?;
        for (i, text) in texts.iter().enumerate() {
            let report = s.delete_where::<Order>(&ph(s, "\"from\" = ?1"), [*text])?;
            assert_eq!(report.count("order"), 1, "{text:?}");
            assert_eq!(report.count("my \"table\""), 4);
            assert!(s.get::<Order>(fx.orders[i].id)?.is_none());
            assert_eq!(rows(s, "order"), texts.len() - i - 1);
        }
        assert_eq!(rows(s, "select"), 0);
        assert_eq!(rows(s, "order \"tag\" link"), 0);
        assert_eq!(rows(s, "tag table"), fx.tags.len());
        // A quoted column in the clause, a blob parameter with NUL bytes.
        let (_db, mut s) = s.fresh();
        let s = &mut s;
        let fx = seed(s)?;
        let report = s.delete_where::<Order>(
            &ph(s, "\"with space\" = ?1 AND \"a \"\"quoted\"\" col\" = ?2"),
            (fx.orders[3].data.clone(), fx.orders[3].quoted.clone()),
        )?;
        assert_eq!(report.count("order"), 1);
        assert!(s.get::<Order>(fx.orders[3].id)?.is_none());
        let report = s.delete_where::<Folder>(
            &ph(
                s,
                "\"parent \"\"of\"\" it\" IS NULL AND \"name; DROP TABLE \"\"references\"\"; --\" = ?1",
            ),
            [texts[0]],
        )?;
        assert_eq!(report.count("references"), 5);
        assert_eq!(s.tables(), TABLES);
        Ok(())
    });
}

#[test]
fn chunked_delete_over_hostile_names() {
    on_all!(|s| {
        let texts = texts(s);
        let fx = seed(s)?;
        let mut progress = Vec::new();
        let report = s.delete_where_in_chunks::<Order>(
            &ph(s, "\"group\" <> ?1 --"),
            [fx.orders[0].id],
            3,
            |p| {
                progress.push((p.chunks, p.roots_deleted, p.roots_total));
                ControlFlow::Continue(())
            },
        )?;
        let n = texts.len() - 1;
        assert_eq!(report.count("order"), n);
        assert_eq!(report.count("my \"table\""), n * 4);
        assert_eq!(progress.last(), Some(&(n.div_ceil(3), n, n)));
        assert_eq!(rows(s, "order"), 1);
        assert_eq!(rows(s, "select"), 2);
        assert_eq!(hooked().len(), n * 4);
        // Text keys that look like SQL, one per chunk.
        for (i, text) in texts.iter().enumerate() {
            s.insert(&mut Setting {
                key: (*text).to_owned(),
                value: String::new(),
                raw: Some(blobs()[i % 6].clone()),
            })?;
        }
        let report =
            s.delete_where_in_chunks::<Setting>("1 = 1", (), 1, |_| ControlFlow::Continue(()))?;
        assert_eq!(report.count("drop"), texts.len());
        assert_eq!(s.tables(), TABLES);
        Ok(())
    });
}

/// What a malformed clause does.
#[derive(Debug)]
enum Outcome {
    /// An error, and nothing changed.
    Error,
    /// The same as `delete_where` with this well-formed clause and the same parameters.
    SameAs(&'static str),
    /// [`Outcome::SameAs`] on SQLite, which ends a `/*` comment at the end of the input;
    /// an error on PostgreSQL, which refuses the comment unterminated.
    SameAsOnSqlite(&'static str),
}

/// The malformed clauses, with SQLite's placeholders (see [`ph`]), and what each does.
fn malformed_cases(texts: &[&str]) -> Vec<(&'static str, Vec<Value>, Outcome)> {
    use Outcome::{Error as Refused, SameAs, SameAsOnSqlite};
    vec![
        // Syntax errors and unknown names.
        ("\"from\" = = ?1", vec![t(texts[0])], Refused),
        ("nope = 1", vec![], Refused),
        // Not a string literal: a misspelled quoted column would match every row here.
        ("\"no such col\" = ?1", vec![Value::Integer(1)], Refused),
        ("\"fromm\" <> ?1", vec![t(texts[0])], Refused),
        ("from = ?1", vec![t(texts[0])], Refused),
        ("", vec![], Refused),
        // Parameters missing, or one too many.
        ("\"from\" = ?1", vec![], Refused),
        ("\"from\" = ?1", vec![t(texts[0]), t(texts[1])], Refused),
        // A parameter it was not given (the runtime's own come after the caller's).
        ("\"group\" <> ?2", vec![Value::Integer(1)], Refused),
        (
            "\"group\" > ?1 AND \"group\" > ?2",
            vec![Value::Integer(0)],
            Refused,
        ),
        // Unbalanced parentheses that try to close the runtime's `WHERE (...)`.
        ("\"from\" = ?1)", vec![t(texts[0])], Refused),
        ("(\"from\" = ?1", vec![t(texts[0])], Refused),
        ("1=1) OR (1=1", vec![], SameAs("1=1")),
        (
            "\"from\" = ?1) OR (\"from\" = ?2",
            vec![t(texts[0]), t(texts[1])],
            SameAs("\"from\" IN (?1, ?2)"),
        ),
        ("0=1) OR (\"group\" = 3", vec![], SameAs("\"group\" = 3")),
        // Trailing comments: the runtime's closing parenthesis is on its own line.
        (
            "\"from\" = ?1 --",
            vec![t(texts[1])],
            SameAs("\"from\" = ?1"),
        ),
        (
            "\"from\" = ?1 -- ) OR (1=1",
            vec![t(texts[1])],
            SameAs("\"from\" = ?1"),
        ),
        ("\"from\" = ?1) --", vec![t(texts[1])], Refused),
        ("1=1) --", vec![], Refused),
        ("\"group\" = 2 /*", vec![], Refused),
        (
            "0=1) OR \"group\" = 2 /*",
            vec![],
            SameAsOnSqlite("\"group\" = 2"),
        ),
        // More than one statement, or something other than a filter.
        ("1=1); DROP TABLE \"tag table\"; SELECT (1", vec![], Refused),
        ("1=1); DELETE FROM \"select\"; --", vec![], Refused),
        ("1=1) RETURNING (1", vec![], Refused),
        ("\"group\" = 2; DROP TABLE \"order\"", vec![], Refused),
        // A NUL in the clause's text (PostgreSQL's protocol cannot carry it).
        ("\"from\" = 'a\0' OR 1=1", vec![], Refused),
        // Parameters that look like SQL are values.
        ("\"from\" = ?1", vec![t(texts[2])], SameAs("\"from\" = ?1")),
        (
            "\"from\" = ?1 OR \"from\" = ?2",
            vec![t("' OR 1=1 --"), t("\") OR (1=1")],
            SameAs("\"from\" IN (?1, ?2)"),
        ),
    ]
}

/// Each clause runs on a fresh copy of the fixture, and the database afterwards is compared
/// with the one the expected outcome leaves: unchanged for an error (on PostgreSQL an
/// [`Error::Clause`] naming the table and quoting the clause), and otherwise the same rows as
/// after the well-formed clause (so nothing outside the matched rows changed). Every case is
/// tried; the failures are listed together. The refused clauses and the contained filters are
/// two tests, run in parallel.
#[test]
fn malformed_clauses_are_errors() {
    on_all!(|s| { malformed_clauses(s, true) });
}

#[test]
fn malformed_clauses_that_still_parse_are_contained_filters() {
    on_all!(|s| { malformed_clauses(s, false) });
}

/// The cases of [`malformed_cases`] that are refused on this backend (`refused`), or the
/// others.
fn malformed_clauses<B: Backend>(s: &mut Session<B>, refused: bool) -> Result<()>
where
    Session<B>: Db,
{
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut seeded = None;
    for (clause, params, outcome) in malformed_cases(texts(s)) {
        let clause = ph(s, clause);
        let outcome = match outcome {
            Outcome::SameAsOnSqlite(_) if s.is_postgres() => Outcome::Error,
            Outcome::SameAsOnSqlite(reference) => Outcome::SameAs(reference),
            other => other,
        };
        if matches!(outcome, Outcome::Error) != refused {
            continue;
        }
        cases += 1;
        // A refused clause changes nothing, so the next one may run on the same fixture;
        // a contained filter deletes rows, and any failure may have changed them.
        let (guard, mut db) = match seeded.take() {
            Some(reuse) => reuse,
            None => {
                let (guard, mut db) = s.fresh();
                seed(&mut db)?;
                (guard, db)
            }
        };
        match malformed_case(&mut db, &clause, &params, &outcome)? {
            Err(failure) => failures.push(format!("{clause:?} {params:?}: {failure}")),
            Ok(()) if refused => seeded = Some((guard, db)),
            Ok(()) => {}
        }
        hooked();
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} malformed clauses:\n{}",
        failures.len(),
        failures.join("\n")
    );
    Ok(())
}

/// One case of [`malformed_clauses`], on a seeded database: `Ok(Err(what))` when the clause
/// did not do what `outcome` says.
fn malformed_case<B: Backend>(
    s: &mut Session<B>,
    clause: &str,
    params: &[Value],
    outcome: &Outcome,
) -> Result<std::result::Result<(), String>>
where
    Session<B>: Db,
{
    let before = dump(s);
    let result = s.delete_where::<Order>(clause, params.to_vec());
    let after = dump(s);
    match outcome {
        Outcome::Error => {
            match &result {
                Err(Error::Clause {
                    table, clause: c, ..
                }) if table == "order" && c == clause => {}
                // SQLite's driver refuses some clauses itself (more than one statement, one
                // that returns rows): errors all the same.
                Err(_) if !s.is_postgres() => {}
                other => return Ok(Err(format!("should be Error::Clause, got {other:?}"))),
            }
            if after != before {
                return Ok(Err("failed but changed the database".into()));
            }
            // The dry run and the chunked delete refuse it too, changing nothing.
            let plan = s.plan_delete_where::<Order>(clause, params.to_vec());
            if plan.is_ok() {
                return Ok(Err(format!("planned: {plan:?}")));
            }
            let chunked = s.delete_where_in_chunks::<Order>(clause, params.to_vec(), 2, |_| {
                ControlFlow::Continue(())
            });
            if chunked.is_ok() || dump(s) != before {
                return Ok(Err(format!(
                    "in chunks: {chunked:?}, database changed: {}",
                    dump(s) != before
                )));
            }
        }
        Outcome::SameAs(reference) | Outcome::SameAsOnSqlite(reference) => {
            let reference = ph(s, reference);
            let report = match result {
                Ok(report) => report,
                Err(e) => return Ok(Err(format!("should be like {reference:?}, got {e:?}"))),
            };
            let (_db, mut expected) = s.fresh();
            seed(&mut expected)?;
            let expected_report = expected.delete_where::<Order>(&reference, params.to_vec())?;
            if report.deleted().collect::<Vec<_>>() != expected_report.deleted().collect::<Vec<_>>()
                || after != dump(&mut expected)
            {
                return Ok(Err(format!(
                    "not the same as {reference:?}: {report:?} vs {expected_report:?}"
                )));
            }
        }
    }
    Ok(Ok(()))
}

/// The contained filters above, as plans and as chunks: the same rows as the well-formed
/// clause, or an error that changes nothing (a comment that swallows the runtime's `LIMIT`).
#[test]
fn malformed_clauses_in_plans_and_chunks() {
    on_all!(|s| {
        for (clause, reference) in [
            ("1=1) OR (1=1", "1=1"),
            ("0=1) OR (\"group\" = 3", "\"group\" = 3"),
            ("\"group\" > 2 --", "\"group\" > 2"),
        ] {
            let (_db, mut s) = s.fresh();
            let s = &mut s;
            seed(s)?;
            let plan = s.plan_delete_where::<Order>(clause, ())?;
            let expected = s.plan_delete_where::<Order>(reference, ())?;
            assert_eq!(plan.to_string(), expected.to_string(), "{clause:?}");
            let (_chunked_db, mut chunked) = s.fresh();
            seed(&mut chunked)?;
            chunked.delete_where_in_chunks::<Order>(
                clause,
                (),
                2,
                |_| ControlFlow::Continue(()),
            )?;
            s.delete_where::<Order>(reference, ())?;
            assert_eq!(dump(&mut chunked), dump(s), "{clause:?}");
            hooked();
        }
        // `/*` comments out the runtime's `ORDER BY ... LIMIT`: refused, rather than one chunk
        // of every row.
        let (_db, mut s) = s.fresh();
        let s = &mut s;
        seed(s)?;
        let before = dump(s);
        let result = s.delete_where_in_chunks::<Order>("0=1) OR \"group\" > 2 /*", (), 2, |_| {
            ControlFlow::Continue(())
        });
        assert!(result.is_err(), "{result:?}");
        assert_eq!(dump(s), before);
        Ok(())
    });
}

// --- PostgreSQL: NUL in text --------------------------------------------------------------

/// The texts with NULs, where PostgreSQL's text cannot hold them.
const NUL_TEXTS: &[&str] = &["nul\0inside\0", "\0", "'); DROP TABLE \"order\"; --\0"];

/// A call with a NUL in a text value fails with an error that says so, and nothing changes:
/// inserts (a NUL deep in the tree of an insert too), updates, merges, text keys, clauses'
/// parameters.
#[test]
fn text_with_nul_is_refused_on_postgresql_and_nothing_is_written() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    let s = &mut s;
    let fx = seed(s)?;
    let before = dump(s);
    let refused = |s: &mut cascade_runtime::PgSession, what: &str, result: Result<()>| {
        let err = result.expect_err(what);
        assert!(
            err.to_string().contains("NUL"),
            "{what}: the error should say NUL is refused: {err}"
        );
        assert_eq!(dump(s), before, "{what} failed but changed the database");
    };
    for nul in NUL_TEXTS {
        // A new order whose last note has the NUL: its lines and notes were written first.
        let mut new = orders(PG_TEXTS, &fx.tags).remove(3);
        new.lines[1].notes[1].body = (*nul).to_owned();
        let result = s.insert(&mut new);
        refused(s, "insert with a NUL in a note", result);
        let mut new = orders(PG_TEXTS, &fx.tags).remove(4);
        new.from = (*nul).to_owned();
        let result = s.insert(&mut new);
        refused(s, "insert with a NUL in a column named from", result);

        // An update that also drops a line (delete-orphan) and adds one.
        let mut order = s
            .get_with_related::<Order>(fx.orders[2].id)?
            .expect("order");
        order.lines.remove(0);
        order.lines.push(Line {
            id: 0,
            order_id: None,
            text: "new".into(),
            notes: vec![],
        });
        order.quoted = (*nul).to_owned();
        let result = s.update(&mut order).map(drop);
        refused(s, "update with a NUL", result);
        hooked();
        let mut order = s
            .get_with_related::<Order>(fx.orders[2].id)?
            .expect("order");
        order.lines[1].text = (*nul).to_owned();
        let result = s.merge(&mut order).map(drop);
        refused(s, "merge with a NUL", result);

        // Text keys and values.
        let mut setting = Setting {
            key: (*nul).to_owned(),
            value: String::new(),
            raw: None,
        };
        let result = s.insert(&mut setting);
        refused(s, "a text key with a NUL", result);
        let mut setting = Setting {
            key: "fine".into(),
            value: (*nul).to_owned(),
            raw: Some(vec![0]),
        };
        let result = s.insert(&mut setting);
        refused(s, "a text value with a NUL", result);
        let mut tag = Tag {
            id: 0,
            name: (*nul).to_owned(),
        };
        let result = s.insert(&mut tag);
        refused(s, "a tag with a NUL", result);

        // Parameters of clauses and keys of lookups and deletes.
        let result = s.delete_where::<Order>("\"from\" = $1", [*nul]).map(drop);
        refused(s, "delete_where with a NUL parameter", result);
        let result = s
            .delete_where_in_chunks::<Order>("\"from\" <> $1", [*nul], 2, |_| {
                ControlFlow::Continue(())
            })
            .map(drop);
        refused(s, "a chunked delete with a NUL parameter", result);
        let result = s
            .plan_delete_where::<Order>("\"from\" = $1", [*nul])
            .map(drop);
        refused(s, "a plan with a NUL parameter", result);
        let result = s.delete_by_pk::<Setting>(*nul).map(drop);
        refused(s, "delete_by_pk with a NUL in the key", result);
        let result = s.count_where::<Order>("\"from\" = $1", [*nul]).map(drop);
        refused(s, "count_where with a NUL parameter", result);
        let result = s.select_where::<Order>("\"from\" = $1", [*nul]).map(drop);
        refused(s, "select_where with a NUL parameter", result);
        let result = s.get::<Setting>(*nul).map(drop);
        refused(s, "get with a NUL in the key", result);
    }
    assert_eq!(hooked(), [], "no hook ran for a refused call");
    Ok(())
}

/// The smallest cases of a clause the driver refuses before the server sees it (a parameter
/// count that does not match the clause's, a NUL in the clause's text): every call that takes
/// a clause reports [`Error::Clause`] naming the table, as for the server's own refusals.
#[test]
fn clauses_the_driver_refuses_are_clause_errors_on_postgresql() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    let s = &mut s;
    s.create_all::<Tag>()?;
    s.insert(&mut Tag {
        id: 0,
        name: "a".into(),
    })?;
    let mut failures = Vec::new();
    let cases: &[(&str, Vec<Value>)] = &[
        ("\"values\" = $1", vec![]),
        ("\"values\" = $1", vec![t("a"), t("b")]),
        ("\"values\" = 'a\0'", vec![]),
    ];
    for (clause, params) in cases {
        let results = [
            (
                "count_where",
                s.count_where::<Tag>(clause, params.clone()).map(drop),
            ),
            (
                "select_where",
                s.select_where::<Tag>(clause, params.clone()).map(drop),
            ),
            (
                "delete_where",
                s.delete_where::<Tag>(clause, params.clone()).map(drop),
            ),
            (
                "plan_delete_where",
                s.plan_delete_where::<Tag>(clause, params.clone()).map(drop),
            ),
        ];
        for (call, result) in results {
            match result {
                Err(Error::Clause { table, .. }) if table == "tag table" => {}
                other => failures.push(format!(
                    "{call}({clause:?}, {} parameter(s)): {other:?}",
                    params.len()
                )),
            }
        }
    }
    assert_eq!(rows(s, "tag table"), 1);
    assert!(
        failures.is_empty(),
        "not Error::Clause:\n{}",
        failures.join("\n")
    );
    Ok(())
}

// --- PostgreSQL: names that differ only in case -------------------------------------------

/// `"Order"`: on PostgreSQL a table of its own beside `"order"`. Its key is the column `"ID"`;
/// the test adds a plain column `id` beside it (the key, were names folded to lower case; a
/// model cannot declare both, as SQLite's names ignore case).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Order")]
pub struct CasedOrder {
    #[model(primary_key, column = "ID")]
    pub id: i64,
    #[model(column = "From")]
    pub from: String,
    #[relationship(cascade = "all, delete-orphan")]
    pub lines: Vec<CasedLine>,
    #[relationship(secondary = CasedOrderTag, cascade = "save-update, merge, refresh-expire")]
    pub tags: Vec<CasedTag>,
}

/// `"Select"`: its foreign key `"OrderID"` (the test adds a plain column `orderid`).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Select")]
pub struct CasedLine {
    #[model(primary_key, column = "Where")]
    pub id: i64,
    #[model(foreign_key = CasedOrder, column = "OrderID")]
    pub order_id: Option<i64>,
    #[model(column = "TEXT")]
    pub text: String,
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Tag Table")]
pub struct CasedTag {
    #[model(primary_key, column = "Table")]
    pub id: i64,
    #[model(column = "Values", unique)]
    pub name: String,
}

/// The association table `"Order" "Tag"`, keyed by `"Order"` and `"TAG"`.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Order \"Tag\"")]
pub struct CasedOrderTag {
    #[model(primary_key, foreign_key = CasedOrder, column = "Order")]
    pub order_id: i64,
    #[model(primary_key, foreign_key = CasedTag, column = "TAG")]
    pub tag_id: i64,
}

/// `"Tree"`: a self-referential table through `"Parent"` (the test adds a column `parent`).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "Tree")]
pub struct CasedNode {
    #[model(primary_key, column = "Key")]
    pub id: i64,
    #[model(foreign_key = CasedNode, column = "Parent")]
    pub parent_id: Option<i64>,
    #[model(column = "Name")]
    pub name: String,
    #[relationship(cascade = "all")]
    pub children: Vec<CasedNode>,
}

/// The cased tables, sorted.
const CASED_TABLES: &[&str] = &["Order", "Order \"Tag\"", "Select", "Tag Table", "Tree"];

fn cased_orders(tags: &[CasedTag]) -> Vec<CasedOrder> {
    PG_TEXTS
        .iter()
        .enumerate()
        .map(|(i, text)| CasedOrder {
            id: 0,
            from: (*text).to_owned(),
            lines: (0..3)
                .map(|l| CasedLine {
                    id: 0,
                    order_id: None,
                    text: format!("{text} {l}"),
                })
                .collect(),
            tags: tags.iter().take(i % (tags.len() + 1)).cloned().collect(),
        })
        .collect()
}

fn cased_tree() -> CasedNode {
    let node = |name: &str, children| CasedNode {
        id: 0,
        parent_id: None,
        name: name.to_owned(),
        children,
    };
    node(
        "root",
        vec![
            node(
                "a",
                vec![node("a1", vec![]), node("a2", vec![node("a2x", vec![])])],
            ),
            node("b", vec![]),
        ],
    )
}

/// The rows of some tables.
fn dump_of(s: &mut impl Db, tables: &[&str]) -> Dump {
    tables
        .iter()
        .map(|t| (t.to_string(), s.rows_as_text(t)))
        .collect()
}

/// On PostgreSQL, `"Order"` and `"order"`, `"ID"` and `id` are different names: every call
/// finds the right table and column, and the lower-case twins are never touched. (One session
/// refuses two models whose tables differ only in case, as SQLite's names would collide: the
/// lower-case fixture is another session's, in the same schema.)
#[test]
fn names_that_differ_only_in_case_are_different_on_postgresql() -> Result<()> {
    let Some((schema, mut lower_session)) = pg_session() else {
        return Ok(());
    };
    let fx = seed(&mut lower_session)?;
    let mut cased_session = pg_session_in(&schema);
    let s = &mut cased_session;
    s.create_all::<CasedOrder>()?;
    s.create_all::<CasedNode>()?;
    let mut tables = [TABLES, CASED_TABLES].concat();
    tables.sort();
    assert_eq!(s.tables(), tables);
    for report in [
        s.check_schema::<CasedOrder>()?,
        s.check_schema::<CasedNode>()?,
        lower_session.check_schema::<Order>()?,
    ] {
        assert!(report.is_clean(), "{report}");
    }
    assert!(indexes_on(s, "Select", "OrderID") >= 1);
    assert!(indexes_on(s, "Order \"Tag\"", "TAG") >= 1);
    assert!(indexes_on(s, "Tree", "Parent") >= 1);
    // The lower-case twins of the key and foreign-key columns, which folded names would hit.
    s.sql_batch(
        "ALTER TABLE \"Order\" ADD COLUMN id bigint; \
         ALTER TABLE \"Select\" ADD COLUMN orderid bigint; \
         ALTER TABLE \"Tree\" ADD COLUMN parent bigint",
    );

    // Inserts write the keys back, through "ID", "Where", "Table", "Key".
    let mut tags: Vec<CasedTag> = ["x", "X", "'x'"]
        .iter()
        .map(|n| CasedTag {
            id: 0,
            name: (*n).to_owned(),
        })
        .collect();
    for tag in &mut tags {
        s.insert(tag)?;
    }
    let mut orders = cased_orders(&tags);
    for order in &mut orders {
        s.insert(order)?;
        assert!(order.lines.iter().all(|l| l.order_id == Some(order.id)));
    }
    let mut tree = cased_tree();
    s.insert(&mut tree)?;
    // Each twin names another row: the next order's key, the root of the tree.
    s.sql_batch(&format!(
        "UPDATE \"Order\" SET id = \"ID\" + 1; \
         UPDATE \"Select\" SET orderid = \"OrderID\" + 1; \
         UPDATE \"Tree\" SET parent = {}",
        tree.id
    ));
    let lower = dump_of(s, TABLES);
    assert_eq!(rows(s, "Select"), PG_TEXTS.len() * 3);

    // Reads: get, load, select_where and count_where over the cased columns.
    for (i, order) in orders.iter().enumerate() {
        let found = s.get_with_related::<CasedOrder>(order.id)?.expect("order");
        assert_eq!(found.from, PG_TEXTS[i]);
        let mut lines: Vec<i64> = found.lines.iter().map(|l| l.id).collect();
        lines.sort();
        assert_eq!(lines, order.lines.iter().map(|l| l.id).collect::<Vec<_>>());
        assert_eq!(found.tags.len(), order.tags.len());
    }
    let mut all: Vec<CasedOrder> = s.select_where::<CasedOrder>("1 = 1", ())?;
    s.load_all(&mut all)?;
    assert_eq!(
        all.iter().map(|o| o.lines.len()).sum::<usize>(),
        orders.len() * 3
    );
    let by_twin = s.select_where::<CasedOrder>("id = $1", [orders[3].id + 1])?;
    assert_eq!(by_twin.len(), 1);
    assert_eq!(by_twin[0].id, orders[3].id);
    assert_eq!(
        s.count_where::<CasedLine>("\"OrderID\" = $1", [orders[0].id])?,
        3
    );

    // update (delete-orphan of a line), merge, refresh.
    let mut order = s
        .get_with_related::<CasedOrder>(orders[1].id)?
        .expect("order");
    order.lines.sort_by_key(|l| l.id);
    let gone = order.lines.remove(0);
    order.from = "Updated".into();
    let report = s.update(&mut order)?;
    assert_eq!(report.count("Select"), 1);
    assert_eq!(report.count("select"), 0);
    assert!(s.get::<CasedLine>(gone.id)?.is_none());
    assert_eq!(
        s.count_where::<CasedLine>("\"OrderID\" = $1", [orders[1].id])?,
        2
    );
    order.lines.push(CasedLine {
        id: 0,
        order_id: None,
        text: "merged".into(),
    });
    order.tags.push(tags[2].clone());
    s.merge(&mut order)?;
    let mut local = order.clone();
    local.from = "local".into();
    local.tags.clear();
    s.refresh(&mut local)?;
    assert_eq!(local.from, "Updated");
    assert_eq!(local.tags.len(), order.tags.len());
    assert_eq!(
        dump_of(s, TABLES),
        lower,
        "the lower-case tables are untouched"
    );

    // Deletes: by key, through the association table; by a clause over the twin `id`;
    // plans; in chunks; the tree through "Parent".
    let plan = s.plan_delete::<CasedOrder>(orders[2].id)?;
    assert_eq!(
        (
            plan.count("Order"),
            plan.count("Select"),
            plan.count("Order \"Tag\"")
        ),
        (1, 3, 2)
    );
    let report = s.execute_plan(&plan)?;
    assert_eq!(report.total(), plan.total());
    assert!(s.get::<CasedOrder>(orders[2].id)?.is_none());
    assert!(s.get::<CasedOrder>(orders[3].id)?.is_some());
    let report = s.delete_where::<CasedOrder>("id = $1", [orders[0].id + 1])?;
    assert_eq!((report.count("Order"), report.count("Select")), (1, 3));
    assert!(s.get::<CasedOrder>(orders[0].id)?.is_none());
    assert!(s.get::<CasedOrder>(orders[1].id)?.is_some());
    let report =
        s.delete_where_in_chunks::<CasedOrder>("\"From\" <> $1", [PG_TEXTS[7]], 2, |_| {
            ControlFlow::Continue(())
        })?;
    assert_eq!(report.count("Order"), PG_TEXTS.len() - 3);
    assert_eq!(rows(s, "Order"), 1);
    assert_eq!(rows(s, "Select"), 3);
    assert_eq!(rows(s, "Tag Table"), tags.len(), "tags are not deleted");
    let report = s.delete_by_pk::<CasedNode>(tree.children[0].id)?;
    assert_eq!(report.count("Tree"), 4);
    assert_eq!(rows(s, "Tree"), 2);
    assert_eq!(
        dump_of(s, TABLES),
        lower,
        "the lower-case tables are untouched"
    );

    // And the other way round: the lower-case cascade leaves the cased tables alone.
    let cased = dump_of(s, CASED_TABLES);
    let report = lower_session.delete_where::<Order>("1 = 1", ())?;
    assert_eq!(report.count("order"), fx.orders.len());
    assert_eq!(report.count("Order"), 0);
    lower_session.delete(&fx.root)?;
    assert_eq!((rows(s, "order"), rows(s, "select")), (0, 0));
    assert_eq!(dump_of(s, CASED_TABLES), cased);
    assert_eq!(s.tables(), tables);
    Ok(())
}
