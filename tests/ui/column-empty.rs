use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[model(column = " ")]
    pub name: String,
}

fn main() {}
