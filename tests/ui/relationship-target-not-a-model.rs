use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
    #[relationship]
    pub names: Vec<String>,
}

fn main() {}
