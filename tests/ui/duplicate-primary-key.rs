use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    #[model(primary_key, column = "parent_id")]
    pub id: i64,
}

fn main() {}
