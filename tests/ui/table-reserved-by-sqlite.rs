use cascade_runtime::Model;

#[derive(Model)]
#[model(table = "SQLite_stats")]
pub struct Stats {
    #[model(primary_key)]
    pub id: i64,
}

fn main() {}
