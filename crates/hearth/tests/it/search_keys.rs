//! The search keys of rows written before the store kept them (an older
//! database, migrated) are filled in by `Store::migrate`: names folded and
//! given their sound, phone numbers and email addresses keyed, so the
//! search finds them as it finds new ones. A skeleton gets none. On both
//! engines.

use hearth_domain::people::{ContactPointInput, PersonFilter, PersonInput};
use hearth_store::Store;
use hearth_testkit::both_backends;
use sqlx::{Connection, Row};

both_backends!(backend: search_keys_of_older_rows_are_filled_in_by_migrate);

async fn search_keys_of_older_rows_are_filled_in_by_migrate(backend: hearth_testkit::Backend) {
    let db = hearth_testkit::database(backend).await;
    let store = Store::open(&db.url).await.unwrap();
    let today = jiff::civil::date(2026, 12, 1);
    let fields = PersonInput { given_name: Some("Siân".into()), family_name: Some("Inventley".into()), ..Default::default() }
        .validate(today)
        .unwrap();
    let phone =
        ContactPointInput { kind: Some("phone".into()), value: Some("+44 7700 900471".into()), ..Default::default() }.validate().unwrap();
    let mut tx = store.begin().await.unwrap();
    let p = hearth_store::people::insert_person(&mut tx, &fields, jiff::Timestamp::now()).await.unwrap();
    hearth_store::people::insert_contact(&mut tx, p.id, &phone, jiff::Timestamp::now()).await.unwrap();
    tx.commit().await.unwrap();

    // As a database from before the keys: unfolded names, no sounds, no value keys.
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
    sqlx::query("UPDATE person SET given_key = 'siân', given_sound = NULL, family_sound = NULL").execute(&mut conn).await.unwrap();
    sqlx::query("UPDATE contact_point SET value_key = NULL").execute(&mut conn).await.unwrap();
    let search = |f: PersonFilter| {
        let store = &store;
        async move {
            let mut tx = store.begin().await.unwrap();
            let (found, _) = hearth_store::people::search_people(&mut tx, &f, 0, 10).await.unwrap();
            found.into_iter().map(|f| f.person.id).collect::<Vec<_>>()
        }
    };
    let by_name = || PersonFilter { name_tokens: vec!["sian".into(), "invently".into()], ..Default::default() };
    let by_phone = || PersonFilter { phone: Some("07700 900471".into()), ..Default::default() };
    assert!(search(by_name()).await.is_empty() && search(by_phone()).await.is_empty(), "not found before");

    store.migrate().await.unwrap();
    let row =
        sqlx::query("SELECT given_key, given_sound, family_sound FROM person WHERE id = $1").bind(p.id).fetch_one(&mut conn).await.unwrap();
    let keys: (String, String, String) = (row.get("given_key"), row.get("given_sound"), row.get("family_sound"));
    assert_eq!(keys, ("sian".into(), "S500".into(), "I515".into()));
    assert_eq!(search(by_name()).await, [p.id]);
    assert_eq!(search(by_phone()).await, [p.id]);
    conn.close().await.unwrap();
    store.close().await;
}
