use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[model(column = "name")]
    pub display_name: String,
}

fn main() {}
