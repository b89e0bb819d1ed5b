use cascade_runtime::Model;

#[derive(Model)]
#[model(crate = "cascade runtime")]
pub struct Note {
    #[model(primary_key)]
    pub id: i64,
}

fn main() {}
