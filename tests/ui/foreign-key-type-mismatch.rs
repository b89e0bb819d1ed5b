use cascade_runtime::Model;

#[derive(Model)]
pub struct Country {
    #[model(primary_key)]
    pub code: String,
}

#[derive(Model)]
pub struct City {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Country)]
    pub country_id: i64,
    #[model(foreign_key = Country)]
    pub capital_of: Option<i32>,
}

fn main() {}
