use cascade_runtime::Model;

#[derive(Model)]
pub struct Node {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Node)]
    pub parent_id: Option<i64>,
    #[relationship(back_populates = "")]
    pub parent: Option<Box<Node>>,
}

fn main() {}
