//! Hearth's gate: the one door to personal data.
//!
//! Owns: deciding whether an actor may perform an action on a compartment of a
//! record, and writing the audit event for that decision in the same
//! transaction as the read or change it allows. Surfaces (API, UI, CLI) call
//! the gate; only the gate opens a store transaction. A refusal is recorded
//! too (its own committed transaction) and returns no data.
//!
//! Layout: `policy` decides, `auth` handles staff sign-in, and one module per
//! family of records (`people`, `homes`) holds the operations.

pub mod anonymity;
pub mod auth;
pub mod breaches;
pub mod bundle;
pub mod capacity;
pub mod cases;
pub mod comms;
pub mod consent;
pub mod contacts;
pub mod documents;
pub mod edi;
pub mod erasure;
pub mod front_door;
pub mod grants;
pub mod history;
pub mod homes;
pub mod import;
pub mod needs;
pub mod ops;
pub mod people;
pub mod policy;
pub mod recordings;
pub mod representatives;
pub mod restrictions;
pub mod retention;
pub mod review;
pub mod rights;
pub mod scim;
pub mod sharing;
pub mod staff;
pub mod totp;
pub mod work;

use hearth_domain::{
    access::{Action, Compartment},
    error::ValidationErrors,
    staff::StaffRole,
    Id,
};
use hearth_store::audit::{self, NewAuditEvent};
use hearth_store::grants as grant_store;
use hearth_store::{Store, StoreError, Tx};
use jiff::civil::Date;
use jiff::{SignedDuration, Timestamp};
use policy::{AccessRequest, Decision, Relation};
pub use policy::{Policy, PolicyError};

/// What one response that only reads carries between its gate calls.
#[derive(Default)]
struct ReadScope {
    /// The audit events of its reads, written together when it ends.
    events: Vec<NewAuditEvent>,
    /// The caller checks in force, by (user, person): every section of a
    /// page asks the same question, and the answer cannot change while a
    /// read-only response is built.
    caller_checks: std::collections::HashMap<(Id, Id), Option<Vec<hearth_domain::representatives::CallerCheckArea>>>,
    /// Whether each user holds any unexpired break-glass grant: most hold
    /// none, and then no section of the page need look one up.
    any_break_glass: std::collections::HashMap<Id, bool>,
    /// People already read: most sections first check that theirs exists.
    people: std::collections::HashMap<Id, hearth_domain::people::Person>,
}

type PendingReads = std::sync::Arc<std::sync::Mutex<ReadScope>>;

tokio::task_local! {
    /// Set by `Gate::reading` for the length of one response.
    static READS: PendingReads;
}

/// A person by id; inside `Gate::reading`, read once per response however
/// many sections ask.
pub(crate) async fn person_of(tx: &mut Tx, id: Id) -> hearth_store::Result<hearth_domain::people::Person> {
    if let Some(p) = in_scope(|s| s.people.get(&id).cloned()).flatten() {
        return Ok(p);
    }
    let p = hearth_store::people::person(tx, id).await?;
    in_scope(|s| s.people.insert(id, p.clone()));
    Ok(p)
}

fn in_scope<R>(f: impl FnOnce(&mut ReadScope) -> R) -> Option<R> {
    READS.try_with(|p| f(&mut p.lock().unwrap_or_else(|p| p.into_inner()))).ok()
}

/// Who is asking, in which role, and for what purpose.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Id,
    pub username: String,
    pub display_name: String,
    pub role: StaffRole,
    /// The declared processing purpose, recorded with every decision.
    pub purpose: String,
    /// Compartments this person manages, for the need-to-know policies.
    pub responsibilities: Vec<String>,
    /// A service account's token reaches only these compartments; `None`
    /// for people.
    pub scope: Option<Vec<String>>,
}

/// The default purpose when a surface declares none.
pub const DEFAULT_PURPOSE: &str = "housing_management";

#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A refusal. What the caller is told names neither the compartment nor
    /// the kind of record, so a hidden record reads the same as a missing
    /// one (an unknown id is refused too); `compartment` and `reason` are
    /// for the audit trail and the surfaces' own decisions (break-glass).
    #[error("{}", refusal(*.action, .advice.as_deref()))]
    Denied {
        role: String,
        action: Action,
        compartment: Compartment,
        /// The whole reason, as audited.
        reason: String,
        /// Words meant for the user (a policy's `@reason`), only when they
        /// name no compartment.
        advice: Option<String>,
    },
    #[error("sign in first")]
    Unauthenticated,
    #[error("too many attempts; try again in {} minutes", (retry_after.as_secs().max(1) + 59) / 60)]
    Throttled { retry_after: jiff::SignedDuration },
    #[error("no such record")]
    NotFound,
    /// The person was reduced to a skeleton by the retention schedule: their
    /// id stays (other records name it), nothing about them does.
    #[error("This person's record was reduced to a skeleton by retention on {on}: their personal details were removed under the retention schedule")]
    Disposed { on: jiff::civil::Date },
    #[error("the record was changed by someone else since you opened it; reload and try again")]
    Conflict,
    #[error("{0}")]
    Invalid(ValidationErrors),
    /// The person's processing is restricted (UK GDPR Art. 18): only storage is allowed.
    #[error("Processing of this person's data is restricted (Art. 18) since {since}: {reason}; only storage is allowed")]
    Restricted { since: String, reason: String },
    /// Equality monitoring cannot run: no key is configured, or it does not open what is stored.
    #[error("{0}")]
    EdiDisabled(String),
    /// Single sign-on worked but Hearth refuses the person: no group grants
    /// them a role, or their account is disabled. The words are for them.
    #[error("{0}")]
    SignInRefused(String),
    /// A letter could not be rendered (a template the operator changed).
    #[error("the letter could not be made: {0}")]
    Comms(String),
    #[error("storage failed: {0}")]
    Store(StoreError),
}

/// A refusal as the caller reads it: what they may not do, and the
/// policies' words for them, if any.
fn refusal(action: Action, advice: Option<&str>) -> String {
    let what = match action {
        Action::List | Action::Export | Action::Import => "these records",
        _ => "this record",
    };
    let advice = advice.map(|a| format!(": {a}")).unwrap_or_default();
    format!("You may not {} {what}{advice}", action.label().to_lowercase())
}

impl GateError {
    /// The policies' refusal: its reason stays in the audit trail, and the
    /// caller is told only what the deciding policies say for the user.
    pub(crate) fn denied(actor: &Actor, action: Action, compartment: Compartment, d: Decision) -> Self {
        GateError::Denied { role: actor.role.label().into(), action, compartment, reason: d.reason, advice: d.advice }
    }

    /// A refusal the gate makes itself, with its reason in words for the
    /// user (shown unless it names a compartment).
    pub(crate) fn refused(actor: &Actor, action: Action, compartment: Compartment, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        let advice = policy::for_the_user(&reason).then(|| reason.clone());
        GateError::Denied { role: actor.role.label().into(), action, compartment, reason, advice }
    }
}

impl From<StoreError> for GateError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => GateError::NotFound,
            StoreError::Conflict => GateError::Conflict,
            StoreError::Invalid(v) => GateError::Invalid(v),
            other => GateError::Store(other),
        }
    }
}

impl From<hearth_domain::error::FieldError> for GateError {
    fn from(e: hearth_domain::error::FieldError) -> Self {
        GateError::Invalid(e.into())
    }
}

impl From<ValidationErrors> for GateError {
    fn from(e: ValidationErrors) -> Self {
        GateError::Invalid(e)
    }
}

pub type Result<T, E = GateError> = std::result::Result<T, E>;

/// The record a decision is about.
#[derive(Debug, Clone, Copy)]
pub struct Target {
    pub record_type: &'static str,
    pub record_id: Option<Id>,
    /// The person whose data this is, so the person's history can list it.
    pub person_id: Option<Id>,
}

impl Target {
    pub fn person(id: Id) -> Self {
        Target { record_type: "person", record_id: Some(id), person_id: Some(id) }
    }
    pub fn of(record_type: &'static str, record_id: Id, person_id: Option<Id>) -> Self {
        Target { record_type, record_id: Some(record_id), person_id }
    }
    pub fn collection(record_type: &'static str) -> Self {
        Target { record_type, record_id: None, person_id: None }
    }
}

/// An allowed decision, carried to the audit event that records its use.
#[derive(Debug, Clone)]
pub struct Permit {
    action: Action,
    compartment: Compartment,
    policy_ids: String,
    /// Set when only a break-glass grant allowed this: the audit event says so.
    break_glass_reason: Option<String>,
    /// The classes of the record's fields the caller may read; what is
    /// handed out is projected to these.
    classes: hearth_domain::classes::ClassSet,
}

impl Permit {
    /// Withholds from `value` every field of a class this permit does not open.
    pub(crate) fn project<T: hearth_domain::classes::Project>(&self, value: &mut T) {
        if !self.classes.is_all() {
            value.project(self.classes);
        }
    }
}

/// The service every surface calls.
#[derive(Clone)]
pub struct Gate {
    store: Store,
    policy: Policy,
    /// How long a break-glass grant lasts.
    break_glass_for: SignedDuration,
    /// Working days for deadlines: weekends and the configured bank holidays.
    calendar: hearth_domain::calendar::WorkingCalendar,
    complaint_code: hearth_domain::cases::ComplaintCode,
    /// Where document bytes are kept.
    documents: hearth_store::documents::DocumentStorage,
    max_document_bytes: usize,
    /// The register of record classes: purposes and the retention schedule.
    register: hearth_domain::retention::Register,
    /// Months until needs and flags are reviewed (configuration).
    review_periods: hearth_domain::needs::ReviewPeriods,
    /// How long a caller check lasts (the call).
    caller_check_for: SignedDuration,
    /// The key sealing equality answers; without one, capture is refused.
    edi_key: Option<edi::EdiKey>,
    /// Thresholds applied to every published equality count.
    disclosure_control: hearth_domain::edi::DisclosureControl,
    /// Every local account must sign in with a second step (configuration):
    /// one without it may only set it up.
    two_step_required: bool,
    /// The directory mapping (groups to roles) and single sign-on settings.
    identity: std::sync::Arc<hearth_domain::identity::IdentityConfig>,
    /// Letter, email and text templates (configuration; the shipped ones by default).
    templates: std::sync::Arc<hearth_comms::templates::Templates>,
    /// How emails and texts leave: no mail server and log-only texts by default.
    courier: hearth_comms::transport::Courier,
    /// The landlord's name and address at the head of every letter (configuration).
    letterhead: std::sync::Arc<Vec<String>>,
}

/// Default life of a break-glass grant: long enough to deal with an
/// emergency, short enough that it is not a standing permission.
pub const BREAK_GLASS_DEFAULT: SignedDuration = SignedDuration::from_mins(30);

impl Gate {
    pub fn new(store: Store, policy: Policy) -> Self {
        Gate {
            store,
            policy,
            break_glass_for: BREAK_GLASS_DEFAULT,
            two_step_required: false,
            identity: Default::default(),
            calendar: hearth_domain::calendar::WorkingCalendar::england_and_wales(),
            complaint_code: hearth_domain::cases::ComplaintCode::default(),
            documents: hearth_store::documents::DocumentStorage::Database,
            max_document_bytes: hearth_domain::documents::DEFAULT_MAX_DOCUMENT_BYTES,
            register: hearth_domain::retention::Register::shipped(),
            review_periods: hearth_domain::needs::ReviewPeriods::default(),
            caller_check_for: hearth_domain::representatives::CALLER_CHECK_LASTS,
            edi_key: None,
            disclosure_control: hearth_domain::edi::DisclosureControl::default(),
            templates: std::sync::Arc::new(hearth_comms::templates::Templates::default()),
            courier: hearth_comms::transport::Courier::default(),
            letterhead: std::sync::Arc::new(hearth_domain::anonymity::LANDLORD_LINES.iter().map(|l| l.to_string()).collect()),
        }
    }

    /// Sets the landlord's name and address printed at the head of letters:
    /// one to eight lines, the name first, each at most 100 characters.
    pub fn with_letterhead(mut self, lines: Vec<String>) -> std::result::Result<Self, String> {
        let lines = hearth_comms::letter::letterhead(lines)?;
        self.letterhead = std::sync::Arc::new(lines);
        Ok(self)
    }

    /// Sets the templates and the transports for letters, emails and texts.
    pub fn with_comms(mut self, templates: hearth_comms::templates::Templates, courier: hearth_comms::transport::Courier) -> Self {
        self.templates = std::sync::Arc::new(templates);
        self.courier = courier;
        self
    }

    /// Switches equality capture on with the operator's key.
    pub fn with_edi_key(mut self, key: edi::EdiKey) -> Self {
        self.edi_key = Some(key);
        self
    }

    /// Sets the disclosure-control thresholds for equality reports.
    pub fn with_disclosure_control(mut self, sdc: hearth_domain::edi::DisclosureControl) -> Self {
        self.disclosure_control = sdc;
        self
    }

    /// Sets how long a caller check lasts (configuration; tests shorten it).
    pub fn with_caller_check_for(mut self, d: SignedDuration) -> Self {
        self.caller_check_for = d;
        self
    }

    /// Sets the register of record classes (configuration). Refuses one whose
    /// rules Hearth cannot carry out for the classes it already disposes of.
    pub fn with_register(mut self, register: hearth_domain::retention::Register) -> Result<Self> {
        retention::check_register(&register)?;
        self.register = register;
        Ok(self)
    }

    /// Sets the bank holidays deadlines skip (configuration).
    pub fn with_calendar(mut self, calendar: hearth_domain::calendar::WorkingCalendar) -> Self {
        self.calendar = calendar;
        self
    }

    /// Sets the review periods for needs and warning flags (configuration).
    pub fn with_review_periods(mut self, periods: hearth_domain::needs::ReviewPeriods) -> Self {
        self.review_periods = periods;
        self
    }

    /// Sets how long break-glass grants last (configuration).
    pub fn with_break_glass_for(mut self, d: SignedDuration) -> Self {
        self.break_glass_for = d;
        self
    }

    /// Requires two-step sign-in of every local account (configuration).
    pub fn with_two_step_required(mut self, required: bool) -> Self {
        self.two_step_required = required;
        self
    }

    /// Sets the directory mapping and single sign-on settings (configuration).
    pub fn with_identity(mut self, identity: hearth_domain::identity::IdentityConfig) -> Self {
        self.identity = std::sync::Arc::new(identity);
        self
    }

    /// The directory mapping and single sign-on settings.
    pub fn identity(&self) -> &hearth_domain::identity::IdentityConfig {
        &self.identity
    }

    /// Whether two-step sign-in is required of every local account.
    pub fn two_step_required(&self) -> bool {
        self.two_step_required
    }

    /// Today in the UK, for rules about dates of birth and tenancies.
    pub fn today() -> Date {
        jiff::ZonedDateTime::now().with_time_zone(uk()).date()
    }

    /// What the gate knows about the actor's relationship to the target.
    async fn relation(&self, tx: &mut Tx, actor: &Actor, compartment: Compartment, target: Target) -> Result<(Relation, Option<String>)> {
        let now = Timestamp::now();
        let mut relation = Relation::default();
        let mut break_glass_reason = None;
        if let Some(id) = target.record_id {
            if let Some(g) = self.active_grant(tx, actor, target.record_type, id, compartment, now).await? {
                relation.break_glass = true;
                break_glass_reason = Some(g.reason);
            }
        }
        if target.record_type == "case" {
            if let Some(id) = target.record_id {
                let r = self.case_relation(tx, actor, id, now).await?;
                relation.assigned = r.assigned;
                relation.on_job = r.on_job;
            }
        }
        // A contact entry inherits need-to-know from its case and its people's grants.
        if target.record_type == "contact_entry" {
            if let Some(id) = target.record_id {
                let (assigned, bg) = self.contact_relation(tx, actor, id, compartment, now).await?;
                relation.assigned |= assigned;
                if bg.is_some() && break_glass_reason.is_none() {
                    relation.break_glass = true;
                    break_glass_reason = bg;
                }
            }
        }
        // A document inherits need-to-know from its case and its person's grants;
        // a call recording from its call's entry.
        let inherited = match (target.record_type, target.record_id) {
            ("document", Some(id)) => Some(self.document_relation(tx, actor, id, compartment, now).await?),
            ("call_recording", Some(id)) => match hearth_store::recordings::recording(tx, id).await {
                Ok(r) => Some(self.contact_relation(tx, actor, r.contact_entry_id, compartment, now).await?),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            },
            _ => None,
        };
        if let Some((assigned, bg)) = inherited {
            relation.assigned |= assigned;
            if bg.is_some() && break_glass_reason.is_none() {
                relation.break_glass = true;
                break_glass_reason = bg;
            }
        }
        // Needs follow the person: their patch's officer, or the officer reviewing one of their needs.
        if compartment == Compartment::Needs {
            if let Some(person) = target.person_id {
                let (patch, reviewer) = self.needs_relation(tx, actor, person).await?;
                relation.patch_officer |= patch;
                relation.assigned |= reviewer;
            }
        }
        if actor.role == StaffRole::Contractor {
            // identity_details: the details shown with a person (date of birth, NI number), as before they had a record type.
            let about = ["person", "contact_point", "identity_details"].contains(&target.record_type);
            if let Some(person) = target.person_id.filter(|_| about) {
                relation.on_job = hearth_store::cases::contractor_on_job_for_person(tx, actor.user_id, person, now).await?;
            }
        }
        if actor.role == StaffRole::SupplierSupport {
            relation.support_grant = grant_store::support_grant_covers(tx, actor.user_id, compartment.as_str(), now).await?;
        }
        Ok((relation, break_glass_reason))
    }

    /// What the actor's caller check for the target's person opens, for
    /// actions about one person (the policies decide what needs one). A
    /// household or tenancy read by its own id is about its members: a check
    /// for any one of them (a joint tenant calling) opens it.
    pub(crate) async fn caller_relation(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        target: Target,
        relation: &mut Relation,
    ) -> Result<()> {
        let reading = matches!(action, Action::View | Action::List);
        let people = match (target.person_id, target.record_id) {
            (Some(person), _) => vec![person],
            (None, Some(id)) if reading => hearth_store::representatives::people_of_home(tx, target.record_type, id).await?,
            _ => vec![],
        };
        relation.about_person = !people.is_empty();
        for person in people {
            let memo = in_scope(|s| s.caller_checks.get(&(actor.user_id, person)).cloned()).flatten();
            let areas = match memo {
                Some(areas) => areas,
                None => {
                    let areas = self.caller_check_areas(tx, actor, person).await?;
                    in_scope(|s| s.caller_checks.insert((actor.user_id, person), areas.clone()));
                    areas
                }
            };
            if let Some(areas) = areas {
                relation.caller_checked_account |= areas.contains(&hearth_domain::representatives::CallerCheckArea::Account);
                relation.caller_checked_repairs |= areas.contains(&hearth_domain::representatives::CallerCheckArea::Repairs);
            }
        }
        Ok(())
    }

    /// Asks the policies. A refusal is appended to the audit trail in `tx`
    /// and returned as the `Err` of the inner result.
    async fn check(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        compartment: Compartment,
        target: Target,
    ) -> Result<Result<Permit, Decision>> {
        let (mut relation, bg_reason) = self.relation(tx, actor, compartment, target).await?;
        self.caller_relation(tx, actor, action, target, &mut relation).await?;
        let request = |relation: Relation| request_for(actor, action, compartment, target, relation);
        let ask = |relation: Relation| self.policy.decide(&request(relation));
        let mut d = ask(relation);
        if d.allowed {
            let break_glass_reason = if d.via_break_glass { bg_reason } else { None };
            // What is read out is limited by class too; a change is decided whole.
            let classes = if matches!(action, Action::View | Action::List | Action::Export) {
                self.policy.classes(&request(relation))
            } else {
                hearth_domain::classes::ClassSet::all()
            };
            return Ok(Ok(Permit { action, compartment, policy_ids: d.policy_ids, break_glass_reason, classes }));
        }
        // Refused only for want of a caller check: say what the check in force covers.
        if let Some(person) = target.person_id.filter(|_| relation.about_person) {
            let full = Relation { caller_checked_account: true, caller_checked_repairs: true, ..relation };
            if ask(full).allowed {
                if let Some(note) = self.caller_check_note(tx, actor, person).await? {
                    d.reason = format!("{}. {note}", d.reason);
                    // The note describes the representative's scope, which the caller gave, not the record.
                    d.advice = d.advice.map(|a| format!("{a}. {note}"));
                }
            }
        }
        let event = event(actor, action, compartment, target, "deny", &d.policy_ids, Some(d.reason.clone()), None);
        self.audit(tx, event).await?;
        tracing::warn!(user = %actor.username, role = %actor.role, %action, %compartment, record = ?target.record_id, "access refused");
        Ok(Err(d))
    }

    /// Whether the policies would let the actor read `compartment` of the
    /// target, and which classes of its fields, without recording anything:
    /// for filtering what a read that was itself decided and audited (a
    /// person's history) may show of other records.
    pub(crate) async fn would_permit(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        compartment: Compartment,
        target: Target,
    ) -> Result<Option<hearth_domain::classes::ClassSet>> {
        let (mut relation, _) = self.relation(tx, actor, compartment, target).await?;
        self.caller_relation(tx, actor, action, target, &mut relation).await?;
        let req = request_for(actor, action, compartment, target, relation);
        Ok(self.policy.decide(&req).allowed.then(|| self.policy.classes(&req)))
    }

    /// The classes of a record's fields the actor may read, or `None` when
    /// the record itself is refused: the decision every surface's output
    /// must stay within. Records nothing and returns no data; the canary
    /// sweep holds every route to it.
    pub async fn readable_classes(
        &self,
        actor: &Actor,
        compartment: Compartment,
        target: Target,
    ) -> Result<Option<hearth_domain::classes::ClassSet>> {
        let mut tx = self.store.begin_read().await?;
        let r = self.would_permit(&mut tx, actor, Action::View, compartment, target).await;
        drop(tx);
        r
    }

    /// Decides; on refusal records the refusal, commits it and returns
    /// `Denied`, so the caller never reaches the data.
    async fn authorize(&self, mut tx: Tx, actor: &Actor, action: Action, compartment: Compartment, target: Target) -> Result<(Tx, Permit)> {
        match self.check(&mut tx, actor, action, compartment, target).await? {
            Ok(permit) => Ok((tx, permit)),
            Err(d) => {
                tx.commit().await?;
                Err(GateError::denied(actor, action, compartment, d))
            }
        }
    }

    /// Records the allowed use in the still-open transaction.
    async fn record(&self, tx: &mut Tx, actor: &Actor, permit: &Permit, target: Target, detail: Option<serde_json::Value>) -> Result<()> {
        let reason = permit.break_glass_reason.as_ref().map(|r| format!("break-glass: {r}"));
        let event =
            event(actor, permit.action, permit.compartment, target, "allow", &permit.policy_ids, reason, detail.map(|d| d.to_string()));
        self.audit(tx, event).await?;
        Ok(())
    }

    /// The actor's unexpired break-glass grant for a record, if any. Inside
    /// `reading`, asks first (once per response) whether the actor holds
    /// any grant at all.
    pub(crate) async fn active_grant(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        record_type: &str,
        record_id: Id,
        compartment: Compartment,
        now: Timestamp,
    ) -> Result<Option<grant_store::BreakGlass>> {
        let known = in_scope(|s| s.any_break_glass.get(&actor.user_id).copied());
        let any = match known {
            None => true,
            Some(Some(any)) => any,
            Some(None) => {
                let any = grant_store::any_active_break_glass(tx, actor.user_id, now).await?;
                in_scope(|s| s.any_break_glass.insert(actor.user_id, any));
                any
            }
        };
        if !any {
            return Ok(None);
        }
        Ok(grant_store::active_break_glass(tx, actor.user_id, record_type, record_id, compartment.as_str(), now).await?)
    }

    /// Runs `f`, the reads behind one response (a page assembled from several
    /// gate calls), and writes the audit events of its reads together in one
    /// transaction when it ends: one durable commit per page instead of one
    /// per call. Changes are still audited in their own transaction. `f`'s
    /// output comes back only once its events are stored; on `Err` the
    /// caller must not send what was read.
    pub async fn reading<T>(&self, f: impl std::future::Future<Output = T>) -> Result<T> {
        let pending = PendingReads::default();
        let out = READS.scope(pending.clone(), f).await;
        let events = std::mem::take(&mut pending.lock().unwrap_or_else(|p| p.into_inner()).events);
        if !events.is_empty() {
            let mut tx = self.store.begin().await?;
            audit::append_many(&mut tx, &events, Timestamp::now()).await?;
            tx.commit().await?;
        }
        Ok(out)
    }

    /// Appends an audit event in `tx`; inside `reading`, a read's event
    /// (allowed or refused) waits for the end of the response instead.
    async fn audit(&self, tx: &mut Tx, event: NewAuditEvent) -> Result<()> {
        let read = event.action == Action::View.as_str() || event.action == Action::List.as_str();
        let mut event = Some(event);
        if read && in_scope(|s| s.events.extend(event.take())).is_some() {
            return Ok(());
        }
        let Some(event) = event else { return Ok(()) };
        audit::append(tx, &event, Timestamp::now()).await?;
        Ok(())
    }

    /// The person a record belongs to, read before the decision so the
    /// policies can be asked about that person (an unknown id: nobody).
    pub(crate) async fn owner(&self, f: impl AsyncFnOnce(&mut Tx) -> hearth_store::Result<Option<Id>>) -> Result<Option<Id>> {
        let mut tx = self.store.begin_read().await?;
        let p = f(&mut tx).await?;
        drop(tx);
        Ok(p)
    }

    /// Decide, run `op` and record it, all in one transaction; what `op`
    /// returns is projected to the permit's classes, so nothing handed out
    /// skips projection (a type with no personal field says so with
    /// `holds_no_personal_data!`).
    async fn guarded<T: hearth_domain::classes::Project>(
        &self,
        actor: &Actor,
        action: Action,
        compartment: Compartment,
        target: Target,
        op: impl AsyncFnOnce(&mut Tx) -> Result<(T, Target, Option<serde_json::Value>)>,
    ) -> Result<T> {
        let tx = self.store.begin().await?;
        let (mut tx, permit) = self.authorize(tx, actor, action, compartment, target).await?;
        if let Some(refused) = self.restriction_refusal(&mut tx, actor, action, compartment, target).await? {
            tx.commit().await?;
            return Err(refused);
        }
        let (mut value, recorded, detail) = op(&mut tx).await?;
        // Some targets only learn their person once the record is read.
        if recorded.person_id != target.person_id {
            if let Some(id) = recorded.person_id.filter(|_| restrictable(action, compartment, recorded)) {
                if hearth_store::restrictions::active(&mut tx, id).await?.is_some() {
                    drop(tx); // rolls the change back
                    let mut tx = self.store.begin().await?;
                    let refused = self.restriction_refusal(&mut tx, actor, action, compartment, recorded).await?;
                    tx.commit().await?;
                    return Err(refused.unwrap_or(GateError::Conflict));
                }
            }
        }
        self.record(&mut tx, actor, &permit, recorded, detail).await?;
        tx.commit().await?;
        permit.project(&mut value);
        Ok(value)
    }

    /// When the target's person is under a restriction of processing and the
    /// action changes their data, records the refusal in `tx` and returns it.
    /// The rights and audit compartments stay open so the DPO can lift it.
    pub(crate) async fn restriction_refusal(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        compartment: Compartment,
        target: Target,
    ) -> Result<Option<GateError>> {
        let Some(person) = target.person_id.filter(|_| restrictable(action, compartment, target)) else { return Ok(None) };
        let Some(r) = hearth_store::restrictions::active(tx, person).await? else { return Ok(None) };
        let since = r.placed_at.to_zoned_datetime(uk()).strftime("%-d %B %Y").to_string();
        let refused = GateError::Restricted { since, reason: r.reason };
        let event = event(actor, action, compartment, target, "deny", "processing-restriction", Some(refused.to_string()), None);
        self.audit(tx, event).await?;
        tracing::warn!(user = %actor.username, %action, %compartment, person, "refused: processing restricted");
        Ok(Some(refused))
    }

    /// Whether the actor's role may perform `action` on `compartment`; for
    /// surfaces deciding what to offer (links, buttons). Not a substitute for
    /// the check each operation makes.
    pub fn may(&self, actor: &Actor, action: Action, compartment: Compartment) -> bool {
        let req =
            AccessRequest { actor, action, compartment, record_type: "any", record_key: "any/*".into(), relation: Relation::default() };
        self.policy.decide(&req).allowed
    }

    /// Whether the actor's role may perform `action` on `compartment` for
    /// records it is assigned to or whose patch it covers; for surfaces
    /// deciding whether to offer a link to need-to-know pages.
    pub fn may_when_related(&self, actor: &Actor, action: Action, compartment: Compartment) -> bool {
        let relation = Relation { assigned: true, patch_officer: true, ..Relation::default() };
        let req = AccessRequest { actor, action, compartment, record_type: "any", record_key: "any/*".into(), relation };
        self.policy.decide(&req).allowed
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }
}

/// The question for the policies about `target`.
fn request_for<'a>(actor: &'a Actor, action: Action, compartment: Compartment, target: Target, relation: Relation) -> AccessRequest<'a> {
    let id = target.record_id.map(|i| i.to_string()).unwrap_or_else(|| "*".into());
    AccessRequest {
        actor,
        action,
        compartment,
        record_type: target.record_type,
        record_key: format!("{}/{id}", target.record_type),
        relation,
    }
}

/// Whether a restriction of processing refuses this action: any change to a
/// person's data, except rights work, the audit trail and records that only
/// reduce processing (a withdrawal of consent, an objection).
pub(crate) fn restrictable(action: Action, compartment: Compartment, target: Target) -> bool {
    matches!(action, Action::Edit | Action::Create | Action::Delete)
        && !matches!(compartment, Compartment::Rights | Compartment::Audit)
        && !consent::REDUCES_PROCESSING.contains(&target.record_type)
}

/// A day as letters and messages write it: "7 December 2026".
pub(crate) fn long_date(d: jiff::civil::Date) -> String {
    d.strftime("%-d %B %Y").to_string()
}

pub(crate) fn uk() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("Europe/London").unwrap_or(jiff::tz::TimeZone::UTC)
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn event(
    actor: &Actor,
    action: Action,
    compartment: Compartment,
    target: Target,
    decision: &str,
    policy_ids: &str,
    reason: Option<String>,
    detail: Option<String>,
) -> NewAuditEvent {
    NewAuditEvent {
        actor_id: Some(actor.user_id),
        actor_username: actor.username.clone(),
        actor_role: actor.role.as_str().into(),
        action: action.as_str().into(),
        compartment: compartment.as_str().into(),
        record_type: target.record_type.into(),
        record_id: target.record_id,
        person_id: target.person_id,
        purpose: actor.purpose.clone(),
        decision: decision.into(),
        policy_ids: policy_ids.into(),
        reason,
        detail,
    }
}

/// Old and new values of an edit, for the audit event.
pub(crate) fn change<T: serde::Serialize>(old: &T, new: &T) -> Option<serde_json::Value> {
    Some(serde_json::json!({ "old": old, "new": new }))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_purposes_the_gate_acts_under_are_declared() {
        let r = hearth_domain::retention::Register::shipped();
        for p in [super::DEFAULT_PURPOSE, super::retention::RETENTION_PURPOSE, "marketing"] {
            assert!(r.purpose(p).is_some(), "{p}");
        }
    }
}
