use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[model(column = "ID")]
    pub external_id: String,
}

fn main() {}
