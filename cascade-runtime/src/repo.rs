//! [`Repo`]: the session's calls for one model, typed by it.

use std::marker::PhantomData;

use crate::backend::{Backend, Sqlite};
use crate::error::Result;
use crate::model::Model;
use crate::report::{DeletePlan, DeleteReport};
use crate::session::Session;
use crate::value::{IntoKey, Params};

/// The calls of a [`Session`] for one model `M`, taking `M`'s rows and `M`'s key type
/// ([`Model::Key`]). Get one with [`Session::repo`]; every call is the session's own, so
/// deletes cascade exactly as [`Session::delete_by_pk`] does.
///
/// ```
/// use cascade_runtime::{Model, Session};
///
/// #[derive(Model, Debug, Clone, PartialEq)]
/// pub struct Country {
///     #[model(primary_key)]
///     pub code: String,
///     pub name: String,
/// }
///
/// # fn main() -> cascade_runtime::Result<()> {
/// let mut session = Session::open_in_memory()?;
/// session.create_all::<Country>()?;
/// let mut countries = session.repo::<Country>();
/// countries.insert(&mut Country { code: "fr".into(), name: "France".into() })?;
/// assert_eq!(countries.get("fr")?.map(|c| c.name), Some("France".to_owned()));
/// assert_eq!(countries.delete_by_pk("fr")?.total(), 1);
/// # Ok(())
/// # }
/// ```
pub struct Repo<'s, M: Model, B: Backend = Sqlite> {
    session: &'s mut Session<B>,
    model: PhantomData<fn() -> M>,
}

impl<M: Model, B: Backend> std::fmt::Debug for Repo<'_, M, B> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Repo")
            .field("model", &M::meta().name)
            .finish_non_exhaustive()
    }
}

impl<'s, M: Model, B: Backend> Repo<'s, M, B> {
    pub(crate) fn new(session: &'s mut Session<B>) -> Self {
        Repo {
            session,
            model: PhantomData,
        }
    }

    /// The session this repository works on.
    pub fn session(&mut self) -> &mut Session<B> {
        self.session
    }

    /// [`Session::get`]: the row with this key, relationship fields empty.
    pub fn get(&mut self, key: impl IntoKey<M::Key>) -> Result<Option<M>> {
        self.session.get::<M>(key)
    }

    /// [`Session::count`]: the rows of `M`'s table.
    pub fn count(&mut self) -> Result<usize> {
        self.session.count::<M>()
    }

    /// [`Session::count_where`]: the rows of `M` matching `clause`.
    pub fn count_where(&mut self, clause: &str, params: impl Params) -> Result<usize> {
        self.session.count_where::<M>(clause, params)
    }

    /// [`Session::select_where`]: the rows of `M` matching `clause`, in key order,
    /// relationship fields empty.
    pub fn select_where(&mut self, clause: &str, params: impl Params) -> Result<Vec<M>> {
        self.session.select_where::<M>(clause, params)
    }

    /// [`Session::get_with_related`]: the row with this key and its relationship fields.
    pub fn get_with_related(&mut self, key: impl IntoKey<M::Key>) -> Result<Option<M>> {
        self.session.get_with_related::<M>(key)
    }

    /// [`Session::insert`]: the row and its `save-update` cascade; keys written back.
    pub fn insert(&mut self, row: &mut M) -> Result<()> {
        self.session.insert(row)
    }

    /// [`Session::update`]: the row's columns and collections; returns what `delete-orphan`
    /// deleted.
    pub fn update(&mut self, row: &mut M) -> Result<DeleteReport> {
        self.session.update(row)
    }

    /// [`Session::merge`]: an upsert along `merge` cascades.
    pub fn merge(&mut self, row: &mut M) -> Result<()> {
        self.session.merge(row)
    }

    /// [`Session::delete`]: the row and everything its cascades reach.
    pub fn delete(&mut self, row: &M) -> Result<DeleteReport> {
        self.session.delete(row)
    }

    /// [`Session::delete_by_pk`]: the row with this key and everything its cascades reach.
    pub fn delete_by_pk(&mut self, key: impl IntoKey<M::Key>) -> Result<DeleteReport> {
        self.session.delete_by_pk::<M>(key)
    }

    /// [`Session::delete_where`]: every row matching `clause` (SQL over `M`'s table, its
    /// parameters bound to `params`) and everything their cascades reach.
    pub fn delete_where(&mut self, clause: &str, params: impl Params) -> Result<DeleteReport> {
        self.session.delete_where::<M>(clause, params)
    }

    /// [`Session::plan_delete`]: what `delete_by_pk(key)` would do, changing nothing.
    pub fn plan_delete(&mut self, key: impl IntoKey<M::Key>) -> Result<DeletePlan> {
        self.session.plan_delete::<M>(key)
    }
}
