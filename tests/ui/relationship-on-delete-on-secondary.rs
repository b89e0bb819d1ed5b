use cascade_runtime::Model;

#[derive(Model)]
pub struct Article {
    #[model(primary_key)]
    pub id: i64,
    #[relationship(secondary = ArticleTag, on_delete = "restrict")]
    pub tags: Vec<Tag>,
}

#[derive(Model)]
pub struct Tag {
    #[model(primary_key)]
    pub id: i64,
}

#[derive(Model)]
pub struct ArticleTag {
    #[model(primary_key, foreign_key = Article, on_delete = "cascade")]
    pub article_id: i64,
    #[model(primary_key, foreign_key = Tag, on_delete = "cascade")]
    pub tag_id: i64,
}

fn main() {}
