//! The clause of `delete_where` is SQL over the root table's columns: a name in double quotes
//! is always a column, never a string literal (SQLite's legacy "DQS" misfeature is off in a
//! `Session`), so a misspelled column is an error that changes nothing.

mod common;

use common::*;
use std::ops::ControlFlow;

#[test]
fn a_misspelled_quoted_column_is_an_error_not_a_string() {
    let (_dir, mut s) = file_session();
    s.create_all::<Parent>().unwrap();
    for name in ["a", "b"] {
        s.insert(&mut family(name, 2, 1)).unwrap();
    }
    // As a string, "nmae" <> 'a' would be true for every row, and delete them all.
    let err = s
        .delete_where::<Parent>("\"nmae\" <> ?1", ["a"])
        .unwrap_err();
    assert!(
        err.to_string().contains("no such column: \"nmae\""),
        "{err}"
    );
    assert!(s
        .plan_delete_where::<Parent>("\"nmae\" <> ?1", ["a"])
        .is_err());
    assert!(s
        .delete_where_in_chunks::<Parent>("\"nmae\" <> ?1", ["a"], 1, |_| ControlFlow::Continue(()))
        .is_err());
    assert_eq!(
        snapshot(&mut s, &["parent", "child", "toy"]),
        [
            ("parent".to_owned(), 2),
            ("child".to_owned(), 4),
            ("toy".to_owned(), 4)
        ]
    );
    // Spelled right, quoted, it is the column.
    let report = s.delete_where::<Parent>("\"name\" <> ?1", ["a"]).unwrap();
    assert_eq!((report.count("parent"), report.count("toy")), (1, 2));
}

/// A clause may read the tables the cascade empties: here the parents to delete are the ones
/// with a child of a given name — rows the same delete removes before it reaches the parents.
/// The roots are the rows the clause selects when the delete starts, on every backend (on
/// PostgreSQL such a delete runs as one statement over one snapshot; deleting the children
/// first in a statement of their own would leave the clause selecting no parent).
#[test]
fn a_clause_that_reads_the_rows_the_cascade_removes_selects_its_roots_before_anything_changes() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut families: Vec<Parent> = ["a", "b", "c"].iter().map(|n| family(n, 2, 1)).collect();
        for f in &mut families {
            s.insert(f)?;
        }
        let clause = format!(
            "id IN (SELECT parent_id FROM child WHERE name IN ({}, {}))",
            s.p(1),
            s.p(2)
        );
        let (a0, b1) = (
            families[0].children[0].name.clone(),
            families[1].children[1].name.clone(),
        );
        let report = s.delete_where::<Parent>(&clause, [a0, b1])?;
        assert_eq!(report.roots(), 2);
        assert_eq!(
            (
                report.count("parent"),
                report.count("child"),
                report.count("toy")
            ),
            (2, 4, 4)
        );
        assert_eq!(s.count::<Parent>()?, 1);
        assert_eq!(s.count::<Child>()?, 2);
        Ok(())
    });
}
