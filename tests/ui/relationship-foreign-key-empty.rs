use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(foreign_key = "")]
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
