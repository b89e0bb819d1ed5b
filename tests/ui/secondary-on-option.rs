use cascade_runtime::Model;

#[derive(Model)]
pub struct Post {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(secondary = PostTag)]
    pub tag: Option<Tag>,
}

#[derive(Model)]
pub struct Tag {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model)]
pub struct PostTag {
    #[model(primary_key, foreign_key = Post)]
    pub post_id: i64,
    #[model(primary_key, foreign_key = Tag)]
    pub tag_id: i64,
}

fn main() {}
