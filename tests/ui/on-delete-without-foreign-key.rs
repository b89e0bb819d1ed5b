use cascade_runtime::Model;

#[derive(Model)]
pub struct Child {
    #[model(primary_key)]
    pub id: i64,
    #[model(on_delete = "cascade")]
    pub parent_id: Option<i64>,
}

fn main() {}
