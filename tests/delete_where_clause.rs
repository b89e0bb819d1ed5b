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
