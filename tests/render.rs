//! Delete plans and the model graph as Mermaid and Graphviz DOT, compared exactly so that any
//! change to the output shows up here.

mod common;

use cascade_runtime::Result;
use common::*;

#[test]
fn a_three_level_plan_as_mermaid_and_dot() -> Result<()> {
    let (_dir, mut session) = file_session();
    session.create_all::<Parent>()?;
    let mut p = family("p", 2, 2);
    session.insert(&mut p)?;
    let plan = session.plan_delete::<Parent>(p.id)?;
    assert_eq!(
        plan.to_mermaid(),
        r#"flowchart TD
    n0["delete parent: 1 row"]
    n1["delete child: 2 rows"]
    n2["delete toy: 4 rows"]
    n0 -->|"child.parent_id"| n1
    n1 -->|"toy.child_id"| n2
"#
    );
    assert_eq!(
        plan.to_dot(),
        r#"digraph delete_plan {
    node [shape=box];
    n0 [label="delete parent: 1 row"];
    n1 [label="delete child: 2 rows"];
    n2 [label="delete toy: 4 rows"];
    n0 -> n1 [label="child.parent_id"];
    n1 -> n2 [label="toy.child_id"];
}
"#
    );
    Ok(())
}

#[test]
fn detached_rows_are_drawn_dotted() -> Result<()> {
    let (_dir, mut session) = file_session();
    session.create_all::<Team>()?;
    let mut team = Team {
        id: 0,
        name: "t".into(),
        members: vec![
            Member {
                id: 0,
                team_id: None,
                name: "a".into(),
            },
            Member {
                id: 0,
                team_id: None,
                name: "b".into(),
            },
        ],
        badges: vec![],
    };
    session.insert(&mut team)?;
    let plan = session.plan_delete::<Team>(team.id)?;
    assert_eq!(
        plan.to_mermaid(),
        r#"flowchart TD
    n0["delete team: 1 row"]
    n1["set null member: 2 rows"]
    n0 -.->|"member.team_id"| n1
"#
    );
    assert_eq!(
        plan.to_dot(),
        r#"digraph delete_plan {
    node [shape=box];
    n0 [label="delete team: 1 row"];
    n1 [label="set null member: 2 rows", style=dashed];
    n0 -> n1 [label="member.team_id", style=dashed];
}
"#
    );
    Ok(())
}

#[test]
fn a_many_to_many_plan() -> Result<()> {
    let (_dir, mut session) = file_session();
    session.create_all::<Post>()?;
    let mut post = Post {
        id: 0,
        title: "hello".into(),
        tags: vec![
            Tag {
                id: 0,
                name: "a".into(),
            },
            Tag {
                id: 0,
                name: "b".into(),
            },
        ],
    };
    session.insert(&mut post)?;
    let plan = session.plan_delete::<Post>(post.id)?;
    assert_eq!(
        plan.to_mermaid(),
        r#"flowchart TD
    n0["delete post: 1 row"]
    n1["delete post_tag: 2 rows"]
    n0 -->|"post_tag.post_id"| n1
"#
    );
    Ok(())
}

#[test]
fn the_model_graph_of_a_three_level_family() -> Result<()> {
    let (_dir, mut session) = file_session();
    let graph = session.model_graph::<Parent>()?;
    assert_eq!(
        graph.to_string(),
        "parent (Parent)
  relationship children -> child: one-to-many via child.parent_id; cascade: save-update, merge, expunge, delete, refresh-expire
child (Child)
  foreign key parent_id -> parent.id ON DELETE NO ACTION, nullable
  relationship toys -> toy: one-to-many via toy.child_id; cascade: save-update, merge, expunge, delete, delete-orphan, refresh-expire
toy (Toy)
  foreign key child_id -> child.id ON DELETE NO ACTION, NOT NULL
"
    );
    assert_eq!(
        graph.to_mermaid(),
        r#"flowchart LR
    t0["parent (Parent)"]
    t1["child (Child)"]
    t2["toy (Toy)"]
    t0 -->|"children: save-update, merge, expunge, delete, refresh-expire"| t1
    t1 -.->|"parent_id ON DELETE NO ACTION"| t0
    t1 -->|"toys: save-update, merge, expunge, delete, delete-orphan, refresh-expire"| t2
    t2 -.->|"child_id ON DELETE NO ACTION"| t1
"#
    );
    assert_eq!(
        graph.to_dot(),
        r#"digraph models {
    rankdir=LR;
    node [shape=box];
    t0 [label="parent (Parent)"];
    t1 [label="child (Child)"];
    t2 [label="toy (Toy)"];
    t0 -> t1 [label="children: save-update, merge, expunge, delete, refresh-expire"];
    t1 -> t0 [label="parent_id ON DELETE NO ACTION", style=dashed];
    t1 -> t2 [label="toys: save-update, merge, expunge, delete, delete-orphan, refresh-expire"];
    t2 -> t1 [label="child_id ON DELETE NO ACTION", style=dashed];
}
"#
    );
    Ok(())
}

#[test]
fn the_model_graph_of_a_many_to_many() -> Result<()> {
    let (_dir, mut session) = file_session();
    let graph = session.model_graph::<Post>()?;
    assert_eq!(
        graph.to_string(),
        "post (Post)
  relationship tags -> tag: many-to-many via post_tag.post_id and post_tag.tag_id; cascade: save-update, merge; secondary post_tag
post_tag (PostTag)
  foreign key post_id -> post.id ON DELETE NO ACTION, NOT NULL
  foreign key tag_id -> tag.id ON DELETE NO ACTION, NOT NULL
tag (Tag)
"
    );
    assert_eq!(
        graph.to_mermaid(),
        r#"flowchart LR
    t0["post (Post)"]
    t1["post_tag (PostTag)"]
    t2["tag (Tag)"]
    t0 -->|"tags: save-update, merge; secondary post_tag"| t2
    t1 -.->|"post_id ON DELETE NO ACTION"| t0
    t1 -.->|"tag_id ON DELETE NO ACTION"| t2
"#
    );
    assert_eq!(
        graph.to_dot(),
        r#"digraph models {
    rankdir=LR;
    node [shape=box];
    t0 [label="post (Post)"];
    t1 [label="post_tag (PostTag)"];
    t2 [label="tag (Tag)"];
    t0 -> t2 [label="tags: save-update, merge; secondary post_tag"];
    t1 -> t0 [label="post_id ON DELETE NO ACTION", style=dashed];
    t1 -> t2 [label="tag_id ON DELETE NO ACTION", style=dashed];
}
"#
    );
    Ok(())
}

#[test]
fn the_model_graph_shows_passive_deletes_and_database_actions() -> Result<()> {
    let (_dir, mut session) = file_session();
    let graph = session.model_graph::<Folder>()?;
    assert_eq!(
        graph.to_string(),
        r#"folder (Folder)
  relationship files -> file: one-to-many via file.folder_id; cascade: save-update, merge, expunge, delete, refresh-expire; passive_deletes = true
  relationship links -> link: one-to-many via link.folder_id; cascade: save-update, merge; passive_deletes = true
  relationship shares -> share: one-to-many via share.folder_id; cascade: save-update; passive_deletes = "all"
share (Share)
  foreign key folder_id -> folder.id ON DELETE NO ACTION, nullable
link (Link)
  foreign key folder_id -> folder.id ON DELETE SET NULL, nullable
file (File)
  foreign key folder_id -> folder.id ON DELETE CASCADE, NOT NULL
"#
    );
    assert_eq!(
        graph.to_mermaid(),
        r#"flowchart LR
    t0["folder (Folder)"]
    t1["share (Share)"]
    t2["link (Link)"]
    t3["file (File)"]
    t0 -->|"files: save-update, merge, expunge, delete, refresh-expire; passive_deletes"| t3
    t0 -->|"links: save-update, merge; passive_deletes"| t2
    t0 -->|"shares: save-update; passive_deletes=all"| t1
    t1 -.->|"folder_id ON DELETE NO ACTION"| t0
    t2 -.->|"folder_id ON DELETE SET NULL"| t0
    t3 -.->|"folder_id ON DELETE CASCADE"| t0
"#
    );
    Ok(())
}

#[test]
fn a_self_referential_model_and_a_many_to_one() -> Result<()> {
    let (_dir, mut session) = file_session();
    let graph = session.model_graph::<Node>()?;
    assert_eq!(
        graph.to_string(),
        "node (Node)
  foreign key parent_id -> node.id ON DELETE NO ACTION, nullable
  relationship children -> node: one-to-many via node.parent_id; cascade: save-update, merge, expunge, delete, refresh-expire
  relationship parent -> node: many-to-one via node.parent_id; cascade: save-update, merge
"
    );
    assert_eq!(
        graph.to_dot(),
        r#"digraph models {
    rankdir=LR;
    node [shape=box];
    t0 [label="node (Node)"];
    t0 -> t0 [label="parent_id ON DELETE NO ACTION", style=dashed];
    t0 -> t0 [label="children: save-update, merge, expunge, delete, refresh-expire"];
    t0 -> t0 [label="parent: save-update, merge"];
}
"#
    );
    Ok(())
}
