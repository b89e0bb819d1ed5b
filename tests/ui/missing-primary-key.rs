use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    pub id: i64,
    pub name: String,
}

fn main() {}
