mod common;

use common::*;

#[test]
fn smoke() {
    let Some((_schema, mut s)) = common::pg::pg_session() else {
        return;
    };
    s.create_all::<Parent>().unwrap();
    let mut p = family("a", 3, 2);
    s.insert(&mut p).unwrap();
    assert_eq!(s.count::<Toy>().unwrap(), 6);
    let plan = s.plan_delete::<Parent>(p.id).unwrap();
    println!("{plan}");
    let report = s.delete(&p).unwrap();
    println!("{report} round trips {}", report.round_trips());
    assert_eq!(report.count("toy"), 6);
    assert_eq!(s.count::<Toy>().unwrap(), 0);
}
