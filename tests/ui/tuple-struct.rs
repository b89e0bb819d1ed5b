use cascade_runtime::Model;

#[derive(Model)]
pub struct Point(#[model(primary_key)] i64, f64);

fn main() {}
