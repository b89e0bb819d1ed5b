//! `Session::check_schema`: tables made by `create_all` check clean; tables made by hand that
//! drifted from the models are reported, one precise finding per difference, on SQLite files.

mod common;

use cascade_runtime::{Finding, OnDelete, Result, Session, SqlType};
use common::*;

/// Runs raw DDL on the session's connection, as another tool or an old migration would have.
fn by_hand(session: &Session, sql: &str) {
    session
        .connection()
        .execute_batch(sql)
        .expect("hand-written DDL");
}

#[test]
fn tables_made_by_create_all_are_clean() -> Result<()> {
    let (_dir, mut session) = file_session();
    session.create_all::<Parent>()?;
    let report = session.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    assert_eq!(report.findings(), &[]);
    assert_eq!(
        report.to_string(),
        "schema check: the database matches the models\n"
    );

    // Every family of the test models: composite keys, a unique foreign key (its UNIQUE index
    // serves the lookups), a self-reference, booleans and blobs, defaults, a table called
    // "order".
    session.create_all::<Team>()?;
    session.create_all::<Folder>()?;
    session.create_all::<Account>()?;
    session.create_all::<Invoice>()?;
    session.create_all::<Post>()?;
    session.create_all::<Book>()?;
    session.create_all::<Node>()?;
    session.create_all::<User>()?;
    session.create_all::<Attachment>()?;
    session.create_all::<Product>()?;
    let report = session.check_schema::<Product>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

#[test]
fn nothing_created_yet_reports_every_table_missing() -> Result<()> {
    let (_dir, mut session) = file_session();
    let report = session.check_schema::<Parent>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::MissingTable {
                table: "parent".into(),
                model: "Parent".into()
            },
            Finding::MissingTable {
                table: "child".into(),
                model: "Child".into()
            },
            Finding::MissingTable {
                table: "toy".into(),
                model: "Toy".into()
            },
        ]
    );
    session.create_all::<Parent>()?;
    assert!(session.check_schema::<Parent>()?.is_clean());
    Ok(())
}

#[test]
fn drifted_tables_are_reported_one_finding_each() -> Result<()> {
    let (_dir, mut session) = file_session();
    // parent lost its "name" column; child has no index on its foreign key, which also says
    // ON DELETE SET NULL instead of the declared NO ACTION (its BIGINT and VARCHAR(40) are the
    // declared affinities: not a finding); toy was never created.
    by_hand(
        &session,
        r#"
        CREATE TABLE "parent" ("id" INTEGER PRIMARY KEY);
        CREATE TABLE "child" (
            "id" INTEGER PRIMARY KEY,
            "parent_id" BIGINT REFERENCES "parent" ("id") ON DELETE SET NULL,
            "name" VARCHAR(40) NOT NULL
        );
        "#,
    );
    let report = session.check_schema::<Parent>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::MissingColumn {
                table: "parent".into(),
                column: "name".into(),
                add_column: None,
            },
            Finding::ForeignKeyOnDelete {
                table: "child".into(),
                column: "parent_id".into(),
                references: "parent".into(),
                declared: OnDelete::NoAction,
                found: "SET NULL".into(),
            },
            Finding::MissingIndex {
                table: "child".into(),
                column: "parent_id".into(),
                references: "parent".into(),
            },
            Finding::MissingTable {
                table: "toy".into(),
                model: "Toy".into(),
            },
        ]
    );
    assert_eq!(
        report.to_string(),
        "schema check: 4 findings\n\
         table \"parent\":\n\
         \x20 column \"name\": the column does not exist, and ALTER TABLE cannot add a key, \
         UNIQUE, NOT NULL foreign-key, or NOT NULL column without a default; rebuild the table \
         with it (ALTER TABLE cannot; see https://www.sqlite.org/lang_altertable.html#otheralter)\n\
         table \"child\":\n\
         \x20 column \"parent_id\": the foreign key to \"parent\" is ON DELETE SET NULL, but the \
         model declares ON DELETE NO ACTION; change the model's on_delete, or rebuild the table \
         with ON DELETE NO ACTION (ALTER TABLE cannot; see \
         https://www.sqlite.org/lang_altertable.html#otheralter)\n\
         \x20 column \"parent_id\": no index starts with this foreign-key column, so every \
         deleted \"parent\" row makes SQLite scan all of \"child\"; CREATE INDEX \
         \"ix_child_parent_id\" ON \"child\" (\"parent_id\")\n\
         table \"toy\":\n\
         \x20 the table does not exist; run `session.create_all::<Toy>()` (or create_all of any \
         model that reaches `Toy`)\n"
    );
    // A finding on its own names its place.
    assert_eq!(
        report.findings()[2].to_string(),
        "\"child\".\"parent_id\": no index starts with this foreign-key column, so every deleted \
         \"parent\" row makes SQLite scan all of \"child\"; CREATE INDEX \"ix_child_parent_id\" \
         ON \"child\" (\"parent_id\")"
    );
    assert_eq!(report.findings()[3].table(), Some("toy"));
    assert_eq!(report.findings()[3].column(), None);

    // create_all adds what IF NOT EXISTS can: the missing table and the missing index.
    session.create_all::<Parent>()?;
    let report = session.check_schema::<Parent>()?;
    assert_eq!(report.findings().len(), 2, "{report}");
    assert!(matches!(
        &report.findings()[0],
        Finding::MissingColumn { column, .. } if column == "name"
    ));
    assert!(matches!(
        &report.findings()[1],
        Finding::ForeignKeyOnDelete { .. }
    ));
    Ok(())
}

#[test]
fn types_nullability_keys_and_targets() -> Result<()> {
    let (_dir, mut session) = file_session();
    // team: INT PRIMARY KEY is not the rowid, and "name" accepts NULL; member lacks its
    // foreign-key column; badge's key references another table (the index is there).
    by_hand(
        &session,
        r#"
        CREATE TABLE "team" ("id" INT PRIMARY KEY, "name" TEXT);
        CREATE TABLE "member" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL);
        CREATE TABLE "badge" (
            "id" INTEGER PRIMARY KEY,
            "team_id" INTEGER NOT NULL REFERENCES "other_team" ("id")
        );
        CREATE INDEX "badge_team" ON "badge" ("team_id");
        "#,
    );
    let add_team_id = "ALTER TABLE \"member\" ADD COLUMN \"team_id\" INTEGER REFERENCES \
                       \"team\" (\"id\") ON DELETE NO ACTION; CREATE INDEX \
                       \"ix_member_team_id\" ON \"member\" (\"team_id\")";
    let report = session.check_schema::<Team>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::ColumnType {
                table: "team".into(),
                column: "id".into(),
                declared: SqlType::Integer,
                found: "INT".into(),
            },
            Finding::ColumnNullability {
                table: "team".into(),
                column: "name".into(),
                declared_nullable: false,
            },
            Finding::ForeignKeyTarget {
                table: "badge".into(),
                column: "team_id".into(),
                references: "team".into(),
                referenced_column: "id".into(),
                found: "other_team(id)".into(),
            },
            Finding::MissingColumn {
                table: "member".into(),
                column: "team_id".into(),
                add_column: Some(add_team_id.into()),
            },
        ],
        "{report}"
    );
    assert!(report.findings()[0]
        .to_string()
        .contains("must be declared exactly INTEGER to be the rowid"));

    // The suggested statement is the fix.
    by_hand(&session, add_team_id);
    let report = session.check_schema::<Team>()?;
    assert!(report
        .findings()
        .iter()
        .all(|f| f.table() != Some("member")));
    Ok(())
}

#[test]
fn partial_indexes_implicit_targets_and_composite_keys() -> Result<()> {
    let (_dir, mut session) = file_session();
    // "order" (a keyword) references account's key implicitly, without RESTRICT, is nullable,
    // and only has a partial index; account.owner is a BLOB; post_tag's key lacks tag_id.
    by_hand(
        &session,
        r#"
        CREATE TABLE "account" ("id" INTEGER PRIMARY KEY, "owner" BLOB NOT NULL);
        CREATE TABLE "order" ("id" INTEGER PRIMARY KEY, "account_id" INTEGER REFERENCES "account");
        CREATE INDEX "order_account" ON "order" ("account_id") WHERE "account_id" > 0;
        "#,
    );
    let report = session.check_schema::<Account>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::ColumnType {
                table: "account".into(),
                column: "owner".into(),
                declared: SqlType::Text,
                found: "BLOB".into(),
            },
            Finding::ColumnNullability {
                table: "order".into(),
                column: "account_id".into(),
                declared_nullable: false,
            },
            Finding::ForeignKeyOnDelete {
                table: "order".into(),
                column: "account_id".into(),
                references: "account".into(),
                declared: OnDelete::Restrict,
                found: "NO ACTION".into(),
            },
            Finding::MissingIndex {
                table: "order".into(),
                column: "account_id".into(),
                references: "account".into(),
            },
        ],
        "{report}"
    );

    let (_dir, mut session) = file_session();
    by_hand(
        &session,
        r#"
        CREATE TABLE "post" ("id" INTEGER PRIMARY KEY, "title" TEXT NOT NULL);
        CREATE TABLE "tag" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL);
        CREATE TABLE "post_tag" (
            "post_id" INTEGER NOT NULL REFERENCES "post" ("id"),
            "tag_id" INTEGER NOT NULL REFERENCES "tag" ("id"),
            PRIMARY KEY ("post_id")
        );
        "#,
    );
    let report = session.check_schema::<Post>()?;
    // The key's own index serves post_id; nothing serves tag_id.
    assert_eq!(
        report.findings(),
        &[
            Finding::PrimaryKey {
                table: "post_tag".into(),
                declared: vec!["post_id".into(), "tag_id".into()],
                found: vec!["post_id".into()],
            },
            Finding::MissingIndex {
                table: "post_tag".into(),
                column: "tag_id".into(),
                references: "tag".into(),
            },
        ],
        "{report}"
    );
    Ok(())
}

#[test]
fn a_missing_foreign_key_is_reported_with_its_declaration() -> Result<()> {
    let (_dir, mut session) = file_session();
    by_hand(
        &session,
        r#"
        CREATE TABLE "folder" ("id" INTEGER PRIMARY KEY, "name" TEXT NOT NULL);
        CREATE TABLE "file" ("id" INTEGER PRIMARY KEY, "folder_id" INTEGER NOT NULL);
        CREATE INDEX "ix_file_folder_id" ON "file" ("folder_id");
        "#,
    );
    session.create_all::<Folder>()?; // creates link and share; file stays as it is
    let report = session.check_schema::<Folder>()?;
    assert_eq!(
        report.findings(),
        &[Finding::MissingForeignKey {
            table: "file".into(),
            column: "folder_id".into(),
            references: "folder".into(),
            referenced_column: "id".into(),
            on_delete: OnDelete::Cascade,
        }],
        "{report}"
    );
    assert!(report.to_string().contains(
        "rebuild the table with FOREIGN KEY (\"folder_id\") REFERENCES \"folder\" (\"id\") ON \
         DELETE CASCADE"
    ));
    Ok(())
}

#[test]
fn foreign_keys_turned_off_on_the_connection_are_reported() -> Result<()> {
    let (_dir, mut session) = file_session();
    session.create_all::<Parent>()?;
    assert!(session.check_schema::<Parent>()?.is_clean());
    session
        .connection()
        .execute_batch("PRAGMA foreign_keys = OFF")
        .expect("turn foreign keys off");
    let report = session.check_schema::<Parent>()?;
    assert_eq!(report.findings(), &[Finding::ForeignKeysOff]);
    assert_eq!(report.findings()[0].table(), None);
    assert_eq!(
        report.to_string(),
        "schema check: 1 finding\n\
         connection:\n\
         \x20 PRAGMA foreign_keys is off on this connection: SQLite enforces no foreign key and \
         runs no ON DELETE action; run `PRAGMA foreign_keys = ON` outside any transaction \
         (Session::open and Session::from_connection do)\n"
    );
    Ok(())
}
