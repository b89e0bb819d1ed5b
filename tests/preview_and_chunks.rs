//! Previews that scale (set-based counts, first keys, executed later or refused when stale)
//! and huge deletes in bounded chunks.

mod common;

use cascade_runtime::{ChunkProgress, Error, Key};
use common::*;
use std::ops::ControlFlow;

#[test]
fn a_plan_lists_the_first_keys_per_table_and_renders_them_on_request() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("p", 3, 4);
        s.insert(&mut p)?;
        s.set_preview_keys(2);
        let plan = s.plan_delete::<Parent>(p.id)?;
        let children: Vec<Key> = p.children.iter().take(2).map(|c| Key::from(c.id)).collect();
        assert_eq!(plan.first_keys("child"), children.as_slice());
        assert_eq!(plan.first_keys("toy").len(), 2);
        assert!(plan.first_keys("nothing").is_empty());
        let plain = plan.to_string();
        let detailed = format!("{plan:#}");
        assert!(!plain.contains('['), "{plain}");
        let line = format!(
            "delete child: 3 rows (via child.parent_id) [{}, {}, ...]",
            p.children[0].id, p.children[1].id
        );
        assert!(detailed.contains(&line), "{detailed}");
        s.set_preview_keys(0);
        assert!(s
            .plan_delete::<Parent>(p.id)?
            .first_keys("child")
            .is_empty());
        Ok(())
    });
}

#[test]
fn a_plan_executed_later_runs_when_nothing_changed() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("p", 2, 2);
        s.insert(&mut p)?;
        let plan = s.plan_delete::<Parent>(p.id)?;
        assert_eq!(count(s, "toy"), 4, "planning changed nothing");
        let report = s.execute_plan(&plan)?;
        assert_eq!(report.total(), plan.total());
        assert_eq!(count(s, "parent"), 0);
        Ok(())
    });
}

#[test]
fn a_stale_plan_is_refused_and_nothing_changes() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        let mut p = family("p", 2, 2);
        s.insert(&mut p)?;
        let plan = s.plan_delete::<Parent>(p.id)?;
        // Someone adds a toy in between.
        s.sql_batch(&format!(
            "INSERT INTO toy (child_id, name) VALUES ({}, 'late')",
            p.children[0].id
        ));
        let err = s.execute_plan(&plan).unwrap_err();
        match &err {
            Error::PlanChanged {
                table,
                planned,
                now,
            } => {
                assert_eq!((table.as_str(), *planned, *now), ("toy", 4, 5));
            }
            other => panic!("expected PlanChanged, got {other:?}"),
        }
        assert!(err.to_string().contains("stale"), "{err}");
        assert_eq!((count(s, "parent"), count(s, "toy")), (1, 5));
        // Planned again, it runs.
        let plan = s.plan_delete::<Parent>(p.id)?;
        assert_eq!(s.execute_plan(&plan)?.count("toy"), 5);
        Ok(())
    });
}

#[test]
fn a_stale_plan_is_refused_when_detached_rows_changed() {
    on_all!(|s| {
        s.create_all::<Team>()?;
        let mut team = Team {
            id: 0,
            name: "t".into(),
            members: vec![],
            badges: vec![],
        };
        s.insert(&mut team)?;
        let plan = s.plan_delete_where::<Team>(&format!("name = {}", s.p(1)), ["t"])?;
        assert_eq!(plan.nulled("member"), 0);
        s.insert(&mut Member {
            id: 0,
            team_id: Some(team.id),
            name: "new".into(),
        })?;
        assert!(matches!(
            s.execute_plan(&plan),
            Err(Error::PlanChanged { .. })
        ));
        assert_eq!(count(s, "team"), 1);
        Ok(())
    });
}

#[test]
fn a_huge_delete_runs_in_bounded_chunks_with_progress() {
    on_all!(|s| {
        s.create_all::<Parent>()?;
        for i in 0..25 {
            s.insert(&mut family(&format!("bulk{i:02}"), 2, 1))?;
        }
        s.insert(&mut family("keep", 1, 1))?;
        let mut seen: Vec<ChunkProgress> = Vec::new();
        let report = s.delete_where_in_chunks::<Parent>(
            &format!("name LIKE {}", s.p(1)),
            ["bulk%"],
            10,
            |p| {
                seen.push(p.clone());
                ControlFlow::Continue(())
            },
        )?;
        assert_eq!(report.count("parent"), 25);
        assert_eq!(report.total(), 25 * 5);
        assert_eq!(seen.len(), 3, "10 + 10 + 5 roots");
        assert_eq!(
            seen.iter().map(|p| p.roots_deleted).collect::<Vec<_>>(),
            [10, 20, 25]
        );
        assert!(seen.iter().all(|p| p.roots_total == 25));
        assert_eq!(seen.last().unwrap().rows_deleted, 125);
        assert_eq!((count(s, "parent"), count(s, "toy")), (1, 1));
        Ok(())
    });
}

#[test]
fn a_failing_chunk_rolls_back_alone_and_stops() {
    on_all!(|s| {
        s.create_all::<Team>()?;
        for i in 0..6 {
            let mut team = Team {
                id: 0,
                name: format!("t{i}"),
                members: vec![],
                badges: vec![],
            };
            s.insert(&mut team)?;
            if i == 4 {
                // Blocks its team.
                s.insert(&mut Badge {
                    id: 0,
                    team_id: team.id,
                })?;
            }
        }
        let mut chunks = 0;
        let err = s
            .delete_where_in_chunks::<Team>("1 = 1", (), 2, |_| {
                chunks += 1;
                ControlFlow::Continue(())
            })
            .unwrap_err();
        assert!(matches!(err, Error::Blocked { .. }), "{err:?}");
        assert_eq!(chunks, 2, "two chunks committed before the blocked one");
        assert_eq!(count(s, "team"), 2);
        Ok(())
    });
}

#[test]
fn chunk_progress_counts_roots_not_their_subtrees() {
    on_all!(|s| {
        s.create_all::<Node>()?;
        for r in 0..3 {
            let mut root = Node {
                id: 0,
                parent_id: None,
                label: format!("root{r}"),
                children: (0..2)
                    .map(|c| Node {
                        id: 0,
                        parent_id: None,
                        label: format!("r{r}c{c}"),
                        children: vec![],
                        parent: None,
                    })
                    .collect(),
                parent: None,
            };
            s.insert(&mut root)?;
        }
        let mut seen = Vec::new();
        let report = s.delete_where_in_chunks::<Node>("label LIKE 'root%'", (), 1, |p| {
            seen.push((p.chunks, p.roots_deleted, p.roots_total, p.rows_deleted));
            ControlFlow::Continue(())
        })?;
        assert_eq!(seen, [(1, 1, 3, 3), (2, 2, 3, 6), (3, 3, 3, 9)]);
        assert_eq!((report.roots(), report.count("node")), (3, 9));
        Ok(())
    });
}

/// Rows that several deleted rows lead to — the blob two attachments share (many-to-one
/// `delete`), the genre two books share (many-to-many with `delete`) — count once in a plan,
/// as in the report. Found by the differential suite on PostgreSQL (`orm_only`, an
/// `execute_plan` of two attachments of one blob), whose plans counted the blob twice.
#[test]
fn a_plan_counts_a_row_reached_twice_once() {
    on_all!(|s| {
        s.create_all::<Attachment>()?;
        s.create_all::<Book>()?;
        s.sql_batch(
            "INSERT INTO blob (id, data) VALUES (1, ''), (2, '');
             INSERT INTO attachment (id, blob_id) VALUES (1, 1), (2, 1), (3, 2);
             INSERT INTO genre (id, name) VALUES (1, 'g'), (2, 'h');
             INSERT INTO book (id) VALUES (1), (2), (3);
             INSERT INTO book_genre (book_id, genre_id) VALUES (1, 1), (2, 1), (3, 2);",
        );
        let plan = s.plan_delete_where::<Attachment>("id <= 2", ())?;
        assert_eq!((plan.count("attachment"), plan.count("blob")), (2, 1));
        let report = s.execute_plan(&plan)?;
        assert_eq!((report.count("attachment"), report.count("blob")), (2, 1));
        let plan = s.plan_delete_where::<Book>("id <= 2", ())?;
        assert_eq!(
            (
                plan.count("book"),
                plan.count("book_genre"),
                plan.count("genre")
            ),
            (2, 2, 1)
        );
        let report = s.execute_plan(&plan)?;
        assert_eq!((report.count("book_genre"), report.count("genre")), (2, 1));
        Ok(())
    });
}
