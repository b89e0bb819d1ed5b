use cascade_runtime::Model;

#[derive(Model)]
pub struct Wrapper<'a, T> {
    #[model(primary_key)]
    pub id: i64,
    pub name: &'a str,
    pub value: T,
}

fn main() {}
