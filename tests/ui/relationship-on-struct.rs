use cascade_runtime::Model;

#[derive(Model)]
#[relationship(cascade = "all")]
pub struct Parent {
    #[model(primary_key)]
    pub id: i64,
}

fn main() {}
