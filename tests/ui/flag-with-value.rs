use cascade_runtime::Model;

#[derive(Model)]
pub struct Parent {
    #[model(primary_key = true)]
    pub id: i64,
}

fn main() {}
