//! `Session::check_schema`: tables made by `create_all` check clean; tables made by hand that
//! drifted from the models are reported, one precise finding per difference, on SQLite files
//! and (with `CASCADE_PG_URL`) on PostgreSQL, each with its own database's fixes, which the
//! PostgreSQL tests run to see that they are the fixes.

mod common;

use cascade_runtime::{Finding, OnDelete, PgSession, Result, SchemaReport, Session, SqlType};
use common::pg::{pg_session, pg_session_in};
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

// --- PostgreSQL: the same findings, PostgreSQL's fixes -------------------------------------

/// Runs a fix the report advises: asserts that the report's text gives exactly `fix`, then
/// runs it on the session's PostgreSQL connection.
fn apply(s: &mut PgSession, report: &SchemaReport, fix: &str) {
    let text = report.to_string();
    assert!(
        text.contains(fix),
        "the report does not advise {fix:?}:\n{text}"
    );
    s.sql_batch(fix);
}

#[test]
fn postgresql_drifted_tables_get_postgresql_fixes() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    // The drift of drifted_tables_are_reported_one_finding_each, in PostgreSQL's DDL.
    s.sql_batch(
        r#"
        CREATE TABLE "parent" ("id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);
        CREATE TABLE "child" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "parent_id" bigint REFERENCES "parent" ("id") ON DELETE SET NULL,
            "name" text NOT NULL
        );
        "#,
    );
    let add_name = "ALTER TABLE \"parent\" ADD COLUMN \"name\" text NOT NULL";
    let replace_key = "ALTER TABLE \"child\" DROP CONSTRAINT \"child_parent_id_fkey\", ADD \
                       FOREIGN KEY (\"parent_id\") REFERENCES \"parent\" (\"id\") ON DELETE NO \
                       ACTION";
    let index = "CREATE INDEX \"ix_child_parent_id\" ON \"child\" (\"parent_id\")";
    let report = s.check_schema::<Parent>()?;
    assert_eq!(report.backend(), "PostgreSQL");
    assert_eq!(
        report.findings(),
        &[
            Finding::MissingColumn {
                table: "parent".into(),
                column: "name".into(),
                add_column: Some(add_name.into()),
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
        format!(
            "schema check: 4 findings\n\
             table \"parent\":\n\
             \x20 column \"name\": the column does not exist; add it: {add_name} (while the \
             table has rows, PostgreSQL refuses a NOT NULL column without a default: add it \
             without NOT NULL, give every row a value, then ALTER TABLE \"parent\" ALTER COLUMN \
             \"name\" SET NOT NULL)\n\
             table \"child\":\n\
             \x20 column \"parent_id\": the foreign key to \"parent\" is ON DELETE SET NULL, but \
             the model declares ON DELETE NO ACTION; change the model's on_delete, or \
             {replace_key}\n\
             \x20 column \"parent_id\": no index starts with this foreign-key column, so every \
             deleted \"parent\" row makes PostgreSQL scan all of \"child\"; {index}\n\
             table \"toy\":\n\
             \x20 the table does not exist; run `session.create_all::<Toy>()` (or create_all of \
             any model that reaches `Toy`)\n"
        )
    );
    // Each finding on its own line, with its place, in PostgreSQL's terms.
    let explained: Vec<String> = report.explained().map(|(_, text)| text).collect();
    assert_eq!(explained.len(), 4);
    assert_eq!(
        explained[2],
        format!(
            "\"child\".\"parent_id\": no index starts with this foreign-key column, so every \
             deleted \"parent\" row makes PostgreSQL scan all of \"child\"; {index}"
        )
    );
    assert!(!report.to_string().contains("sqlite"), "{report}");

    // The advice is the fix: PostgreSQL runs it, and then the tables match the models.
    apply(&mut s, &report, add_name);
    apply(&mut s, &report, replace_key);
    apply(&mut s, &report, index);
    s.create_all::<Parent>()?;
    let report = s.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    s.insert(&mut family("after", 2, 1))?;
    assert_eq!(count(&mut s, "toy"), 2);
    Ok(())
}

#[test]
fn postgresql_a_not_null_column_is_added_to_a_table_with_rows_as_advised() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    s.create_all::<Parent>()?;
    s.insert(&mut family("kept", 1, 0))?;
    s.sql_batch("ALTER TABLE \"parent\" DROP COLUMN \"name\"");
    let report = s.check_schema::<Parent>()?;
    let [Finding::MissingColumn {
        add_column: Some(add),
        ..
    }] = report.findings()
    else {
        panic!("{report}");
    };
    // Refused with a row there, as the finding warns; its other way works.
    assert!(s.client().batch_execute(add).is_err());
    let text = report.to_string();
    assert!(
        text.contains("add it without NOT NULL, give every row a value, then"),
        "{text}"
    );
    s.sql_batch(
        "ALTER TABLE \"parent\" ADD COLUMN \"name\" text; UPDATE \"parent\" SET name = 'x'",
    );
    apply(
        &mut s,
        &report,
        "ALTER TABLE \"parent\" ALTER COLUMN \"name\" SET NOT NULL",
    );
    let report = s.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

#[test]
fn postgresql_types_nullability_keys_and_targets() -> Result<()> {
    let Some((schema, mut s)) = pg_session() else {
        return Ok(());
    };
    // team: an integer key the database does not assign, and "name" accepts NULL (one team
    // is there already); member lacks its foreign-key column; badge's key references another
    // table (the index is there).
    s.sql_batch(
        r#"
        CREATE TABLE "team" ("id" integer PRIMARY KEY, "name" text);
        INSERT INTO "team" VALUES (5, 'five');
        CREATE TABLE "member" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "name" text NOT NULL
        );
        CREATE TABLE "other_team" ("id" bigint PRIMARY KEY);
        CREATE TABLE "badge" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "team_id" bigint NOT NULL REFERENCES "other_team" ("id")
        );
        CREATE INDEX "badge_team" ON "badge" ("team_id");
        "#,
    );
    let retype = "ALTER TABLE \"team\" ALTER COLUMN \"id\" TYPE bigint USING \"id\"::bigint";
    let identity = "ALTER TABLE \"team\" ALTER COLUMN \"id\" ADD GENERATED BY DEFAULT AS \
                    IDENTITY; SELECT setval(pg_get_serial_sequence('\"team\"', 'id'), \
                    max(\"id\")) FROM \"team\"";
    let not_null = "ALTER TABLE \"team\" ALTER COLUMN \"name\" SET NOT NULL";
    let retarget = "ALTER TABLE \"badge\" DROP CONSTRAINT \"badge_team_id_fkey\", ADD FOREIGN \
                    KEY (\"team_id\") REFERENCES \"team\" (\"id\") ON DELETE NO ACTION";
    let add_team_id = "ALTER TABLE \"member\" ADD COLUMN \"team_id\" bigint REFERENCES \
                       \"team\" (\"id\") ON DELETE NO ACTION; CREATE INDEX \
                       \"ix_member_team_id\" ON \"member\" (\"team_id\")";
    let report = s.check_schema::<Team>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::ColumnType {
                table: "team".into(),
                column: "id".into(),
                declared: SqlType::Integer,
                found: "integer".into(),
            },
            Finding::KeyNotAssigned {
                table: "team".into(),
                column: "id".into(),
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
    let explained: Vec<String> = report.explained().map(|(_, text)| text).collect();
    assert_eq!(
        explained[..4],
        [
            format!(
                "\"team\".\"id\": the model declares bigint, but the column is integer; change \
                 the field's type, or {retype}"
            ),
            format!(
                "\"team\".\"id\": the model has the database assign this key to new rows (it \
                 inserts them without one), but the column is neither an identity column nor \
                 has a default, so those inserts fail; {identity}"
            ),
            format!(
                "\"team\".\"name\": the model says NOT NULL, but the column accepts NULL, and \
                 reading a NULL into the field fails; make the field an Option, or {not_null} \
                 (once no row holds NULL there)"
            ),
            format!(
                "\"badge\".\"team_id\": the foreign key references other_team(id), but the \
                 model declares team(id); {retarget}"
            ),
        ]
    );
    for text in &explained {
        assert!(
            !text.contains("affinity") && !text.contains("rowid"),
            "{text}"
        );
    }

    // Inserting a team fails as the finding says.
    let mut team = Team {
        id: 0,
        name: "new".into(),
        members: vec![],
        badges: vec![],
    };
    assert!(s.insert(&mut team.clone()).is_err());
    for fix in [retype, identity, not_null, retarget, add_team_id] {
        apply(&mut s, &report, fix);
    }
    let report = s.check_schema::<Team>()?;
    assert!(report.is_clean(), "{report}");
    // The identity starts past the team already there. (A new session: this one's prepared
    // insert returns the key's old type, which PostgreSQL refuses to re-plan.)
    let mut s = pg_session_in(&schema);
    s.insert(&mut team)?;
    assert_eq!(team.id, 6);
    Ok(())
}

#[test]
fn postgresql_partial_indexes_implicit_targets_and_composite_keys() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    // "order" references account's key implicitly, without RESTRICT, is nullable, and only
    // has a partial index; account.owner is bytea.
    s.sql_batch(
        r#"
        CREATE TABLE "account" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "owner" bytea NOT NULL
        );
        CREATE TABLE "order" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "account_id" bigint REFERENCES "account"
        );
        CREATE INDEX "order_account" ON "order" ("account_id") WHERE "account_id" > 0;
        "#,
    );
    let report = s.check_schema::<Account>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::ColumnType {
                table: "account".into(),
                column: "owner".into(),
                declared: SqlType::Text,
                found: "bytea".into(),
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
    for fix in [
        "ALTER TABLE \"account\" ALTER COLUMN \"owner\" TYPE text USING \"owner\"::text",
        "ALTER TABLE \"order\" ALTER COLUMN \"account_id\" SET NOT NULL",
        "ALTER TABLE \"order\" DROP CONSTRAINT \"order_account_id_fkey\", ADD FOREIGN KEY \
         (\"account_id\") REFERENCES \"account\" (\"id\") ON DELETE RESTRICT",
        "CREATE INDEX \"ix_order_account_id\" ON \"order\" (\"account_id\")",
    ] {
        apply(&mut s, &report, fix);
    }
    let report = s.check_schema::<Account>()?;
    assert!(report.is_clean(), "{report}");

    // post_tag's key lacks tag_id.
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    s.sql_batch(
        r#"
        CREATE TABLE "post" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "title" text NOT NULL
        );
        CREATE TABLE "tag" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "name" text NOT NULL
        );
        CREATE TABLE "post_tag" (
            "post_id" bigint NOT NULL REFERENCES "post" ("id"),
            "tag_id" bigint NOT NULL REFERENCES "tag" ("id"),
            PRIMARY KEY ("post_id")
        );
        "#,
    );
    let report = s.check_schema::<Post>()?;
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
    let rekey = "ALTER TABLE \"post_tag\" DROP CONSTRAINT \"post_tag_pkey\", ADD PRIMARY KEY \
                 (\"post_id\", \"tag_id\")";
    assert_eq!(
        report.explained().next().map(|(_, text)| text),
        Some(format!(
            "table \"post_tag\": the primary key is \"post_id\", but the model declares \
             \"post_id\", \"tag_id\"; {rekey}"
        ))
    );
    apply(&mut s, &report, rekey);
    apply(
        &mut s,
        &report,
        "CREATE INDEX \"ix8_post_tag_tag_id\" ON \"post_tag\" (\"tag_id\")",
    );
    let report = s.check_schema::<Post>()?;
    assert!(report.is_clean(), "{report}");

    // No primary key at all (nor an index on post_id, then).
    s.sql_batch("ALTER TABLE \"post_tag\" DROP CONSTRAINT \"post_tag_pkey\"");
    let report = s.check_schema::<Post>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::PrimaryKey {
                table: "post_tag".into(),
                declared: vec!["post_id".into(), "tag_id".into()],
                found: vec![],
            },
            Finding::MissingIndex {
                table: "post_tag".into(),
                column: "post_id".into(),
                references: "post".into(),
            },
        ],
        "{report}"
    );
    let add_key = "ALTER TABLE \"post_tag\" ADD PRIMARY KEY (\"post_id\", \"tag_id\")";
    assert!(
        report.to_string().contains(&format!(
            "the primary key is none, but the model declares \"post_id\", \"tag_id\"; \
             {add_key}\n"
        )),
        "{report}"
    );
    apply(&mut s, &report, add_key);
    let report = s.check_schema::<Post>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

#[test]
fn postgresql_a_missing_foreign_key_is_added_in_place() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    s.sql_batch(
        r#"
        CREATE TABLE "folder" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "name" text NOT NULL
        );
        CREATE TABLE "file" (
            "id" bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
            "folder_id" bigint NOT NULL
        );
        CREATE INDEX "ix_file_folder_id" ON "file" ("folder_id");
        "#,
    );
    s.create_all::<Folder>()?; // creates link and share; file stays as it is
    let report = s.check_schema::<Folder>()?;
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
    apply(
        &mut s,
        &report,
        "ALTER TABLE \"file\" ADD FOREIGN KEY (\"folder_id\") REFERENCES \"folder\" (\"id\") \
         ON DELETE CASCADE",
    );
    let report = s.check_schema::<Folder>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

#[test]
fn postgresql_keys_the_database_assigns_are_identities_or_defaults() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    s.create_all::<Parent>()?;
    let report = s.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    // parent's identity refuses given keys; toy's key is assigned by nothing, and a toy is
    // there already; child's key comes from a sequence of its own, as a serial would.
    s.sql_batch(
        r#"
        ALTER TABLE "parent" ALTER COLUMN "id" SET GENERATED ALWAYS;
        ALTER TABLE "toy" ALTER COLUMN "id" DROP IDENTITY;
        ALTER TABLE "child" ALTER COLUMN "id" DROP IDENTITY;
        CREATE SEQUENCE "child_ids" OWNED BY "child"."id";
        ALTER TABLE "child" ALTER COLUMN "id" SET DEFAULT nextval('"child_ids"');
        INSERT INTO "parent" ("name") VALUES ('p');
        INSERT INTO "child" ("parent_id", "name") SELECT "id", 'c' FROM "parent";
        INSERT INTO "toy" ("id", "child_id", "name") SELECT 1, "id", 't' FROM "child";
        "#,
    );
    let report = s.check_schema::<Parent>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::KeyAlwaysGenerated {
                table: "parent".into(),
                column: "id".into(),
            },
            Finding::KeyNotAssigned {
                table: "toy".into(),
                column: "id".into(),
            },
        ],
        "{report}"
    );
    // What the findings say fails, fails.
    let mut given = family("given", 0, 0);
    given.id = 40;
    assert!(s.merge(&mut given.clone()).is_err());
    let mut toy = Toy {
        id: 0,
        child_id: s.sql_count("SELECT max(id) FROM child"),
        name: "new".into(),
    };
    assert!(s.insert(&mut toy.clone()).is_err());

    apply(
        &mut s,
        &report,
        "ALTER TABLE \"parent\" ALTER COLUMN \"id\" SET GENERATED BY DEFAULT",
    );
    apply(
        &mut s,
        &report,
        "ALTER TABLE \"toy\" ALTER COLUMN \"id\" ADD GENERATED BY DEFAULT AS IDENTITY; SELECT \
         setval(pg_get_serial_sequence('\"toy\"', 'id'), max(\"id\")) FROM \"toy\"",
    );
    let report = s.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    s.merge(&mut given)?;
    assert_eq!(given.id, 40);
    s.insert(&mut toy)?;
    assert_eq!(toy.id, 2, "the identity starts past the toy already there");
    s.insert(&mut family("new", 1, 1))?;
    assert_eq!(count(&mut s, "child"), 2);
    Ok(())
}

#[test]
fn postgresql_column_names_are_case_sensitive() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    s.create_all::<Parent>()?;
    // "ID" is not id, nor "Name" name, to PostgreSQL (SQLite would take them for the same).
    s.sql_batch(
        "ALTER TABLE \"parent\" RENAME COLUMN \"id\" TO \"ID\"; \
         ALTER TABLE \"child\" RENAME COLUMN \"name\" TO \"Name\"",
    );
    let report = s.check_schema::<Parent>()?;
    assert_eq!(
        report.findings(),
        &[
            Finding::PrimaryKey {
                table: "parent".into(),
                declared: vec!["id".into()],
                found: vec!["ID".into()],
            },
            Finding::MissingColumn {
                table: "parent".into(),
                column: "id".into(),
                add_column: None,
            },
            Finding::ForeignKeyTarget {
                table: "child".into(),
                column: "parent_id".into(),
                references: "parent".into(),
                referenced_column: "id".into(),
                found: "parent(ID)".into(),
            },
            Finding::MissingColumn {
                table: "child".into(),
                column: "name".into(),
                add_column: None,
            },
        ],
        "{report}"
    );
    let explained: Vec<String> = report.explained().map(|(_, text)| text).collect();
    assert_eq!(
        explained[..2],
        [
            "table \"parent\": the primary key is \"ID\", but the model declares \"id\"; the \
             names differ only in case, which PostgreSQL's quoted names do not ignore: rename \
             the key's columns (below)",
            "\"parent\".\"id\": the column does not exist, but \"ID\" does, and PostgreSQL's \
             quoted names are case-sensitive; rename it: ALTER TABLE \"parent\" RENAME COLUMN \
             \"ID\" TO \"id\"",
        ]
    );
    apply(
        &mut s,
        &report,
        "ALTER TABLE \"parent\" RENAME COLUMN \"ID\" TO \"id\"",
    );
    apply(
        &mut s,
        &report,
        "ALTER TABLE \"child\" RENAME COLUMN \"Name\" TO \"name\"",
    );
    // The foreign key followed the renamed column.
    let report = s.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    Ok(())
}

#[test]
fn postgresql_a_missing_key_is_added_as_an_identity_then_made_the_key() -> Result<()> {
    let Some((_schema, mut s)) = pg_session() else {
        return Ok(());
    };
    s.create_all::<Parent>()?;
    s.insert(&mut family("kept", 0, 0))?;
    // parent loses its key, and with it child's foreign key to it.
    s.sql_batch("ALTER TABLE \"parent\" DROP COLUMN \"id\" CASCADE");
    let report = s.check_schema::<Parent>()?;
    let add_id = "ALTER TABLE \"parent\" ADD COLUMN \"id\" bigint GENERATED BY DEFAULT AS \
                  IDENTITY";
    let add_key = "ALTER TABLE \"parent\" ADD PRIMARY KEY (\"id\")";
    assert_eq!(
        report.findings(),
        &[
            Finding::PrimaryKey {
                table: "parent".into(),
                declared: vec!["id".into()],
                found: vec![],
            },
            Finding::MissingColumn {
                table: "parent".into(),
                column: "id".into(),
                add_column: Some(add_id.into()),
            },
            Finding::MissingForeignKey {
                table: "child".into(),
                column: "parent_id".into(),
                references: "parent".into(),
                referenced_column: "id".into(),
                on_delete: OnDelete::NoAction,
            },
        ],
        "{report}"
    );
    assert_eq!(
        report.explained().map(|(_, text)| text).collect::<Vec<_>>()[..2],
        [
            format!(
                "table \"parent\": the primary key is none, but the model declares \"id\"; \
                 {add_key}, once the key's missing columns (below) exist"
            ),
            format!("\"parent\".\"id\": the column does not exist; add it: {add_id}"),
        ]
    );
    // In the order the findings say: the column (numbering the row there), the key, then
    // the foreign key to it.
    apply(&mut s, &report, add_id);
    apply(&mut s, &report, add_key);
    apply(
        &mut s,
        &report,
        "ALTER TABLE \"child\" ADD FOREIGN KEY (\"parent_id\") REFERENCES \"parent\" (\"id\") \
         ON DELETE NO ACTION",
    );
    let report = s.check_schema::<Parent>()?;
    assert!(report.is_clean(), "{report}");
    let mut p = family("new", 1, 1);
    s.insert(&mut p)?;
    assert_eq!(p.id, 2);
    Ok(())
}
