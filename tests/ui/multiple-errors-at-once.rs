use cascade_runtime::Model;

// Every mistake is reported in one build, not one per build.
#[derive(Model)]
#[model(tabel = "parents")]
pub struct Parent {
    pub id: i64,
    #[model(colum = "title", unique, unique)]
    pub name: String,
    #[relationship(cascade = "all, delte", passive_deletes = "maybe")]
    pub children: Vec<Child>,
    #[relationship(cascade = "delete-orphan")]
    pub pets: Vec<Child>,
    #[relationship]
    pub owner: Child,
}

#[derive(Model)]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Parent, on_delete = "set null")]
    pub parent_id: i64,
}

fn main() {}
