use cascade_runtime::Model;

#[derive(Model)]
pub struct Marker;

fn main() {}
