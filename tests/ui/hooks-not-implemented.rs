use cascade_runtime::Model;

#[derive(Model)]
#[model(table = "invoices", hooks)]
pub struct Invoice {
    #[model(primary_key)]
    pub id: i64,
    pub paid: bool,
}

fn main() {}
