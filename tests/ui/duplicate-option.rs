use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[model(column = "title", unique, column = "heading")]
    pub name: String,
}

fn main() {}
