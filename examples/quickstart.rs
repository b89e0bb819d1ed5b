//! The quickstart: a blog whose authors own posts, posts own comments, and posts are tagged.
//! Deleting an author removes their posts, the posts' comments and tag links, children before
//! parents, in one transaction, and prints the dry-run plan and the report.
//!
//! Run with `cargo run --example quickstart`. Set `RUST_LOG=cascade_runtime=debug` to see every
//! statement the cascade runs.

use cascade_runtime::{Model, Session};

/// An author owns posts: deleting the author deletes them, and a post removed from
/// `posts` is deleted on update (`delete-orphan`).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "author")]
pub struct Author {
    #[model(primary_key)]
    pub id: i64,
    pub name: String,
    #[relationship(cascade = "all, delete-orphan", back_populates = "author")]
    pub posts: Vec<Post>,
}

/// A post: its comments go with it; its tags stay, only the links go.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "post")]
pub struct Post {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Author)]
    pub author_id: Option<i64>,
    pub title: String,
    #[relationship(cascade = "all, delete")]
    pub comments: Vec<Comment>,
    #[relationship(secondary = PostTag)]
    pub tags: Vec<Tag>,
    #[relationship(back_populates = "posts")]
    pub author: Option<Box<Author>>,
}

/// A comment; the database would also cascade it (`ON DELETE CASCADE`).
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "comment")]
pub struct Comment {
    #[model(primary_key)]
    pub id: i64,
    #[model(foreign_key = Post, on_delete = "cascade")]
    pub post_id: Option<i64>,
    pub body: String,
}

/// A tag, shared between posts.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "tag")]
pub struct Tag {
    #[model(primary_key)]
    pub id: i64,
    #[model(unique)]
    pub name: String,
}

/// The association between posts and tags.
#[derive(Model, Debug, Clone, PartialEq)]
#[model(table = "post_tag")]
pub struct PostTag {
    #[model(primary_key, foreign_key = Post)]
    pub post_id: i64,
    #[model(primary_key, foreign_key = Tag)]
    pub tag_id: i64,
}

fn post(title: &str, comments: usize, tags: &[&Tag]) -> Post {
    Post {
        id: 0,
        author_id: None,
        title: title.into(),
        comments: (0..comments)
            .map(|i| Comment {
                id: 0,
                post_id: None,
                body: format!("comment {i} on {title}"),
            })
            .collect(),
        tags: tags.iter().map(|t| (*t).clone()).collect(),
        author: None,
    }
}

fn count(session: &Session, table: &str) -> cascade_runtime::Result<i64> {
    let sql = format!("SELECT count(*) FROM \"{table}\"");
    Ok(session.connection().query_row(&sql, [], |r| r.get(0))?)
}

fn main() -> cascade_runtime::Result<()> {
    if std::env::var_os("RUST_LOG").is_some() {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .init();
    }

    let mut session = Session::open_in_memory()?;
    session.create_all::<Author>()?;

    let mut rust = Tag {
        id: 0,
        name: "rust".into(),
    };
    let mut sql = Tag {
        id: 0,
        name: "sql".into(),
    };
    session.insert(&mut rust)?;
    session.insert(&mut sql)?;

    let mut ada = Author {
        id: 0,
        name: "Ada".into(),
        posts: vec![
            post("Cascades", 3, &[&rust, &sql]),
            post("Set-based deletes", 2, &[&sql]),
        ],
    };
    session.insert(&mut ada)?; // save-update cascade: posts, comments and tag links
    let mut bob = Author {
        id: 0,
        name: "Bob".into(),
        posts: vec![post("Hello", 1, &[&rust])],
    };
    session.insert(&mut bob)?;
    println!(
        "inserted author {} with post ids {:?}",
        ada.id,
        ada.posts.iter().map(|p| p.id).collect::<Vec<_>>()
    );

    // A dry run: counts per table, nothing changes.
    let plan = session.plan_delete::<Author>(ada.id)?;
    println!("\nplan for deleting author {}:\n{plan}", ada.id);

    // The real cascade, through the typed repository the derive generated.
    let report = session.repo::<Author>().delete_by_pk(ada.id)?;
    println!("report:\n{report}");

    for table in ["author", "post", "comment", "post_tag", "tag"] {
        println!("{table:>9}: {} row(s) left", count(&session, table)?);
    }
    assert_eq!(report.count("comment"), 5);
    assert_eq!(
        count(&session, "tag")?,
        2,
        "tags are shared: only their links go"
    );

    // A bulk delete that cascades too.
    let report = session.delete_where::<Author>("name LIKE ?1", ["B%"])?;
    println!(
        "\ndelete_where name LIKE 'B%': {} row(s) in {} statements",
        report.total(),
        report.statements()
    );
    Ok(())
}
