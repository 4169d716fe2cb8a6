//! The hot per-person queries, as the store runs them, and their query
//! plans: a test asks each engine to explain them and refuses a full table
//! scan, so every per-person read stays O(log n) in the size of the
//! database (docs/performance.md).

use crate::contacts::{entries_follow_ups_sql, entries_people_sql, owned_follow_ups_sql, timeline_sql, ContactVisibility};
use crate::people::{contacts_for_sql, list_people_sql, person_sql, search_people_sql, PersonFilter};
use crate::{homes, needs, Backend, Result, Store};
use hearth_domain::access::Compartment;
use sqlx::{Executor, Row};

/// A bound value for a planned query.
#[derive(Debug, Clone)]
pub enum Param {
    Int(i64),
    Text(String),
}

/// One hot query: its name, its SQL exactly as the store runs it, and sample values.
#[derive(Debug, Clone)]
pub struct HotQuery {
    pub name: &'static str,
    pub sql: String,
    pub params: Vec<Param>,
}

fn q(name: &'static str, sql: impl Into<String>, params: Vec<Param>) -> HotQuery {
    HotQuery { name, sql: sql.into(), params }
}

/// The queries behind a person's page and API reads, and the customer search.
pub fn hot_queries() -> Vec<HotQuery> {
    use Param::{Int, Text};
    // A housing officer's view of the contact log: general entries, and case
    // compartments where the case is theirs or their team's.
    let officer = ContactVisibility { all: vec![Compartment::ContactLog], assigned: vec![Compartment::Asb, Compartment::Safeguarding] };
    let timeline = timeline_sql(&officer);
    let timeline_params = |cursor: i64| vec![Int(1), Int(26), Int(1), Int(cursor), Text(String::new()), Text(String::new())];
    let by_name = PersonFilter { name_tokens: vec!["fakeham".into()], ..Default::default() };
    let by_postcode = PersonFilter { postcode: Some("ZZ99 1AB".into()), ..Default::default() };
    let search = |f: &PersonFilter| {
        let (sql, binds) = list_people_sql(f);
        let mut params = vec![Int(0), Int(26)];
        params.extend(binds.into_iter().map(Text));
        (sql, params)
    };
    let (name_sql, name_params) = search(&by_name);
    let (postcode_sql, postcode_params) = search(&by_postcode);
    // The ranked search (the search page's and the API's): names by folded
    // prefix or sound, phone numbers and email addresses by their keys.
    let ranked = |name: &'static str, f: PersonFilter| {
        let (sql, binds) = search_people_sql(&f);
        let mut params = vec![Int(0), Int(26)];
        params.extend(binds.into_iter().map(Text));
        q(name, sql, params)
    };
    let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        q("person by id", person_sql(), vec![Int(1)]),
        q("person's contact points", contacts_for_sql(), vec![Int(1)]),
        q("person's contact timeline, first page", timeline.clone(), timeline_params(0)),
        q("person's contact timeline, next page", timeline, timeline_params(5)),
        q("timeline page's people", entries_people_sql(3), vec![Int(1), Int(2), Int(3)]),
        q("timeline page's follow-ups", entries_follow_ups_sql(3), vec![Int(1), Int(2), Int(3)]),
        q("a colleague's open follow-ups", owned_follow_ups_sql(&officer), vec![Int(1), Int(200)]),
        q("person's households", homes::HOUSEHOLDS_OF, vec![Int(1)]),
        q("household's members", homes::members_of_sql(), vec![Int(1)]),
        q("household's tenancies", homes::tenancies_of_household_sql(), vec![Int(1)]),
        q("person's needs", needs::needs_of_sql(), vec![Int(1)]),
        q("person's warning flags", needs::flags_of_sql(), vec![Int(1), Int(1)]),
        q("patch officer check", needs::IS_PATCH_OFFICER, vec![Int(1), Int(1)]),
        q("search by name", name_sql, name_params),
        q("search by postcode", postcode_sql, postcode_params),
        ranked("ranked search by a name, close spellings too", PersonFilter { name_tokens: words(&["invently"]), ..Default::default() }),
        ranked("ranked search by full name", PersonFilter { name_tokens: words(&["sian", "inventley"]), ..Default::default() }),
        ranked("ranked search by phone number", PersonFilter { phone: Some("+44 7700 900123".into()), ..Default::default() }),
        ranked("ranked search by email address", PersonFilter { email: Some("ada@example.org".into()), ..Default::default() }),
        ranked("ranked search by postcode", PersonFilter { postcode: Some("ZZ99 1AB".into()), ..Default::default() }),
        ranked("ranked search by tenancy reference", PersonFilter { tenancy_reference: Some("TEN-000123".into()), ..Default::default() }),
        ranked("ranked search by date of birth", PersonFilter { date_of_birth: Some(jiff::civil::date(1984, 3, 2)), ..Default::default() }),
        q(
            "people a member of staff opened lately",
            crate::audit::RECENTLY_OPENED,
            vec![Int(1), Text(crate::audit::OPENED_DETAIL.into()), Int(200)],
        ),
    ]
}

impl Store {
    /// A PostgreSQL setting as the store's own connections have it (for the
    /// tests that check what `connect` sets); `None` on SQLite.
    pub async fn pg_setting(&self, name: &str) -> Result<Option<String>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let row = sqlx::query("SELECT current_setting($1) AS v").bind(name).fetch_one(&self.pool).await?;
        Ok(Some(row.try_get("v")?))
    }

    /// The engine's plan for `query`, one line per step. On PostgreSQL
    /// sequential scans are priced out (`enable_seqscan = off`), so the plan
    /// shows whether an index *can* serve the query whatever the table sizes.
    pub async fn plan(&self, query: &HotQuery) -> Result<Vec<String>> {
        let mut tx = self.pool.begin().await?;
        let prefix = match self.backend {
            Backend::Sqlite => "EXPLAIN QUERY PLAN ",
            Backend::Postgres => {
                (&mut *tx).execute("SET LOCAL enable_seqscan = off").await?;
                "EXPLAIN "
            }
        };
        let sql = format!("{prefix}{}", query.sql);
        let mut qq = sqlx::query(&sql);
        for p in &query.params {
            qq = match p {
                Param::Int(i) => qq.bind(*i),
                Param::Text(t) => qq.bind(t.clone()),
            };
        }
        let rows = qq.fetch_all(&mut *tx).await?;
        let column = match self.backend {
            Backend::Sqlite => "detail",
            Backend::Postgres => "QUERY PLAN",
        };
        let lines = rows.iter().map(|r| r.try_get::<String, _>(column)).collect::<Result<Vec<_>, _>>()?;
        tx.rollback().await?;
        Ok(lines)
    }
}

/// The steps of a plan that read a whole table (or a whole index in order).
pub fn full_scans(backend: Backend, plan: &[String]) -> Vec<String> {
    plan.iter()
        .filter(|l| match backend {
            // SQLite: "SCAN t" / "SCAN t USING INDEX i" walk everything;
            // "SEARCH t USING INDEX i (c=?)" is a lookup.
            Backend::Sqlite => l.trim_start().starts_with("SCAN ") && !l.contains("CONSTANT ROW"),
            Backend::Postgres => l.contains("Seq Scan"),
        })
        .cloned()
        .collect()
}
