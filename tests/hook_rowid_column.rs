//! Delete hooks read the deleted rows back in batches, by the rowid of a temporary copy: a
//! model column named `rowid` (or `oid`) must not take its place, or rows would be skipped.

use std::cell::RefCell;

use cascade_runtime::{DeleteHooks, HookContext, HookError, Model, Session};

thread_local! {
    static SEEN: RefCell<Vec<i64>> = const { RefCell::new(Vec::new()) };
}

#[derive(Model, Debug, Clone, PartialEq)]
#[model(hooks)]
pub struct Entry {
    #[model(primary_key)]
    pub id: i64,
    #[model(column = "rowid")]
    pub row: i64,
    #[model(column = "OID")]
    pub oid: Option<i64>,
}

impl DeleteHooks for Entry {
    fn before_delete(&self, _ctx: &HookContext<'_>) -> Result<(), HookError> {
        SEEN.with(|s| s.borrow_mut().push(self.id));
        Ok(())
    }
}

#[test]
fn hooks_see_every_row_when_a_column_is_named_rowid() {
    let mut s = Session::open_in_memory().unwrap();
    s.create_all::<Entry>().unwrap();
    // Duplicates, zero and negatives in the `rowid` column: as a cursor they would skip rows.
    let mut ids = Vec::new();
    for row in [7, 7, 7, 0, -1, -5, 3] {
        let mut e = Entry {
            id: 0,
            row,
            oid: Some(-row),
        };
        s.insert(&mut e).unwrap();
        ids.push(e.id);
    }
    let report = s.delete_where::<Entry>("1", ()).unwrap();
    assert_eq!(report.count("entry"), ids.len());
    let mut seen = SEEN.with(|s| s.borrow().clone());
    seen.sort();
    assert_eq!(seen, ids);
}
