use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(cascade = "all", passive_deletes = "all")]
    pub children: Vec<Child>,
}

#[derive(Model)]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Parent, on_delete = "cascade")]
    pub parent_id: Option<i64>,
}

fn main() {}
