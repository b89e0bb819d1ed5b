use cascade_runtime::Model;

#[derive(Model)]
pub struct Note {
    #[model(primary_key)]
    pub id: i64,
    #[model(references = "email")]
    pub member_email: String,
}

fn main() {}
