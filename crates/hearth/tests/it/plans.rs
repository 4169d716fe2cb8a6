//! Every hot per-person query (hearth_store::plans) is served by an index on
//! both engines: no step of its plan reads a whole table, so its cost grows
//! as O(log n) with the database, not O(n). SQLite is asked with EXPLAIN
//! QUERY PLAN; PostgreSQL with EXPLAIN and sequential scans priced out, so
//! the check is that an index *can* serve the query at any table size. The
//! customer search's paths (names folded and by sound, phone numbers and
//! email addresses by their keys) and the home page's recently viewed
//! people must each name the index built for them.

use hearth_store::plans::{full_scans, hot_queries};
use hearth_store::{Backend, Store};
use hearth_testkit::both_backends;

async fn no_full_scans(url: &str) {
    let store = Store::open(url).await.unwrap();
    let mut wrong = vec![];
    for q in hot_queries() {
        let plan = store.plan(&q).await.unwrap_or_else(|e| panic!("explaining {}: {e}", q.name));
        assert!(!plan.is_empty(), "{}: empty plan", q.name);
        let scans = full_scans(store.backend(), &plan);
        if !scans.is_empty() {
            wrong.push(format!("{}: {scans:?}\n  plan: {plan:#?}", q.name));
        }
    }
    // The search's own keys are what serve it: named, so that a plan that
    // happens to avoid a scan some other way does not pass for them.
    let wants = [
        ("ranked search by a name, close spellings too", &["person_family_key", "person_given_sound", "person_family_sound"][..]),
        ("ranked search by phone number", &["contact_point_value_key"][..]),
        ("ranked search by email address", &["contact_point_value_key"][..]),
        ("people a member of staff opened lately", &["audit_event_actor"][..]),
    ];
    for (name, indexes) in wants {
        let q = hot_queries().into_iter().find(|q| q.name == name).unwrap_or_else(|| panic!("no hot query {name}"));
        let plan = store.plan(&q).await.unwrap().join("\n");
        for index in indexes {
            if !plan.contains(index) {
                wrong.push(format!("{name}: does not use {index}\n  plan: {plan}"));
            }
        }
    }
    store.close().await;
    assert!(wrong.is_empty(), "{} hot queries scan a whole table or miss their index:\n{}", wrong.len(), wrong.join("\n"));
}

both_backends!(backend: hot_queries_use_indexes);

async fn hot_queries_use_indexes(backend: hearth_testkit::Backend) {
    let db = hearth_testkit::database(backend).await;
    no_full_scans(&db.url).await;
    if backend == hearth_testkit::Backend::Postgres {
        // Compiling a plan with JIT costs far more than these lookups take.
        let store = Store::open(&db.url).await.unwrap();
        for _ in 0..3 {
            assert_eq!(store.pg_setting("jit").await.unwrap().as_deref(), Some("off"), "every pooled connection has JIT off");
        }
        store.close().await;
    }
}

#[test]
fn the_scan_detector_tells_scans_from_searches() {
    let sqlite = ["SEARCH person USING INTEGER PRIMARY KEY (rowid=?)".to_string(), "SCAN staff_user".to_string()];
    assert_eq!(full_scans(Backend::Sqlite, &sqlite), ["SCAN staff_user"]);
    let pg = ["Index Scan using person_pkey on person".to_string(), "  ->  Seq Scan on staff_user".to_string()];
    assert_eq!(full_scans(Backend::Postgres, &pg).len(), 1);
}
