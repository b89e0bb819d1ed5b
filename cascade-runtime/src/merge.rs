//! [`Session::merge`]: SQLAlchemy's `Session.merge` for a session without an identity map —
//! an upsert of an instance graph along the relationships whose cascade contains `merge`.

use crate::backend::Backend;
use crate::error::Result;
use crate::model::Model;
use crate::session::Session;
use crate::tx::{Begin, Tx};
use crate::write::{Mode, Writer};

/// Merging instance graphs into the database.
impl<B: Backend> Session<B> {
    /// Writes `row` whatever the database holds — an upsert — and, along the relationships
    /// whose cascade contains `merge` ([`CascadeSet::MERGE`](crate::CascadeSet::MERGE)), its
    /// related rows in turn:
    ///
    /// - a row whose key is unset (`0` for an integer key) is inserted, and the key the
    ///   database assigns is written back;
    /// - a row whose key is set is updated if it exists, and inserted with that key if not;
    /// - many-to-one targets are merged first and the row's foreign key takes their key;
    ///   children get their foreign key set to the row's key; many-to-many links are
    ///   inserted if missing.
    ///
    /// Relationships without `merge` are not followed (a many-to-many link to a target is
    /// still written, as `insert` does; the target must then have a key). Merge only adds
    /// and updates: rows of a collection that the instance does not hold are left as they are
    /// (use [`Session::update`] to make a collection exactly the instance's).
    ///
    /// Atomic: all of it happens, or none of it (keys written back into the instances before
    /// the failure stay written).
    pub fn merge<M: Model>(&mut self, row: &mut M) -> Result<()> {
        crate::trace::call("merge", M::meta().name, || {
            let (schema, _) = self.table::<M>()?;
            let mut runner = self.runner();
            let mut tx = Tx::begin(&mut *runner, Begin::Write)?;
            let mut writer = Writer::new(&mut *tx, &schema);
            writer.write(row, Mode::Merge)?;
            writer.finish()?;
            tx.commit()
        })
    }
}
