//! "Your work": what the signed-in person has to do, due and overdue
//! first: their open follow-ups, the open cases assigned to them, the
//! reviews they carry out and the rights requests they answer. Each part is
//! read through the operation that owns it (decided and audited there), and
//! a part the caller's role may not use at all is left out (`None`) rather
//! than asked for and refused, so a home page never shows a refusal.

use crate::policy::{AccessRequest, Relation};
use crate::rights::RightsRequestView;
use crate::{Actor, Gate, Result};
use hearth_domain::access::{Action, Compartment};
use hearth_domain::cases::{Case, CaseFilter, CaseKind};
use hearth_domain::contacts::MyFollowUp;
use hearth_domain::needs::ReviewItem;
use hearth_store::rights::RequestFilter;
use jiff::civil::Date;
use serde::Serialize;

/// How many open cases the work list shows.
const CASES_SHOWN: i64 = 100;

/// An open case on the assignee's work list with the day it is due by the
/// gate's rule (a complaint's response deadline, or the case's due date).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkCase {
    pub case: Case,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub due_on: Option<Date>,
    pub overdue: bool,
}

impl hearth_domain::classes::Project for WorkCase {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        self.case.project(permitted);
    }
}

/// The caller's work. A part is `None` when their role has no use of it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MyWork {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub today: Date,
    /// Their open follow-ups, soonest due first.
    pub follow_ups: Vec<MyFollowUp>,
    /// Open cases assigned to them, soonest deadline first (none set last).
    pub cases: Option<Vec<WorkCase>>,
    /// Needs and warning flags they review, due soon or overdue.
    pub reviews: Option<Vec<ReviewItem>>,
    /// Open rights requests by deadline.
    pub rights_requests: Option<Vec<RightsRequestView>>,
}

/// How many people "recently viewed" lists.
pub const RECENTLY_VIEWED: usize = 5;

/// A person the caller opened lately, by the name the gate lets them see.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RecentPerson {
    pub id: hearth_domain::Id,
    pub name: String,
}

impl Gate {
    /// The people the caller opened most recently (their person pages, as
    /// the audit trail records them), newest first, at most
    /// [`RECENTLY_VIEWED`]: each name is decided and audited as a read of
    /// that person ([`Gate::person_names`]), and one the caller may no
    /// longer read (or reduced by retention) is left out.
    pub async fn recently_viewed(&self, actor: &Actor) -> Result<Vec<RecentPerson>> {
        let ids = {
            let mut tx = self.store.begin_read().await?;
            hearth_store::audit::recently_opened(&mut tx, actor.user_id, RECENTLY_VIEWED).await?
        };
        let names = self.person_names(actor, &ids).await?;
        Ok(ids.into_iter().filter_map(|id| names.get(&id).map(|name| RecentPerson { id, name: name.clone() })).collect())
    }

    /// Whether the caller reviews needs or warning flags (asked as
    /// [`Gate::reviews_due`] asks: as the records' reviewer).
    pub fn may_review(&self, actor: &Actor) -> bool {
        [Compartment::Needs, Compartment::WarningFlags].into_iter().any(|compartment| {
            self.policy
                .decide(&AccessRequest {
                    actor,
                    action: Action::List,
                    compartment,
                    record_type: "review",
                    record_key: "review/*".into(),
                    relation: Relation { assigned: true, ..Default::default() },
                })
                .allowed
        })
    }

    /// Whether the caller may list any kind of case assigned to them.
    pub fn may_list_cases(&self, actor: &Actor) -> bool {
        CaseKind::ALL.iter().any(|k| self.may_when_related(actor, Action::List, k.compartment()))
    }

    /// The caller's work list ("Your work" and `GET /api/v1/me/work`).
    pub async fn my_work(&self, actor: &Actor) -> Result<MyWork> {
        let today = Gate::today();
        let follow_ups = self.my_follow_ups(actor).await?;
        let cases = if self.may_list_cases(actor) {
            let filter = CaseFilter { assigned_to: Some(actor.user_id), open_only: true, ..Default::default() };
            let page = self.list_cases(actor, &filter, None, Some(CASES_SHOWN)).await?;
            let mut cases: Vec<WorkCase> = page
                .items
                .into_iter()
                .map(|c| {
                    let due_on = self.complaint_deadlines(&c).map(|d| d.respond_by).or(c.due_date);
                    let overdue = self.overdue(&c, today);
                    WorkCase { case: c, due_on, overdue }
                })
                .collect();
            // Overdue first, then by the day due; a case with no deadline last.
            cases.sort_by_key(|w| (!w.overdue, w.due_on.is_none(), w.due_on, w.case.id));
            Some(cases)
        } else {
            None
        };
        let reviews = if self.may_review(actor) { Some(self.reviews_due(actor).await?) } else { None };
        let rights_requests = if self.may(actor, Action::List, Compartment::Rights) {
            let list = self.rights_work_list(actor, &RequestFilter { open_only: true, ..Default::default() }, Some(today)).await?;
            Some(list.items)
        } else {
            None
        };
        Ok(MyWork { today, follow_ups, cases, reviews, rights_requests })
    }
}
