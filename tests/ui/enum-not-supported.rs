use cascade_runtime::Model;

#[derive(Model)]
pub enum Status {
    Active,
    Archived,
}

fn main() {}
