//! What `#[derive(Model)]` generates, written by hand: the reference the derive must match, and
//! a check that the runtime's traits can be implemented without the macro.
#![allow(dead_code)]

use cascade_runtime::Session;

#[derive(Debug, Clone, PartialEq)]
pub struct Parent {
    pub id: i64,
    pub name: String,
    pub children: Vec<Child>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Child {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub parent: Option<Box<Parent>>,
}

#[automatically_derived]
impl ::cascade_runtime::__private::Model for Parent {
    type Repository<'s> = ParentRepository<'s>;

    fn meta() -> &'static ::cascade_runtime::__private::ModelMeta {
        static META: ::cascade_runtime::__private::ModelMeta = ::cascade_runtime::__private::ModelMeta {
            name: "Parent",
            table: "parent",
            columns: &[
                ::cascade_runtime::__private::ColumnMeta {
                    field: "id",
                    name: "id",
                    sql_type: <i64 as ::cascade_runtime::__private::ColumnType>::SQL_TYPE,
                    nullable: <i64 as ::cascade_runtime::__private::ColumnType>::NULLABLE,
                    primary_key: true,
                    unique: false,
                    index: false,
                    default: ::cascade_runtime::__private::Option::None,
                    foreign_key: ::cascade_runtime::__private::Option::None,
                },
                ::cascade_runtime::__private::ColumnMeta {
                    field: "name",
                    name: "name",
                    sql_type: <String as ::cascade_runtime::__private::ColumnType>::SQL_TYPE,
                    nullable: <String as ::cascade_runtime::__private::ColumnType>::NULLABLE,
                    primary_key: false,
                    unique: false,
                    index: false,
                    default: ::cascade_runtime::__private::Option::Some(|| {
                        ::cascade_runtime::__private::IntoValue::into_value("unnamed")
                    }),
                    foreign_key: ::cascade_runtime::__private::Option::None,
                },
            ],
            relationships: &[::cascade_runtime::__private::RelationshipMeta {
                field: "children",
                target: <Child as ::cascade_runtime::__private::Model>::meta,
                collection: true,
                cascade: ::cascade_runtime::__private::CascadeSet::ALL,
                foreign_key: ::cascade_runtime::__private::Option::None,
                secondary: ::cascade_runtime::__private::Option::None,
                passive_deletes: ::cascade_runtime::__private::PassiveDeletes::Off,
                back_populates: ::cascade_runtime::__private::Option::Some("parent"),
                single_parent: false,
            }],
        };
        &META
    }

    fn from_values(
        values: ::cascade_runtime::__private::Vec<::cascade_runtime::__private::Value>,
    ) -> ::cascade_runtime::__private::Result<Self> {
        let mut row = ::cascade_runtime::__private::RowReader::new(
            <Self as ::cascade_runtime::__private::Model>::meta(),
            values,
        );
        ::cascade_runtime::__private::Ok(Parent {
            id: row.next()?,
            name: row.next()?,
            children: ::core::default::Default::default(),
        })
    }

    fn repository(session: &mut ::cascade_runtime::__private::Session) -> ParentRepository<'_> {
        ParentRepository { session }
    }
}

#[automatically_derived]
impl ::cascade_runtime::__private::DynModel for Parent {
    fn model_meta(&self) -> &'static ::cascade_runtime::__private::ModelMeta {
        <Self as ::cascade_runtime::__private::Model>::meta()
    }

    fn values(&self) -> ::cascade_runtime::__private::Vec<::cascade_runtime::__private::Value> {
        ::std::vec![
            ::cascade_runtime::__private::ColumnType::to_value(&self.id),
            ::cascade_runtime::__private::ColumnType::to_value(&self.name),
        ]
    }

    fn set_value(
        &mut self,
        column: usize,
        value: ::cascade_runtime::__private::Value,
    ) -> ::cascade_runtime::__private::Result<()> {
        let meta = <Self as ::cascade_runtime::__private::Model>::meta();
        match column {
            0 => self.id = ::cascade_runtime::__private::column_from_value(meta, 0, value)?,
            1 => self.name = ::cascade_runtime::__private::column_from_value(meta, 1, value)?,
            _ => {}
        }
        ::cascade_runtime::__private::Ok(())
    }

    fn related(
        &self,
        relationship: usize,
    ) -> ::cascade_runtime::__private::Vec<&dyn ::cascade_runtime::__private::DynModel> {
        match relationship {
            0 => ::cascade_runtime::__private::Related::items(&self.children),
            _ => ::cascade_runtime::__private::Vec::new(),
        }
    }

    fn related_mut(
        &mut self,
        relationship: usize,
    ) -> ::cascade_runtime::__private::Vec<&mut dyn ::cascade_runtime::__private::DynModel> {
        match relationship {
            0 => ::cascade_runtime::__private::Related::items_mut(&mut self.children),
            _ => ::cascade_runtime::__private::Vec::new(),
        }
    }

    fn set_related(
        &mut self,
        relationship: usize,
        rows: ::cascade_runtime::__private::Vec<
            ::cascade_runtime::__private::Vec<::cascade_runtime::__private::Value>,
        >,
    ) -> ::cascade_runtime::__private::Result<()> {
        match relationship {
            0 => ::cascade_runtime::__private::Related::load(&mut self.children, rows),
            _ => ::cascade_runtime::__private::Ok(()),
        }
    }
}

/// Typed repository of [`Parent`] rows (table `parent`), generated by `#[derive(Model)]`.
///
/// Get one with `session.repo::<Parent>()`. Every call goes through the [`Session`]'s
/// planner, so deletes cascade exactly as `session.delete_by_pk::<Parent>(..)` does.
pub struct ParentRepository<'s> {
    session: &'s mut ::cascade_runtime::__private::Session,
}

#[automatically_derived]
impl ParentRepository<'_> {
    /// Loads the row with this primary key; relationship fields are left empty.
    pub fn get(&mut self, id: i64) -> ::cascade_runtime::__private::Result<::cascade_runtime::__private::Option<Parent>> {
        self.session.get::<Parent>(Self::key(id))
    }

    /// Inserts `row` and, along `save-update` cascades, its related rows; writes generated keys back.
    pub fn insert(&mut self, row: &mut Parent) -> ::cascade_runtime::__private::Result<()> {
        self.session.insert(row)
    }

    /// Writes `row`'s columns and syncs its relationship collections (see [`Session::update`]).
    pub fn update(&mut self, row: &mut Parent) -> ::cascade_runtime::__private::Result<()> {
        self.session.update(row)
    }

    /// Deletes `row` and everything its cascades reach, in one transaction.
    pub fn delete(&mut self, row: &Parent) -> ::cascade_runtime::__private::Result<::cascade_runtime::__private::DeleteReport> {
        self.session.delete(row)
    }

    /// Deletes the row with this primary key and everything its cascades reach.
    pub fn delete_by_pk(&mut self, id: i64) -> ::cascade_runtime::__private::Result<::cascade_runtime::__private::DeleteReport> {
        self.session.delete_by_pk::<Parent>(Self::key(id))
    }

    /// Deletes every row matching `clause` (SQL over `parent`'s columns, with `?N` parameters)
    /// and everything their cascades reach.
    pub fn delete_where<P: ::cascade_runtime::__private::Params>(
        &mut self,
        clause: &str,
        params: P,
    ) -> ::cascade_runtime::__private::Result<::cascade_runtime::__private::DeleteReport> {
        self.session.delete_where::<Parent>(clause, params)
    }

    /// Computes what `delete_by_pk(id)` would do, changing nothing.
    pub fn plan_delete(&mut self, id: i64) -> ::cascade_runtime::__private::Result<::cascade_runtime::__private::DeletePlan> {
        self.session.plan_delete::<Parent>(Self::key(id))
    }

    fn key(id: i64) -> ::cascade_runtime::__private::Key {
        ::cascade_runtime::__private::Key::new(::std::vec![
            ::cascade_runtime::__private::ColumnType::to_value(&id),
        ])
    }
}

// Child: the same shape; shown here only for the parts Parent does not have.
#[automatically_derived]
impl ::cascade_runtime::__private::Model for Child {
    type Repository<'s> = ChildRepository<'s>;

    fn meta() -> &'static ::cascade_runtime::__private::ModelMeta {
        static META: ::cascade_runtime::__private::ModelMeta = ::cascade_runtime::__private::ModelMeta {
            name: "Child",
            table: "child",
            columns: &[
                ::cascade_runtime::__private::ColumnMeta {
                    field: "id",
                    name: "id",
                    sql_type: <i64 as ::cascade_runtime::__private::ColumnType>::SQL_TYPE,
                    nullable: <i64 as ::cascade_runtime::__private::ColumnType>::NULLABLE,
                    primary_key: true,
                    unique: false,
                    index: false,
                    default: ::cascade_runtime::__private::Option::None,
                    foreign_key: ::cascade_runtime::__private::Option::None,
                },
                ::cascade_runtime::__private::ColumnMeta {
                    field: "parent_id",
                    name: "parent_id",
                    sql_type: <Option<i64> as ::cascade_runtime::__private::ColumnType>::SQL_TYPE,
                    nullable: <Option<i64> as ::cascade_runtime::__private::ColumnType>::NULLABLE,
                    primary_key: false,
                    unique: false,
                    index: false,
                    default: ::cascade_runtime::__private::Option::None,
                    foreign_key: ::cascade_runtime::__private::Option::Some(
                        ::cascade_runtime::__private::ForeignKeyMeta {
                            target: <Parent as ::cascade_runtime::__private::Model>::meta,
                            on_delete: ::cascade_runtime::__private::OnDelete::Cascade,
                        },
                    ),
                },
                ::cascade_runtime::__private::ColumnMeta {
                    field: "name",
                    name: "name",
                    sql_type: <String as ::cascade_runtime::__private::ColumnType>::SQL_TYPE,
                    nullable: <String as ::cascade_runtime::__private::ColumnType>::NULLABLE,
                    primary_key: false,
                    unique: false,
                    index: false,
                    default: ::cascade_runtime::__private::Option::None,
                    foreign_key: ::cascade_runtime::__private::Option::None,
                },
            ],
            relationships: &[::cascade_runtime::__private::RelationshipMeta {
                field: "parent",
                target: <Parent as ::cascade_runtime::__private::Model>::meta,
                collection: false,
                cascade: ::cascade_runtime::__private::CascadeSet::DEFAULT,
                foreign_key: ::cascade_runtime::__private::Option::None,
                secondary: ::cascade_runtime::__private::Option::None,
                passive_deletes: ::cascade_runtime::__private::PassiveDeletes::Off,
                back_populates: ::cascade_runtime::__private::Option::Some("children"),
                single_parent: false,
            }],
        };
        &META
    }

    fn from_values(
        values: ::cascade_runtime::__private::Vec<::cascade_runtime::__private::Value>,
    ) -> ::cascade_runtime::__private::Result<Self> {
        let mut row = ::cascade_runtime::__private::RowReader::new(
            <Self as ::cascade_runtime::__private::Model>::meta(),
            values,
        );
        ::cascade_runtime::__private::Ok(Child {
            id: row.next()?,
            parent_id: row.next()?,
            name: row.next()?,
            parent: ::core::default::Default::default(),
        })
    }

    fn repository(session: &mut ::cascade_runtime::__private::Session) -> ChildRepository<'_> {
        ChildRepository { session }
    }
}

#[automatically_derived]
impl ::cascade_runtime::__private::DynModel for Child {
    fn model_meta(&self) -> &'static ::cascade_runtime::__private::ModelMeta {
        <Self as ::cascade_runtime::__private::Model>::meta()
    }
    fn values(&self) -> ::cascade_runtime::__private::Vec<::cascade_runtime::__private::Value> {
        ::std::vec![
            ::cascade_runtime::__private::ColumnType::to_value(&self.id),
            ::cascade_runtime::__private::ColumnType::to_value(&self.parent_id),
            ::cascade_runtime::__private::ColumnType::to_value(&self.name),
        ]
    }
    fn set_value(
        &mut self,
        column: usize,
        value: ::cascade_runtime::__private::Value,
    ) -> ::cascade_runtime::__private::Result<()> {
        let meta = <Self as ::cascade_runtime::__private::Model>::meta();
        match column {
            0 => self.id = ::cascade_runtime::__private::column_from_value(meta, 0, value)?,
            1 => self.parent_id = ::cascade_runtime::__private::column_from_value(meta, 1, value)?,
            2 => self.name = ::cascade_runtime::__private::column_from_value(meta, 2, value)?,
            _ => {}
        }
        ::cascade_runtime::__private::Ok(())
    }
    fn related(
        &self,
        relationship: usize,
    ) -> ::cascade_runtime::__private::Vec<&dyn ::cascade_runtime::__private::DynModel> {
        match relationship {
            0 => ::cascade_runtime::__private::RelatedBoxed::items(&self.parent),
            _ => ::cascade_runtime::__private::Vec::new(),
        }
    }
    fn related_mut(
        &mut self,
        relationship: usize,
    ) -> ::cascade_runtime::__private::Vec<&mut dyn ::cascade_runtime::__private::DynModel> {
        match relationship {
            0 => ::cascade_runtime::__private::RelatedBoxed::items_mut(&mut self.parent),
            _ => ::cascade_runtime::__private::Vec::new(),
        }
    }
    fn set_related(
        &mut self,
        relationship: usize,
        rows: ::cascade_runtime::__private::Vec<
            ::cascade_runtime::__private::Vec<::cascade_runtime::__private::Value>,
        >,
    ) -> ::cascade_runtime::__private::Result<()> {
        match relationship {
            0 => ::cascade_runtime::__private::RelatedBoxed::load(&mut self.parent, rows),
            _ => ::cascade_runtime::__private::Ok(()),
        }
    }
}

/// Typed repository of [`Child`] rows (table `child`), generated by `#[derive(Model)]`.
pub struct ChildRepository<'s> {
    session: &'s mut ::cascade_runtime::__private::Session,
}

#[test]
fn handwritten_impls_describe_the_models() {
    use cascade_runtime::{DynModel, Model};
    let meta = Parent::meta();
    assert_eq!(meta.table, "parent");
    assert_eq!(meta.single_primary_key(), Some(0));
    assert_eq!((meta.relationships[0].target)().table, "child");
    let child_meta = Child::meta();
    let fk = child_meta.columns[1].foreign_key.expect("parent_id is a foreign key");
    assert_eq!((fk.target)().table, "parent");
    assert!(child_meta.columns[1].nullable);
    let default = meta.columns[1].default.expect("name has a default");
    assert_eq!(default(), cascade_runtime::Value::Text("unnamed".into()));

    let mut p = Parent::from_values(vec![1.into_value_for_test(), "p".into_value_for_test()]).unwrap();
    p.set_value(0, cascade_runtime::Value::Integer(7)).unwrap();
    assert_eq!(p.id, 7);
    assert!(p.set_value(0, cascade_runtime::Value::Text("x".into())).is_err());
    let _unused: Option<&Session> = None;
}

trait ForTest {
    fn into_value_for_test(self) -> cascade_runtime::Value;
}
impl<T: cascade_runtime::IntoValue> ForTest for T {
    fn into_value_for_test(self) -> cascade_runtime::Value {
        self.into_value()
    }
}
