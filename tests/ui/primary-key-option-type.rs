use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key)]
    pub id: Option<i64>,
}

fn main() {}
