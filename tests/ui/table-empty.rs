use cascade_runtime::Model;

#[derive(Model)]
#[model(table = "")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
}

fn main() {}
