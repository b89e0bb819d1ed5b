use std::time::SystemTime;

use cascade_runtime::Model;

#[derive(Model)]
pub struct Event {
    #[model(primary_key)]
    pub id: i64,
    pub at: SystemTime,
}

fn main() {}
