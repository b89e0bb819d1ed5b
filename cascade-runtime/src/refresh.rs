//! [`Session::refresh`]: re-reading an instance, and along `refresh-expire` cascades its
//! related rows, from the database.

use crate::backend::Backend;
use crate::error::{Error, Result};
use crate::load::{Loader, Reach};
use crate::metadata::CascadeSet;
use crate::model::{DynModel, Model};
use crate::session::Session;
use crate::sql::rows;
use crate::tx::{Begin, Tx};
use crate::value::Key;
use crate::write::key_of;

/// Refreshing instances from the database.
impl<B: Backend> Session<B> {
    /// Replaces `row`'s columns with those of its row in the database
    /// ([`Error::NotFound`] if it is gone, [`Error::MissingKey`] if `row` has no key yet)
    /// and, along the relationships whose cascade contains `refresh-expire`
    /// ([`CascadeSet::REFRESH_EXPIRE`]), replaces those fields with the related rows, then
    /// refreshes them the same way along their own `refresh-expire` relationships, to the end
    /// of the graph. A row met a second time along the way is not expanded again, so cycles
    /// end.
    ///
    /// Relationship fields without `refresh-expire` are left as they are. Loading goes level
    /// by level, one query per relationship per level (see [`Session::load_depth`]), over one
    /// consistent snapshot. The database is never changed; if reading fails, `row` may be
    /// partly refreshed.
    pub fn refresh<M: Model>(&mut self, row: &mut M) -> Result<()> {
        crate::trace::call("refresh", M::meta().name, || {
            let (schema, t) = self.table::<M>()?;
            let key = key_of(&schema, t, &row.values());
            if key.iter().any(|k| k.is_null())
                || (M::meta().has_rowid_key() && key[0].is_unset_key())
            {
                return Err(Error::MissingKey {
                    table: M::meta().table.to_owned(),
                });
            }
            let mut runner = self.runner();
            let mut tx = Tx::begin(&mut *runner, Begin::Read)?;
            let sql = rows::select_by_key(tx.dialect(), M::meta());
            let found = tx.query(&sql, &key)?.pop().ok_or_else(|| Error::NotFound {
                table: M::meta().table.to_owned(),
                key: Key::new(key).to_string(),
            })?;
            // Converted as a whole first, so that a bad value leaves `row` untouched.
            let fresh = M::from_values(found)?;
            for (c, value) in fresh.values().into_iter().enumerate() {
                row.set_value(c, value)?;
            }
            let mut objs: [&mut dyn DynModel; 1] = [row];
            Loader::new(&mut *tx, &schema).load(
                t,
                &mut objs,
                &mut Reach::closure(CascadeSet::REFRESH_EXPIRE),
            )?;
            tx.commit()
        })
    }
}
