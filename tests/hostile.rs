//! Hostile and odd identifiers and values, end to end: tables and columns named after SQL
//! keywords or holding quotes and spaces (as foreign keys, association tables, a
//! self-referential table, and so as the names of the runtime's temporary tables), values that
//! look like SQL, and malformed `delete_where` clauses. Every call of the session goes through
//! them; what is stored is read back verbatim, and a failed call changes nothing.

mod common;

use std::cell::RefCell;
use std::ops::ControlFlow;

use cascade_runtime::rusqlite::types::Value as SqlValue;
use cascade_runtime::{
    DeleteHooks, Error, HookContext, HookError, Key, Model, Result, Session, Value,
};
use common::file_session;

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
fn orders(tags: &[Tag]) -> Vec<Order> {
    let blobs = blobs();
    TEXTS
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

fn folders() -> Folder {
    let leaf = |name: &str| Folder {
        id: 0,
        parent_id: None,
        name: name.to_owned(),
        children: vec![],
    };
    Folder {
        id: 0,
        parent_id: None,
        name: TEXTS[0].to_owned(),
        children: vec![
            Folder {
                children: vec![leaf(TEXTS[1]), leaf(TEXTS[6])],
                ..leaf(TEXTS[2])
            },
            leaf(TEXTS[5]),
        ],
    }
}

/// A session with every model created and the fixture inserted.
struct Fixture {
    tags: Vec<Tag>,
    orders: Vec<Order>,
    root: Folder,
}

fn seed(s: &mut Session) -> Result<Fixture> {
    s.create_all::<Order>()?;
    s.create_all::<Folder>()?;
    s.create_all::<Setting>()?;
    let mut tags = tags();
    for tag in &mut tags {
        s.insert(tag)?;
    }
    let mut orders = orders(&tags);
    for order in &mut orders {
        s.insert(order)?;
    }
    let mut root = folders();
    s.insert(&mut root)?;
    hooked();
    Ok(Fixture { tags, orders, root })
}

// --- Helpers -------------------------------------------------------------------------------

/// Every row of every table of the main database, tables by name, rows in key order.
type Dump = Vec<(String, Vec<Vec<SqlValue>>)>;

fn dump(s: &Session) -> Dump {
    let conn = s.connection();
    let mut names: Vec<String> = conn
        .prepare("SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name")
        .and_then(|mut stmt| {
            stmt.query_map([], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()
        })
        .expect("list the tables");
    names.retain(|n: &String| !n.starts_with("sqlite_"));
    names
        .into_iter()
        .map(|name| {
            let sql = format!(
                "SELECT * FROM main.\"{}\" ORDER BY 1, 2",
                name.replace('"', "\"\"")
            );
            let mut stmt = conn.prepare(&sql).expect("select a table");
            let width = stmt.column_count();
            let rows = stmt
                .query_map([], |r| {
                    (0..width)
                        .map(|i| r.get::<_, SqlValue>(i))
                        .collect::<rusqlite::Result<Vec<_>>>()
                })
                .and_then(|rows| rows.collect::<rusqlite::Result<Vec<_>>>())
                .expect("read a table");
            (name, rows)
        })
        .collect()
}

fn rows(s: &Session, table: &str) -> usize {
    dump(s)
        .into_iter()
        .find(|(name, _)| name == table)
        .map_or(0, |(_, rows)| rows.len())
}

fn table_names(s: &Session) -> Vec<String> {
    dump(s).into_iter().map(|(name, _)| name).collect()
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

// --- create_all, insert, get, check_schema --------------------------------------------------

#[test]
fn tables_named_after_keywords_and_quotes_are_created_and_check_clean() -> Result<()> {
    let (_dir, mut s) = file_session();
    seed(&mut s)?;
    assert_eq!(table_names(&s), TABLES);
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
    let index = |table: &str, column: &str| -> i64 {
        s.connection()
            .query_row(
                "SELECT count(*) FROM pragma_index_list(?1) AS l, pragma_index_info(l.name) AS i \
                 WHERE i.seqno = 0 AND i.name = ?2",
                [table, column],
                |r| r.get(0),
            )
            .unwrap()
    };
    assert!(index("select", "from") >= 1);
    assert!(index("my \"table\"", "a \"quoted\" col") >= 1);
    assert!(index("order \"tag\" link", "tag \"id\"") >= 1);
    assert!(index("references", "parent \"of\" it") >= 1);
    Ok(())
}

#[test]
fn hostile_values_round_trip_and_keys_are_written_back() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
    assert_eq!(rows(&s, "order"), TEXTS.len());
    assert_eq!(rows(&s, "select"), TEXTS.len() * 2);
    assert_eq!(rows(&s, "my \"table\""), TEXTS.len() * 4);
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
        assert_eq!(found.from, TEXTS[i]);
        assert_eq!(found.quoted, order.quoted);
        assert_eq!(found.data, order.data, "blob {i}");
        assert!(found.lines.is_empty() && found.tags.is_empty());
        s.load_related(&mut found)?;
        assert_eq!(found.lines.len(), 2);
        assert_eq!(found.tags.len(), order.tags.len());
        // Stored verbatim: the database itself agrees, byte for byte.
        let (from, data): (String, Vec<u8>) = s.connection().query_row(
            "SELECT \"from\", \"with space\" FROM \"order\" WHERE \"group\" = ?1",
            [order.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        assert_eq!((from.as_str(), data), (TEXTS[i], order.data.clone()));
    }
    for tag in &fx.tags {
        assert_eq!(s.get::<Tag>(tag.id)?.as_ref(), Some(tag));
    }
    assert_eq!(rows(&s, "references"), 5);
    assert!(fx.root.children[0].children[1].id > 0);
    assert_eq!(
        fx.root.children[0].children[1].parent_id,
        Some(fx.root.children[0].id)
    );
    Ok(())
}

#[test]
fn text_keys_that_look_like_sql_are_keys() -> Result<()> {
    let (_dir, mut s) = file_session();
    seed(&mut s)?;
    for (i, text) in TEXTS.iter().enumerate() {
        let mut setting = Setting {
            key: (*text).to_owned(),
            value: format!("{text}{text}"),
            raw: Some(blobs()[i % blobs().len()].clone()),
        };
        s.insert(&mut setting)?;
        assert_eq!(s.get::<Setting>(*text)?, Some(setting.clone()));
        setting.value = TEXTS[(i + 1) % TEXTS.len()].to_owned();
        setting.raw = None;
        s.update(&mut setting)?;
        assert_eq!(s.get::<Setting>(*text)?, Some(setting));
    }
    // The default that looks like SQL is a literal in the DDL, applied verbatim.
    s.connection().execute(
        "INSERT INTO \"drop\" (\"primary key\") VALUES ('defaulted')",
        [],
    )?;
    let defaulted = s.get::<Setting>("defaulted")?.expect("the row");
    assert_eq!(defaulted.value, "'); DROP TABLE \"drop\"; --");
    assert_eq!(defaulted.raw, None);

    let before = dump(&s);
    let report = s.delete_by_pk::<Setting>(TEXTS[1])?;
    assert_eq!(report.count("drop"), 1);
    assert_eq!(s.get::<Setting>(TEXTS[1])?, None);
    // Exactly one row went.
    let after = dump(&s);
    let gone = |d: &Dump| d.iter().map(|(_, r)| r.len()).sum::<usize>();
    assert_eq!(gone(&before) - gone(&after), 1);
    assert_eq!(s.delete_by_pk::<Setting>("no such key")?.total(), 0);
    assert_eq!(table_names(&s), TABLES);
    Ok(())
}

// --- update with delete-orphan, merge, refresh, load_all ------------------------------------

#[test]
fn update_with_delete_orphan_merge_refresh_and_load_all() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
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
    order.from = TEXTS[3].to_owned();
    order.lines[0].text = TEXTS[0].to_owned();
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
    assert_eq!(stored.from, TEXTS[3]);
    assert_eq!(stored.lines.len(), 1);
    assert_eq!(stored.lines[0].text, TEXTS[0]);

    // merge: an update of what exists, an insert of what does not.
    let mut merged = stored.clone();
    merged.quoted = TEXTS[4].to_owned();
    merged.lines.push(Line {
        id: 0,
        order_id: None,
        text: TEXTS[6].to_owned(),
        notes: vec![],
    });
    merged.tags.push(fx.tags[2].clone());
    s.merge(&mut merged)?;
    assert!(merged.lines[1].id > 0);
    let stored = s.get_with_related::<Order>(order.id)?.expect("the order");
    assert_eq!(stored.quoted, TEXTS[4]);
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
    assert_eq!(table_names(&s), TABLES);
    Ok(())
}

/// The temporary tables the runtime made on this connection.
fn temp_tables(s: &Session) -> Vec<String> {
    let mut stmt = s
        .connection()
        .prepare("SELECT name FROM temp.sqlite_master WHERE type = 'table' ORDER BY name")
        .expect("list the temporary tables");
    let names = stmt
        .query_map([], |r| r.get(0))
        .and_then(|rows| rows.collect::<rusqlite::Result<Vec<String>>>())
        .expect("read the temporary tables");
    names
}

#[test]
fn temporary_tables_are_named_after_hostile_tables() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
    // Beyond 512 keys, a batched load writes its keys to a temporary table.
    let mut many: Vec<Order> = (0..600)
        .map(|i| Order {
            id: 0,
            from: TEXTS[i % TEXTS.len()].to_owned(),
            quoted: String::new(),
            data: vec![0; i % 3],
            lines: vec![],
            tags: vec![],
        })
        .collect();
    for order in &mut many {
        s.insert(order)?;
    }
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
    let temp = temp_tables(&s);
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
    assert_eq!(table_names(&s), TABLES);
    Ok(())
}

// --- delete, delete_by_pk, plans ------------------------------------------------------------

#[test]
fn delete_cascades_through_quoted_foreign_keys_and_association_tables() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
    let order = &fx.orders[2];
    assert_eq!(order.tags.len(), 2);
    let links = rows(&s, "order \"tag\" link");
    let report = s.delete(order)?;
    assert_eq!(report.count("order"), 1);
    assert_eq!(report.count("select"), 2);
    assert_eq!(report.count("my \"table\""), 4);
    assert_eq!(report.count("order \"tag\" link"), 2);
    assert_eq!(report.count("tag table"), 0, "tags are not deleted");
    assert_eq!(hooked().len(), 4);
    assert!(hooked().is_empty());
    assert_eq!(rows(&s, "order \"tag\" link"), links - 2);
    assert_eq!(rows(&s, "tag table"), fx.tags.len());
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
    assert_eq!(rows(&s, "references"), 2);
    let report = s.delete(&fx.root)?;
    assert_eq!(report.count("references"), 2);
    assert_eq!(table_names(&s), TABLES);
    Ok(())
}

#[test]
fn plans_render_hostile_names_and_execute_later() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
    let order = &fx.orders[2];
    let before = dump(&s);
    let plan = s.plan_delete::<Order>(order.id)?;
    assert_eq!(dump(&s), before, "planning changes nothing");
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
    s.connection().execute(
        "INSERT INTO \"my \"\"table\"\"\" (\"a \"\"quoted\"\" col\", \"group\") VALUES (?1, ?2)",
        (fx.orders[4].lines[0].id, TEXTS[0]),
    )?;
    let before = dump(&s);
    match s.execute_plan(&plan) {
        Err(Error::PlanChanged {
            table,
            planned,
            now,
        }) => assert_eq!((table.as_str(), planned, now), ("my \"table\"", 4, 5)),
        other => panic!("expected PlanChanged, got {other:?}"),
    }
    assert_eq!(dump(&s), before);
    Ok(())
}

#[test]
fn the_model_graph_names_every_hostile_table_and_column() -> Result<()> {
    let (_dir, mut s) = file_session();
    seed(&mut s)?;
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
fn delete_where_quotes_the_column_itself_and_binds_hostile_values() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
    for (i, text) in TEXTS.iter().enumerate() {
        let report = s.delete_where::<Order>("\"from\" = ?1", [*text])?;
        assert_eq!(report.count("order"), 1, "{text:?}");
        assert_eq!(report.count("my \"table\""), 4);
        assert!(s.get::<Order>(fx.orders[i].id)?.is_none());
        assert_eq!(rows(&s, "order"), TEXTS.len() - i - 1);
    }
    assert_eq!(rows(&s, "select"), 0);
    assert_eq!(rows(&s, "order \"tag\" link"), 0);
    assert_eq!(rows(&s, "tag table"), fx.tags.len());
    // A quoted column in the clause, a blob parameter with NUL bytes.
    let mut s = Session::open_in_memory()?;
    let fx = seed(&mut s)?;
    let report = s.delete_where::<Order>(
        "\"with space\" = ?1 AND \"a \"\"quoted\"\" col\" = ?2",
        (fx.orders[3].data.clone(), fx.orders[3].quoted.clone()),
    )?;
    assert_eq!(report.count("order"), 1);
    assert!(s.get::<Order>(fx.orders[3].id)?.is_none());
    let report = s.delete_where::<Folder>(
        "\"parent \"\"of\"\" it\" IS NULL AND \"name; DROP TABLE \"\"references\"\"; --\" = ?1",
        [TEXTS[0]],
    )?;
    assert_eq!(report.count("references"), 5);
    assert_eq!(table_names(&s), TABLES);
    Ok(())
}

#[test]
fn chunked_delete_over_hostile_names() -> Result<()> {
    let (_dir, mut s) = file_session();
    let fx = seed(&mut s)?;
    let mut progress = Vec::new();
    let report =
        s.delete_where_in_chunks::<Order>("\"group\" <> ?1 --", [fx.orders[0].id], 3, |p| {
            progress.push((p.chunks, p.roots_deleted, p.roots_total));
            ControlFlow::Continue(())
        })?;
    let n = TEXTS.len() - 1;
    assert_eq!(report.count("order"), n);
    assert_eq!(report.count("my \"table\""), n * 4);
    assert_eq!(progress.last(), Some(&(n.div_ceil(3), n, n)));
    assert_eq!(rows(&s, "order"), 1);
    assert_eq!(rows(&s, "select"), 2);
    assert_eq!(hooked().len(), n * 4);
    // Text keys that look like SQL, one per chunk.
    for (i, text) in TEXTS.iter().enumerate() {
        s.insert(&mut Setting {
            key: (*text).to_owned(),
            value: String::new(),
            raw: Some(blobs()[i % 6].clone()),
        })?;
    }
    let report = s.delete_where_in_chunks::<Setting>("1", (), 1, |_| ControlFlow::Continue(()))?;
    assert_eq!(report.count("drop"), TEXTS.len());
    assert_eq!(table_names(&s), TABLES);
    Ok(())
}

fn t(text: &str) -> Value {
    Value::Text(text.to_owned())
}

/// What a malformed clause does.
#[derive(Debug)]
enum Outcome {
    /// An error, and nothing changed.
    Error,
    /// The same as `delete_where` with this well-formed clause and the same parameters.
    SameAs(&'static str),
}

/// Each clause runs on a fresh copy of the fixture, and the database afterwards is compared
/// with the one the expected outcome leaves: unchanged for an error, and otherwise the same
/// rows as after the well-formed clause (so nothing outside the matched rows changed).
#[test]
fn malformed_clauses_are_errors_or_contained_filters() -> Result<()> {
    use Outcome::{Error as Refused, SameAs};
    let cases: &[(&str, Vec<Value>, Outcome)] = &[
        // Syntax errors and unknown names.
        ("\"from\" = = ?1", vec![t(TEXTS[0])], Refused),
        ("nope = 1", vec![], Refused),
        // Not a string literal: a misspelled quoted column would match every row here.
        ("\"no such col\" = ?1", vec![Value::Integer(1)], Refused),
        ("\"fromm\" <> ?1", vec![t(TEXTS[0])], Refused),
        ("from = ?1", vec![t(TEXTS[0])], Refused),
        ("", vec![], Refused),
        // Parameters missing, or one too many.
        ("\"from\" = ?1", vec![], Refused),
        ("\"from\" = ?1", vec![t(TEXTS[0]), t(TEXTS[1])], Refused),
        // Unbalanced parentheses that try to close the runtime's `WHERE (...)`.
        ("\"from\" = ?1)", vec![t(TEXTS[0])], Refused),
        ("(\"from\" = ?1", vec![t(TEXTS[0])], Refused),
        ("1=1) OR (1=1", vec![], SameAs("1=1")),
        (
            "\"from\" = ?1) OR (\"from\" = ?2",
            vec![t(TEXTS[0]), t(TEXTS[1])],
            SameAs("\"from\" IN (?1, ?2)"),
        ),
        ("0) OR (\"group\" = 3", vec![], SameAs("\"group\" = 3")),
        // Trailing comments: the runtime's closing parenthesis is on its own line.
        (
            "\"from\" = ?1 --",
            vec![t(TEXTS[1])],
            SameAs("\"from\" = ?1"),
        ),
        (
            "\"from\" = ?1 -- ) OR (1=1",
            vec![t(TEXTS[1])],
            SameAs("\"from\" = ?1"),
        ),
        ("\"from\" = ?1) --", vec![t(TEXTS[1])], Refused),
        ("1=1) --", vec![], Refused),
        ("\"group\" = 2 /*", vec![], Refused),
        ("0) OR \"group\" = 2 /*", vec![], SameAs("\"group\" = 2")),
        // More than one statement, or something other than a filter.
        ("1); DROP TABLE \"tag table\"; SELECT (1", vec![], Refused),
        ("1); DELETE FROM \"select\"; --", vec![], Refused),
        ("1) RETURNING (1", vec![], Refused),
        ("\"group\" = 2; DROP TABLE \"order\"", vec![], Refused),
        // Parameters that look like SQL are values.
        ("\"from\" = ?1", vec![t(TEXTS[2])], SameAs("\"from\" = ?1")),
        (
            "\"from\" = ?1 OR \"from\" = ?2",
            vec![t("' OR 1=1 --"), t("\") OR (1=1")],
            SameAs("\"from\" IN (?1, ?2)"),
        ),
    ];
    for (clause, params, outcome) in cases {
        let mut s = Session::open_in_memory()?;
        seed(&mut s)?;
        let before = dump(&s);
        let result = s.delete_where::<Order>(clause, params.clone());
        let after = dump(&s);
        match outcome {
            Refused => {
                assert!(
                    result.is_err(),
                    "{clause:?} should be refused, got {result:?}"
                );
                assert_eq!(after, before, "{clause:?} failed but changed the database");
                // The dry run and the chunked delete refuse it too, changing nothing.
                assert!(s
                    .plan_delete_where::<Order>(clause, params.clone())
                    .is_err());
                assert!(s
                    .delete_where_in_chunks::<Order>(clause, params.clone(), 2, |_| {
                        ControlFlow::Continue(())
                    })
                    .is_err());
                assert_eq!(dump(&s), before, "{clause:?}");
            }
            SameAs(reference) => {
                let report = result.unwrap_or_else(|e| panic!("{clause:?}: {e}"));
                let mut expected = Session::open_in_memory()?;
                seed(&mut expected)?;
                let expected_report = expected.delete_where::<Order>(reference, params.clone())?;
                assert_eq!(
                    report.deleted().collect::<Vec<_>>(),
                    expected_report.deleted().collect::<Vec<_>>(),
                    "{clause:?}"
                );
                assert_eq!(after, dump(&expected), "{clause:?} vs {reference:?}");
            }
        }
        hooked();
    }
    Ok(())
}

/// The contained filters above, as plans and as chunks: the same rows as the well-formed
/// clause, or an error that changes nothing (a comment that swallows the runtime's `LIMIT`).
#[test]
fn malformed_clauses_in_plans_and_chunks() -> Result<()> {
    for (clause, reference) in [
        ("1=1) OR (1=1", "1=1"),
        ("0) OR (\"group\" = 3", "\"group\" = 3"),
        ("\"group\" > 2 --", "\"group\" > 2"),
    ] {
        let mut s = Session::open_in_memory()?;
        seed(&mut s)?;
        let plan = s.plan_delete_where::<Order>(clause, ())?;
        let expected = s.plan_delete_where::<Order>(reference, ())?;
        assert_eq!(plan.to_string(), expected.to_string(), "{clause:?}");
        let mut chunked = Session::open_in_memory()?;
        seed(&mut chunked)?;
        chunked.delete_where_in_chunks::<Order>(clause, (), 2, |_| ControlFlow::Continue(()))?;
        s.delete_where::<Order>(reference, ())?;
        assert_eq!(dump(&chunked), dump(&s), "{clause:?}");
        hooked();
    }
    // `/*` comments out the runtime's `ORDER BY ... LIMIT`: refused, rather than one chunk
    // of every row.
    let mut s = Session::open_in_memory()?;
    seed(&mut s)?;
    let before = dump(&s);
    let result = s.delete_where_in_chunks::<Order>("0) OR \"group\" > 2 /*", (), 2, |_| {
        ControlFlow::Continue(())
    });
    assert!(result.is_err(), "{result:?}");
    assert_eq!(dump(&s), before);
    Ok(())
}
