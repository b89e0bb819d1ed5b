use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(on_delete = "protected")]
    pub children: Vec<Child>,
}

#[derive(Model)]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Parent)]
    pub parent_id: Option<i64>,
}

fn main() {}
