//! Batched loading (one query per relationship per level, whatever the rows), `merge` (an
//! upsert along `merge` cascades) and `refresh` (re-reading along `refresh-expire` cascades),
//! on SQLite (file and memory) and PostgreSQL, with the statements counted from the `tracing`
//! events.

mod common;

use cascade_runtime::{Backend, Error, Result, Session};
use common::*;

/// Runs `f` and returns its result with the SQL of every statement it ran.
fn traced_sql<T>(f: impl FnOnce() -> T) -> (T, Vec<String>) {
    let (out, events) = traced(f);
    (out, events.into_iter().map(|e| e.sql).collect())
}

fn queries(sql: &[String]) -> usize {
    sql.iter().filter(|s| s.starts_with("SELECT")).count()
}

/// `n` families inserted with `insert`, keys written back; `get` gives them back bare.
fn families<B: Backend>(s: &mut Session<B>, prefix: &str, n: usize) -> Vec<Parent> {
    (0..n)
        .map(|i| {
            let mut p = family(&format!("{prefix}{i}"), 2, 3);
            s.insert(&mut p).unwrap();
            p
        })
        .collect()
}

fn bare<B: Backend>(s: &mut Session<B>, full: &[Parent]) -> Vec<Parent> {
    full.iter()
        .map(|p| s.get::<Parent>(p.id).unwrap().expect("inserted"))
        .collect()
}

// --- Loading ---------------------------------------------------------------------------------

#[test]
fn loading_three_levels_takes_the_same_queries_for_2_and_50_parents() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        let two = families(s, "two", 2);
        let fifty = families(s, "fifty", 50);
        let mut loaded_two = bare(s, &two);
        let mut loaded_fifty = bare(s, &fifty);

        let (done, small) = traced_sql(|| s.load_depth(&mut loaded_two, 3));
        done.unwrap();
        let (done, large) = traced_sql(|| s.load_depth(&mut loaded_fifty, 3));
        done.unwrap();

        assert_eq!(loaded_two, two, "parents, children and toys, in key order");
        assert_eq!(loaded_fifty, fifty);
        assert_eq!(
            fifty.iter().map(|p| p.children.len() * 3).sum::<usize>(),
            300
        );
        // Parent.children, then Child.toys: one query each (Toy has no relationships).
        assert_eq!(small.len(), 2, "{small:#?}");
        assert_eq!(large.len(), small.len(), "{large:#?}");
        assert!(large.iter().all(|sql| sql.starts_with("SELECT")));

        // One level only: the children come without their toys.
        let mut one = bare(s, &two[..1]);
        let (done, sql) = traced_sql(|| s.load_all(&mut one));
        done.unwrap();
        assert_eq!(sql.len(), 1);
        assert_eq!(one[0].children.len(), 2);
        assert!(one[0].children.iter().all(|c| c.toys.is_empty()));

        // Depth 0 loads nothing; an empty slice runs nothing.
        let mut none = bare(s, &two[..1]);
        let (done, sql) = traced_sql(|| s.load_depth(&mut none, 0));
        done.unwrap();
        assert!(sql.is_empty() && none[0].children.is_empty());
        let (done, sql) = traced_sql(|| s.load_all::<Parent>(&mut []));
        done.unwrap();
        assert!(sql.is_empty());
        Ok(())
    });
}

/// `n` parents with one child and one toy each, inserted set-based; returns them bare, in
/// key order (the order they were inserted in: `{prefix}0`, `{prefix}1`...).
fn seed_flat<B: Backend>(s: &mut Session<B>, prefix: &str, n: i64) -> Vec<Parent>
where
    Session<B>: Db,
{
    s.sql_batch(&format!(
        "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
         INSERT INTO parent (name) SELECT '{prefix}' || i FROM n ORDER BY i;
         INSERT INTO child (parent_id, name) SELECT id, name || '-c' FROM parent
         WHERE name LIKE '{prefix}%' ORDER BY id;
         INSERT INTO toy (child_id, name) SELECT child.id, child.name || '-t' FROM child
         JOIN parent ON parent.id = child.parent_id WHERE parent.name LIKE '{prefix}%'
         ORDER BY child.id;",
        last = n - 1
    ));
    let clause = format!("name LIKE {}", s.p(1));
    let parents = s
        .select_where::<Parent>(&clause, [format!("{prefix}%")])
        .unwrap();
    assert_eq!(parents.len(), n as usize);
    parents
}

#[test]
fn more_keys_than_a_statement_binds_go_through_a_temporary_key_table() {
    on_all!(|s| {
        s.create_all::<Parent>().unwrap();
        let mut a = seed_flat(s, "a", 1_200);
        let mut b = seed_flat(s, "b", 1_900);

        let (done, sql_a) = traced_sql(|| s.load_depth(&mut a, 2));
        done.unwrap();
        let (done, sql_b) = traced_sql(|| s.load_depth(&mut b, 2));
        done.unwrap();

        for (prefix, parents) in [("a", &a), ("b", &b)] {
            for (i, p) in parents.iter().enumerate() {
                assert_eq!(p.children.len(), 1);
                let c = &p.children[0];
                assert_eq!(c.parent_id, Some(p.id));
                assert_eq!(c.name, format!("{prefix}{i}-c"));
                assert_eq!(c.toys.len(), 1);
                assert_eq!(c.toys[0].child_id, c.id);
                assert_eq!(c.toys[0].name, format!("{prefix}{i}-c-t"));
            }
        }
        assert!(sql_a == sql_b, "the very same statements");
        assert_eq!(queries(&sql_a), 2);
        if s.is_postgres() {
            // PostgreSQL binds a level's keys as one array, whatever their number, matched
            // with `= ANY(...)`: the query alone, and no key table.
            assert_eq!(sql_a.len(), 2, "{sql_a:#?}");
            assert_eq!(
                sql_a
                    .iter()
                    .filter(|sql| sql.contains("\"cascade_load_"))
                    .count(),
                0
            );
            assert!(
                sql_a.iter().all(|sql| sql.contains("= ANY($1::")),
                "{sql_a:#?}"
            );
        } else {
            // Per level: create the key table, empty it, two inserts of 999 keys (the last
            // padded), the query, empty it again. The same for 1,200 and 1,900 parents.
            assert_eq!(sql_a.len(), 12);
            assert_eq!(
                sql_a
                    .iter()
                    .filter(|sql| sql.contains("\"cascade_load_"))
                    .count(),
                12
            );
            let left = s.sql_count("SELECT count(*) FROM temp.cascade_load_parent");
            assert_eq!(left, 0, "the key table is emptied");
        }
        Ok(())
    });
}

#[test]
fn many_to_one_loading_gathers_the_distinct_keys() {
    on_all!(|s| {
        s.create_all::<Node>()?;
        let mut roots: Vec<Node> = (0..3)
            .map(|r| Node {
                id: 0,
                parent_id: None,
                label: format!("root{r}"),
                children: (0..4)
                    .map(|k| Node {
                        id: 0,
                        parent_id: None,
                        label: format!("root{r}-kid{k}"),
                        children: Vec::new(),
                        parent: None,
                    })
                    .collect(),
                parent: None,
            })
            .collect();
        for root in &mut roots {
            s.insert(root)?;
        }
        let mut kids: Vec<Node> = roots
            .iter()
            .flat_map(|r| &r.children)
            .map(|k| s.get::<Node>(k.id).map(Option::unwrap))
            .collect::<Result<_>>()?;
        let (done, sql) = traced_sql(|| s.load_all(&mut kids));
        done?;
        // Node.children (empty for kids) and Node.parent: one query each.
        assert_eq!(sql.len(), 2, "{sql:#?}");
        for (i, kid) in kids.iter().enumerate() {
            let parent = kid.parent.as_deref().expect("the parent is loaded");
            assert_eq!(parent.label, format!("root{}", i / 4));
            assert_eq!(Some(parent.id), kid.parent_id);
            assert!(kid.children.is_empty());
        }

        // Two levels over a self-reference, through the key table: 600 roots with a kid each.
        s.sql_batch(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)
             INSERT INTO node (label) SELECT 'big' || i FROM n;
             INSERT INTO node (parent_id, label) SELECT id, label || '-kid' FROM node WHERE label LIKE 'big%';",
        );
        let mut big: Vec<Node> =
            s.select_where::<Node>("label LIKE 'big%' AND parent_id IS NULL", [])?;
        assert_eq!(big.len(), 600);
        s.load_depth(&mut big, 2)?;
        for root in &big {
            assert!(root.parent.is_none());
            let [kid] = root.children.as_slice() else {
                panic!("one kid each: {root:?}")
            };
            assert_eq!(kid.label, format!("{}-kid", root.label));
            // The second level loaded the kid's parent through the same key table.
            let back = kid
                .parent
                .as_deref()
                .expect("level 2 loads the kid's parent");
            assert_eq!(back.id, root.id);
        }
        Ok(())
    });
}

#[test]
fn many_to_many_loading_joins_through_the_association() {
    on_all!(|s| {
        s.create_all::<Post>()?;
        let mut shared = Tag {
            id: 0,
            name: "shared".into(),
        };
        let mut first = Post {
            id: 0,
            title: "first".into(),
            tags: vec![
                Tag {
                    id: 0,
                    name: "a".into(),
                },
                shared.clone(),
            ],
        };
        s.insert(&mut first)?;
        shared.id = first.tags[1].id;
        let mut second = Post {
            id: 0,
            title: "second".into(),
            tags: vec![shared.clone()],
        };
        s.insert(&mut second)?;
        let mut lonely = Post {
            id: 0,
            title: "no tags".into(),
            tags: Vec::new(),
        };
        s.insert(&mut lonely)?;

        let mut posts = vec![
            s.get::<Post>(first.id)?.unwrap(),
            s.get::<Post>(second.id)?.unwrap(),
            s.get::<Post>(lonely.id)?.unwrap(),
        ];
        let (done, sql) = traced_sql(|| s.load_all(&mut posts));
        done?;
        assert_eq!(sql.len(), 1, "{sql:#?}");
        assert_eq!(posts[0].tags, first.tags);
        assert_eq!(posts[1].tags, vec![shared]);
        assert!(posts[2].tags.is_empty());
        Ok(())
    });
}

#[test]
fn loading_fills_one_to_one_and_leaves_unset_keys_empty() {
    on_all!(|s| {
        s.create_all::<User>()?;
        let mut with = User {
            id: 0,
            name: "with".into(),
            profile: Some(Profile {
                id: 0,
                user_id: None,
                bio: "hi".into(),
            }),
        };
        s.insert(&mut with)?;
        let mut without = User {
            id: 0,
            name: "without".into(),
            profile: None,
        };
        s.insert(&mut without)?;
        let mut users = vec![
            s.get::<User>(with.id)?.unwrap(),
            s.get::<User>(without.id)?.unwrap(),
        ];
        users[1].profile = Some(Profile {
            id: 99,
            user_id: None,
            bio: "local only".into(),
        });
        s.load_all(&mut users)?;
        assert_eq!(users[0], with);
        assert_eq!(users[1].profile, None, "a field is replaced as a whole");
        Ok(())
    });
}

// --- merge -----------------------------------------------------------------------------------

#[test]
fn merge_inserts_new_rows_and_writes_their_keys_back() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("new", 2, 2);
        s.merge(&mut p)?;
        assert!(p.id > 0);
        assert!(p
            .children
            .iter()
            .all(|c| c.id > 0 && c.parent_id == Some(p.id)));
        assert!(p.children[1]
            .toys
            .iter()
            .all(|t| t.child_id == p.children[1].id));
        assert_eq!(
            (count(s, "parent"), count(s, "child"), count(s, "toy")),
            (1, 2, 4)
        );
        let mut loaded = s.get::<Parent>(p.id)?.unwrap();
        s.load_depth(std::slice::from_mut(&mut loaded), 2)?;
        assert_eq!(loaded, p);
        Ok(())
    });
}

#[test]
fn merge_updates_existing_rows_and_adds_without_removing() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut stored = family("p", 2, 1);
        s.insert(&mut stored)?;

        // A detached copy: renamed, its first child renamed, its second child left out, a new one.
        let mut copy = stored.clone();
        copy.name = "renamed".into();
        copy.children[0].name = "first, renamed".into();
        copy.children.remove(1);
        copy.children.push(Child {
            id: 0,
            parent_id: None,
            name: "brand new".into(),
            toys: vec![Toy {
                id: 0,
                child_id: 0,
                name: "new toy".into(),
            }],
        });
        s.merge(&mut copy)?;

        assert_eq!(copy.id, stored.id, "an existing key is kept");
        assert_eq!(s.get::<Parent>(stored.id)?.unwrap().name, "renamed");
        assert_eq!(count(s, "parent"), 1);
        assert_eq!(
            count_where(s, "child", "name = 'first, renamed'"),
            1,
            "the existing child is updated"
        );
        assert_eq!(
            count(s, "child"),
            3,
            "the child left out stays: merge only adds"
        );
        assert_eq!(
            count_where(s, "child", &format!("parent_id = {}", stored.id)),
            3
        );
        assert!(
            copy.children[1].id > 0 && copy.children[1].toys[0].child_id == copy.children[1].id
        );
        assert_eq!(count(s, "toy"), 3);
        Ok(())
    });
}

#[test]
fn merge_inserts_a_row_with_an_explicit_key_it_does_not_find() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("explicit", 1, 1);
        p.id = 500;
        p.children[0].id = 70;
        s.merge(&mut p)?;
        assert_eq!(
            count_where(s, "parent", "id = 500 AND name = 'explicit'"),
            1
        );
        assert_eq!(count_where(s, "child", "id = 70 AND parent_id = 500"), 1);
        assert_eq!(p.children[0].toys[0].child_id, 70);

        // Merging it again changes nothing but what differs.
        p.children[0].toys[0].name = "again".into();
        s.merge(&mut p)?;
        assert_eq!(
            (count(s, "parent"), count(s, "child"), count(s, "toy")),
            (1, 1, 1)
        );
        assert_eq!(count_where(s, "toy", "name = 'again'"), 1);
        Ok(())
    });
}

#[test]
fn merge_links_many_to_many_targets_once() {
    on_all!(|s| {
        s.create_all::<Post>()?;
        let mut existing = Tag {
            id: 0,
            name: "existing".into(),
        };
        let mut holder = Post {
            id: 0,
            title: "holder".into(),
            tags: vec![existing.clone()],
        };
        s.insert(&mut holder)?;
        existing.id = holder.tags[0].id;
        existing.name = "existing, renamed".into();

        let mut post = Post {
            id: 0,
            title: "merged".into(),
            tags: vec![
                existing.clone(),
                Tag {
                    id: 0,
                    name: "fresh".into(),
                },
            ],
        };
        s.merge(&mut post)?;
        s.merge(&mut post)?; // links already there: not duplicated
        assert_eq!(count(s, "tag"), 2);
        assert_eq!(count_where(s, "tag", "name = 'existing, renamed'"), 1);
        assert_eq!(count(s, "post_tag"), 3);
        let loaded = s.get_with_related::<Post>(post.id)?.unwrap();
        assert_eq!(loaded.tags, post.tags);
        Ok(())
    });
}

#[test]
fn merge_saves_many_to_one_targets_first() {
    on_all!(|s| {
        s.create_all::<Node>()?;
        let mut kid = Node {
            id: 0,
            parent_id: None,
            label: "kid".into(),
            children: Vec::new(),
            parent: Some(Box::new(Node {
                id: 0,
                parent_id: None,
                label: "parent".into(),
                children: Vec::new(),
                parent: None,
            })),
        };
        s.merge(&mut kid)?;
        let parent = kid.parent.as_deref().unwrap();
        assert!(parent.id > 0);
        assert_eq!(kid.parent_id, Some(parent.id));
        assert_eq!(
            count_where(
                s,
                "node",
                &format!("id = {} AND parent_id = {}", kid.id, parent.id)
            ),
            1
        );
        Ok(())
    });
}

#[test]
fn merge_follows_merge_cascades_only_and_insert_save_update_only() {
    on_all!(|s| {
        s.create_all::<Shelf>()?;
        let shelf = || Shelf {
            id: 0,
            name: "s".into(),
            items: vec![ShelfItem {
                id: 0,
                shelf_id: None,
                name: "item".into(),
                shelf: None,
            }],
            labels: vec![ShelfLabel {
                id: 0,
                shelf_id: None,
                text: "label".into(),
            }],
        };
        let mut merged = shelf();
        s.merge(&mut merged)?;
        assert_eq!(count(s, "shelf_item"), 1, "`merge` in the cascade");
        assert_eq!(count(s, "shelf_label"), 0, "`save-update` only: not merged");
        assert_eq!(merged.items[0].shelf_id, Some(merged.id));
        assert_eq!(merged.labels[0], shelf().labels[0], "untouched");

        let mut inserted = shelf();
        s.insert(&mut inserted)?;
        assert_eq!(count(s, "shelf_item"), 1, "insert does not follow `merge`");
        assert_eq!(count(s, "shelf_label"), 1);

        // The default cascade (`save-update, merge`) is merged; `save-update` alone is not.
        s.create_all::<Team>()?;
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![Member {
                id: 0,
                team_id: None,
                name: "m".into(),
            }],
            badges: vec![Badge { id: 0, team_id: 0 }],
        };
        s.merge(&mut team)?;
        assert_eq!((count(s, "member"), count(s, "badge")), (1, 0));
        Ok(())
    });
}

#[test]
fn a_merge_that_fails_halfway_changes_nothing() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut stored = family("p", 1, 1);
        s.insert(&mut stored)?;
        let before = snapshot(s, &["parent", "child", "toy"]);

        // The parent is updated and a first child inserted before the second child's toy clashes
        // with toy.name UNIQUE.
        let mut copy = stored.clone();
        copy.name = "renamed".into();
        copy.children.extend(family("q", 2, 1).children);
        copy.children[2].toys[0].name = "p-c0-t0".into();
        let err = s.merge(&mut copy).unwrap_err();
        if s.is_postgres() {
            // PostgreSQL's own words: "duplicate key value violates unique constraint
            // "toy_name_key"", SQLSTATE 23505 (unique_violation).
            assert!(
                matches!(&err, Error::Database { source, .. } if source.sqlstate() == Some("23505")),
                "{err:?}"
            );
            assert!(err.to_string().contains("unique constraint"), "{err}");
        } else {
            assert!(err.to_string().contains("UNIQUE"), "{err}");
        }
        assert_eq!(snapshot(s, &["parent", "child", "toy"]), before);
        assert_eq!(s.get::<Parent>(stored.id)?.unwrap().name, "p");
        Ok(())
    });
}

// --- refresh ---------------------------------------------------------------------------------

#[test]
fn refresh_restores_the_row_and_its_refresh_expire_collections() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut stored = family("p", 2, 2);
        s.insert(&mut stored)?;

        let mut local = stored.clone();
        local.name = "changed locally".into();
        local.children[0].name = "changed too".into();
        local.children[1].toys.clear();
        local.children.push(Child {
            id: 0,
            parent_id: None,
            name: "never saved".into(),
            toys: Vec::new(),
        });
        let (done, sql) = traced_sql(|| s.refresh(&mut local));
        done?;
        assert_eq!(local, stored);
        // The row, Parent.children and Child.toys (both `all`, which has refresh-expire).
        assert_eq!(sql.len(), 3, "{sql:#?}");

        // A change made in the database is seen.
        s.sql_batch(&format!(
            "UPDATE toy SET name = 'changed in the database' WHERE id = {}",
            stored.children[1].toys[0].id
        ));
        s.refresh(&mut local)?;
        assert_eq!(local.children[1].toys[0].name, "changed in the database");
        Ok(())
    });
}

#[test]
fn refresh_leaves_relationships_without_refresh_expire_alone() {
    on_all!(|s| {
        s.create_all::<Team>()?;
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![Member {
                id: 0,
                team_id: None,
                name: "m".into(),
            }],
            badges: Vec::new(),
        };
        s.insert(&mut team)?;
        team.name = "local".into();
        team.members[0].name = "local member".into();
        let (done, sql) = traced_sql(|| s.refresh(&mut team));
        done?;
        assert_eq!(sql.len(), 1, "the row only");
        assert_eq!(team.name, "t");
        assert_eq!(team.members[0].name, "local member");
        Ok(())
    });
}

#[test]
fn refresh_ends_on_cycles_of_refresh_expire() {
    on_all!(|s| {
        s.create_all::<Shelf>()?;
        let mut shelf = Shelf {
            id: 0,
            name: "s".into(),
            items: (0..3)
                .map(|i| ShelfItem {
                    id: 0,
                    shelf_id: None,
                    name: format!("item{i}"),
                    shelf: None,
                })
                .collect(),
            labels: Vec::new(),
        };
        s.merge(&mut shelf)?;
        let mut item = s.get::<ShelfItem>(shelf.items[0].id)?.unwrap();
        let (done, sql) = traced_sql(|| s.refresh(&mut item));
        done?;
        // The item, its shelf, the shelf's items, and the other items' shelf — which was
        // expanded already, so its items are not loaded again. The copy of the refreshed item
        // among the shelf's items is not expanded again either.
        assert_eq!(sql.len(), 4, "{sql:#?}");
        let back = item.shelf.as_deref().expect("the shelf is refreshed");
        assert_eq!(back.name, "s");
        let names: Vec<&str> = back.items.iter().map(|i| i.name.as_str()).collect();
        assert_eq!(names, ["item0", "item1", "item2"]);
        assert!(back.items[0].shelf.is_none());
        for sibling in &back.items[1..] {
            let shelf_again = sibling.shelf.as_deref().expect("loaded once more");
            assert_eq!(shelf_again.id, shelf.id);
            assert!(shelf_again.items.is_empty(), "but not expanded again");
        }
        Ok(())
    });
}

#[test]
fn refreshing_a_deleted_or_unsaved_row_fails() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("p", 1, 1);
        s.insert(&mut p)?;
        s.delete(&p)?;
        let err = s.refresh(&mut p).unwrap_err();
        assert!(
            matches!(&err, Error::NotFound { table, key } if table == "parent" && *key == p.id.to_string()),
            "{err:?}"
        );
        assert_eq!(p.name, "p", "left as it was");
        let err = s.refresh(&mut family("unsaved", 0, 0)).unwrap_err();
        assert!(
            matches!(&err, Error::MissingKey { table } if table == "parent"),
            "{err:?}"
        );
        Ok(())
    });
}
