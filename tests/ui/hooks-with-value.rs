use cascade_runtime::Model;

#[derive(Model)]
#[model(hooks = true)]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i64,
}

fn main() {}
