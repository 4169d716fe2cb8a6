//! Who may do what: the Cedar policy engine behind every gate decision.
//!
//! The schema and default policies ship in `policies/` and are compiled into
//! the binary; an operator overrides either by putting a file of the same name
//! (`hearth.cedarschema`, `hearth.cedar`) in a policy directory. Policies are
//! validated against the schema when loaded, so a bad file stops start-up
//! with a message naming the problem, never a silent allow or deny.
//!
//! A request is: the staff member (an entity `in` their role, with their
//! responsibilities), the action, the record (its compartment and type), and
//! a context of relationships the gate has worked out (assigned to the case,
//! patch officer, contractor on the job, break-glass, support grant, whether
//! the record is about a person and what the caller's caller check for them
//! opens) plus the declared purpose. The decision names the policies that
//! made it; a forbidding policy's `@reason` annotation, if it has one, is the
//! refusal's reason in words for the user.

use crate::Actor;
use cedar_policy::{
    Authorizer, Context, Decision as CedarDecision, Entities, Entity, EntityId, EntityTypeName, EntityUid, PolicyId, PolicySet, Request,
    RestrictedExpression, Schema, ValidationMode, Validator,
};
use hearth_domain::{
    access::{Action, Compartment},
    classes::DataClass,
};
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::str::FromStr;
use std::sync::{Arc, Mutex};

pub const SCHEMA_FILE: &str = "hearth.cedarschema";
pub const POLICY_FILE: &str = "hearth.cedar";
const SHIPPED_SCHEMA: &str = include_str!("../../../policies/hearth.cedarschema");
const SHIPPED_POLICIES: &str = include_str!("../../../policies/hearth.cedar");

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("the access schema {origin} is not valid: {message}")]
    Schema { origin: String, message: String },
    #[error("the access policies {origin} do not parse: {message}")]
    Parse { origin: String, message: String },
    #[error("the access policies {origin} do not match the schema: {message}")]
    Invalid { origin: String, message: String },
}

/// What the gate knows about the caller's relationship to the record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Relation {
    pub assigned: bool,
    pub patch_officer: bool,
    pub on_job: bool,
    pub break_glass: bool,
    pub support_grant: bool,
    /// The record is about one person (so a caller check can apply).
    pub about_person: bool,
    /// The actor's caller check for that person, in force now, opens the account.
    pub caller_checked_account: bool,
    /// ... opens repairs.
    pub caller_checked_repairs: bool,
}

/// One question for the policies.
#[derive(Debug, Clone)]
pub struct AccessRequest<'a> {
    pub actor: &'a Actor,
    pub action: Action,
    pub compartment: Compartment,
    pub record_type: &'a str,
    /// Identifies the record for the policy engine, e.g. `person/42`.
    pub record_key: String,
    pub relation: Relation,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The @id of every policy that decided, comma-separated.
    pub policy_ids: String,
    /// Why a refusal was made, as the audit trail records it.
    pub reason: String,
    /// What the deciding policies' `@reason`s tell the user, when they name
    /// no compartment: a refusal must not say what kind of record it hid.
    pub advice: Option<String>,
    /// The permit came only from the break-glass policy: flag it.
    pub via_break_glass: bool,
}

/// Whether words may be shown to the user who was refused: they name no
/// compartment (by its name or its label), so a refusal of a hidden record
/// reads the same as the refusal of an unknown id.
pub(crate) fn for_the_user(text: &str) -> bool {
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '-')).collect();
    !Compartment::ALL.iter().any(|c| {
        let label = c.label().to_lowercase();
        words.contains(&c.as_str()) || (label.contains(' ') && lower.contains(&label)) || words.contains(&label.as_str())
    })
}

/// The loaded, validated policies. Cheap to clone.
#[derive(Clone)]
pub struct Policy {
    inner: Arc<Inner>,
}

struct Inner {
    schema: Schema,
    policies: PolicySet,
    authorizer: Authorizer,
    /// Policy id → its @id annotation, resolved once.
    names: HashMap<PolicyId, String>,
    /// Policy id → its @reason annotation: the words a refusal by it gives.
    reasons: HashMap<PolicyId, String>,
    /// Decisions already made. A decision is a pure function of its request
    /// (the entities and context are built from the request alone: no clock,
    /// nothing stored) and the policies never change in a running process,
    /// so an equal request gets the same answer without evaluating the
    /// policy set again (about a tenth of a millisecond each here). Every
    /// decision is still audited by the gate as before.
    memo: Mutex<HashMap<MemoKey, Decision>>,
}

/// Enough decisions for the collection-wide requests of every signed-in
/// caller and for recent records (a few MiB at most); the memo starts again
/// when full rather than track age.
const MEMO_MAX: usize = 16_384;

/// Everything [`Policy::evaluate`] reads from a request.
#[derive(PartialEq, Eq, Hash)]
struct MemoKey {
    user_id: hearth_domain::Id,
    role: hearth_domain::staff::StaffRole,
    responsibilities: Vec<String>,
    scope: Option<Vec<String>>,
    purpose: String,
    action: Action,
    compartment: Compartment,
    record_type: String,
    record_key: String,
    relation: Relation,
    data_class: Option<DataClass>,
}

impl MemoKey {
    fn of(req: &AccessRequest, data_class: Option<DataClass>) -> MemoKey {
        MemoKey {
            user_id: req.actor.user_id,
            role: req.actor.role,
            responsibilities: req.actor.responsibilities.clone(),
            scope: req.actor.scope.clone(),
            purpose: req.actor.purpose.clone(),
            action: req.action,
            compartment: req.compartment,
            record_type: req.record_type.to_string(),
            record_key: req.record_key.clone(),
            relation: req.relation,
            data_class,
        }
    }
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("policies", &self.inner.names.len()).finish()
    }
}

fn read_override(dir: Option<&Path>, file: &str, shipped: &'static str) -> Result<(String, String), PolicyError> {
    if let Some(dir) = dir {
        let path = dir.join(file);
        if path.exists() {
            let text = std::fs::read_to_string(&path).map_err(|source| PolicyError::Read { path: path.display().to_string(), source })?;
            return Ok((text, path.display().to_string()));
        }
    }
    Ok((shipped.to_string(), format!("shipped with Hearth ({file})")))
}

impl Policy {
    /// The shipped schema and policies.
    pub fn shipped() -> Result<Policy, PolicyError> {
        Policy::load(None)
    }

    /// Loads the schema and policies, preferring the operator's copies in
    /// `dir`, and validates them strictly against each other.
    pub fn load(dir: Option<&Path>) -> Result<Policy, PolicyError> {
        let (schema_text, schema_origin) = read_override(dir, SCHEMA_FILE, SHIPPED_SCHEMA)?;
        let (policy_text, policy_origin) = read_override(dir, POLICY_FILE, SHIPPED_POLICIES)?;
        Policy::from_texts(&schema_text, &schema_origin, &policy_text, &policy_origin)
    }

    pub fn from_texts(schema_text: &str, schema_origin: &str, policy_text: &str, policy_origin: &str) -> Result<Policy, PolicyError> {
        let (schema, _warnings) = Schema::from_cedarschema_str(schema_text)
            .map_err(|e| PolicyError::Schema { origin: schema_origin.into(), message: format!("{e:?}") })?;
        let policies =
            PolicySet::from_str(policy_text).map_err(|e| PolicyError::Parse { origin: policy_origin.into(), message: e.to_string() })?;
        let result = Validator::new(schema.clone()).validate(&policies, ValidationMode::Strict);
        if !result.validation_passed() {
            let message = result.validation_errors().map(|e| e.to_string()).collect::<Vec<_>>().join("; ");
            return Err(PolicyError::Invalid { origin: policy_origin.into(), message });
        }
        let names = policies
            .policies()
            .map(|p| (p.id().clone(), p.annotation("id").map(str::to_string).unwrap_or_else(|| p.id().to_string())))
            .collect();
        let reasons = policies.policies().filter_map(|p| Some((p.id().clone(), p.annotation("reason")?.to_string()))).collect();
        Ok(Policy { inner: Arc::new(Inner { schema, policies, authorizer: Authorizer::new(), names, reasons, memo: Mutex::default() }) })
    }

    /// Decides on the record as a whole (its `data_class` is `record`).
    pub fn decide(&self, req: &AccessRequest) -> Decision {
        self.decide_on(req, None)
    }

    /// Decides on one class of the record's fields: a permit opens every
    /// class unless a policy limits that class.
    pub fn decide_class(&self, req: &AccessRequest, class: DataClass) -> Decision {
        self.decide_on(req, Some(class))
    }

    /// The classes of a permitted record's fields the caller may read.
    pub fn classes(&self, req: &AccessRequest) -> hearth_domain::classes::ClassSet {
        DataClass::ALL
            .iter()
            .filter(|c| self.decide_class(req, **c).allowed)
            .fold(hearth_domain::classes::ClassSet::NONE, |s, c| s.with(*c))
    }

    fn decide_on(&self, req: &AccessRequest, data_class: Option<DataClass>) -> Decision {
        let key = MemoKey::of(req, data_class);
        // A poisoned lock only means another thread panicked mid-insert; the map is still sound.
        let memo = || self.inner.memo.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(d) = memo().get(&key) {
            return d.clone();
        }
        match self.evaluate(req, data_class) {
            Ok(d) => {
                let mut m = memo();
                if m.len() >= MEMO_MAX {
                    m.clear();
                }
                m.insert(key, d.clone());
                d
            }
            // A request the schema cannot express is refused, loudly.
            Err(message) => {
                tracing::error!(%message, "access request could not be evaluated");
                Decision {
                    allowed: false,
                    policy_ids: "evaluation-error".into(),
                    reason: "the access request could not be evaluated".into(),
                    advice: None,
                    via_break_glass: false,
                }
            }
        }
    }

    fn evaluate(&self, req: &AccessRequest, data_class: Option<DataClass>) -> Result<Decision, String> {
        let inner = &self.inner;
        let uid = |ty: &str, id: &str| {
            EntityUid::from_type_name_and_id(EntityTypeName::from_str(ty).expect("static type name"), EntityId::new(id))
        };
        let role_uid = uid("Hearth::Role", req.actor.role.as_str());
        let staff_uid = uid("Hearth::Staff", &req.actor.user_id.to_string());
        let record_uid = uid("Hearth::Record", &req.record_key);
        let staff = Entity::new(
            staff_uid.clone(),
            HashMap::from([
                ("role".into(), RestrictedExpression::new_string(req.actor.role.as_str().into())),
                (
                    "responsibilities".into(),
                    RestrictedExpression::new_set(req.actor.responsibilities.iter().map(|r| RestrictedExpression::new_string(r.clone()))),
                ),
                ("scoped".into(), RestrictedExpression::new_bool(req.actor.scope.is_some())),
                (
                    "scope".into(),
                    RestrictedExpression::new_set(req.actor.scope.iter().flatten().map(|c| RestrictedExpression::new_string(c.clone()))),
                ),
            ]),
            HashSet::from([role_uid.clone()]),
        )
        .map_err(|e| e.to_string())?;
        let record = Entity::new(
            record_uid.clone(),
            HashMap::from([
                ("compartment".into(), RestrictedExpression::new_string(req.compartment.as_str().into())),
                ("record_type".into(), RestrictedExpression::new_string(req.record_type.into())),
                ("data_class".into(), RestrictedExpression::new_string(data_class.map_or("record", DataClass::as_str).into())),
            ]),
            HashSet::new(),
        )
        .map_err(|e| e.to_string())?;
        let role = Entity::new_no_attrs(role_uid, HashSet::new());
        // The gate builds these three entities itself with fixed attribute
        // types, so re-validating them against the schema on every request
        // buys nothing; the request below is still checked against it.
        let entities = Entities::from_entities([staff, record, role], None).map_err(|e| e.to_string())?;
        let r = req.relation;
        let context = Context::from_pairs([
            ("purpose".to_string(), RestrictedExpression::new_string(req.actor.purpose.clone())),
            ("assigned".to_string(), RestrictedExpression::new_bool(r.assigned)),
            ("patch_officer".to_string(), RestrictedExpression::new_bool(r.patch_officer)),
            ("on_job".to_string(), RestrictedExpression::new_bool(r.on_job)),
            ("break_glass".to_string(), RestrictedExpression::new_bool(r.break_glass)),
            ("support_grant".to_string(), RestrictedExpression::new_bool(r.support_grant)),
            ("about_person".to_string(), RestrictedExpression::new_bool(r.about_person)),
            (
                "caller_checked".to_string(),
                RestrictedExpression::new_set(
                    [(r.caller_checked_account, "account"), (r.caller_checked_repairs, "repairs")]
                        .into_iter()
                        .filter(|(on, _)| *on)
                        .map(|(_, area)| RestrictedExpression::new_string(area.into())),
                ),
            ),
        ])
        .map_err(|e| e.to_string())?;
        let action = uid("Hearth::Action", req.action.as_str());
        let request = Request::new(staff_uid, action, record_uid, context, Some(&inner.schema)).map_err(|e| e.to_string())?;
        let response = inner.authorizer.is_authorized(&request, &inner.policies, &entities);
        let errors: Vec<String> = response.diagnostics().errors().map(|e| e.to_string()).collect();
        if !errors.is_empty() {
            return Err(errors.join("; "));
        }
        // Cedar gives the deciding policies as a set in no fixed order: sort
        // them, so the same decision always reads (and is audited) the same.
        let mut names: Vec<&str> = response.diagnostics().reason().filter_map(|id| inner.names.get(id)).map(String::as_str).collect();
        names.sort_unstable();
        // A forbidding policy may say in its own words what to do about it.
        let mut own_words: Vec<&str> = response.diagnostics().reason().filter_map(|id| inner.reasons.get(id)).map(String::as_str).collect();
        own_words.sort_unstable();
        let allowed = response.decision() == CedarDecision::Allow;
        let via_break_glass = allowed && names.iter().all(|n| *n == "break-glass-view");
        let reason = if allowed {
            String::new()
        } else if !own_words.is_empty() {
            own_words.join("; ")
        } else if names.is_empty() {
            format!("no policy lets a {} {} {} records", req.actor.role.label(), req.action, req.compartment.label().to_lowercase())
        } else {
            format!("forbidden by {}", names.join(", "))
        };
        let advice = (!allowed && !own_words.is_empty()).then(|| own_words.join("; ")).filter(|a| for_the_user(a));
        Ok(Decision {
            allowed,
            policy_ids: if names.is_empty() { "default-deny".into() } else { names.join(",") },
            reason,
            advice,
            via_break_glass,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::staff::StaffRole;

    fn actor(role: StaffRole) -> Actor {
        Actor {
            user_id: 7,
            username: "t".into(),
            display_name: "T".into(),
            role,
            purpose: "housing_management".into(),
            responsibilities: vec![],
            scope: None,
        }
    }

    fn ask(p: &Policy, a: &Actor, action: Action, c: Compartment, relation: Relation) -> Decision {
        p.decide(&AccessRequest { actor: a, action, compartment: c, record_type: "person", record_key: "person/1".into(), relation })
    }

    #[test]
    fn remembered_decisions_are_the_ones_the_policies_give() {
        let p = Policy::shipped().unwrap();
        let relations = [
            Relation::default(),
            Relation { assigned: true, ..Relation::default() },
            Relation { break_glass: true, about_person: true, ..Relation::default() },
        ];
        let (mut allowed, mut refused) = (0, 0);
        // The first round fills the memo, the second answers from it.
        for _ in 0..2 {
            for &role in StaffRole::ALL {
                let a = actor(role);
                for &action in Action::ALL {
                    for &c in Compartment::ALL {
                        for relation in relations {
                            let req = AccessRequest {
                                actor: &a,
                                action,
                                compartment: c,
                                record_type: "person",
                                record_key: "person/1".into(),
                                relation,
                            };
                            let d = p.decide(&req);
                            assert_eq!(d, p.evaluate(&req, None).unwrap(), "{role:?} {action:?} {c:?} {relation:?}");
                            if d.allowed {
                                allowed += 1
                            } else {
                                refused += 1
                            }
                        }
                    }
                }
            }
        }
        assert!(allowed > 0 && refused > 0, "the matrix holds both answers");
        let held = p.inner.memo.lock().unwrap().len();
        assert_eq!(held, (allowed + refused) / 2, "one entry per distinct request");
        // A different caller with the same role is a different request.
        let mut other = actor(StaffRole::HousingOfficer);
        other.user_id = 8;
        let req = AccessRequest {
            actor: &other,
            action: Action::View,
            compartment: Compartment::Identity,
            record_type: "person",
            record_key: "person/1".into(),
            relation: Relation::default(),
        };
        p.decide(&req);
        assert_eq!(p.inner.memo.lock().unwrap().len(), held + 1);
    }

    #[test]
    fn the_memo_stays_bounded() {
        let p = Policy::shipped().unwrap();
        let a = actor(StaffRole::HousingOfficer);
        for id in 0..(MEMO_MAX + 10) {
            let req = AccessRequest {
                actor: &a,
                action: Action::View,
                compartment: Compartment::Identity,
                record_type: "person",
                record_key: format!("person/{id}"),
                relation: Relation::default(),
            };
            assert!(p.decide(&req).allowed);
        }
        assert!(p.inner.memo.lock().unwrap().len() <= MEMO_MAX);
    }

    #[test]
    fn shipped_policies_validate_against_the_shipped_schema() {
        Policy::shipped().unwrap();
    }

    #[test]
    fn a_bad_policy_file_is_refused_with_its_origin() {
        let err = Policy::from_texts(
            SHIPPED_SCHEMA,
            "s",
            "permit (principal, action, resource) when { resource.colour == \"red\" };",
            "ops/hearth.cedar",
        )
        .unwrap_err();
        assert!(matches!(err, PolicyError::Invalid { .. }), "{err}");
        assert!(err.to_string().contains("ops/hearth.cedar"));
        let err = Policy::from_texts(SHIPPED_SCHEMA, "s", "permit (principal, action resource);", "ops/hearth.cedar").unwrap_err();
        assert!(matches!(err, PolicyError::Parse { .. }));
        let err = Policy::from_texts("namespace {", "ops/hearth.cedarschema", SHIPPED_POLICIES, "p").unwrap_err();
        assert!(matches!(err, PolicyError::Schema { .. }));
    }

    #[test]
    fn an_operator_directory_overrides_the_shipped_policies() {
        let dir = std::env::temp_dir().join(format!("hearth-policy-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(POLICY_FILE), "@id(\"everyone-reads-identity\")\npermit (principal, action == Hearth::Action::\"view\", resource) when { resource.compartment == \"identity\" };").unwrap();
        let p = Policy::load(Some(&dir)).unwrap();
        let d = ask(&p, &actor(StaffRole::Contractor), Action::View, Compartment::Identity, Relation::default());
        assert!(d.allowed);
        assert_eq!(d.policy_ids, "everyone-reads-identity");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn refusals_name_the_forbidding_policy() {
        let p = Policy::shipped().unwrap();
        let d = ask(&p, &actor(StaffRole::EdiAnalyst), Action::View, Compartment::Identity, Relation::default());
        assert!(!d.allowed);
        assert_eq!(d.policy_ids, "no-identified-records-for-analysts-and-admins");
        let d = ask(&p, &actor(StaffRole::ContactCentreAdvisor), Action::View, Compartment::Safeguarding, Relation::default());
        assert_eq!(d.policy_ids, "default-deny");
    }

    #[test]
    fn an_unchecked_caller_is_refused_in_the_policys_own_words() {
        let p = Policy::shipped().unwrap();
        let a = actor(StaffRole::ContactCentreAdvisor);
        let unchecked = Relation { about_person: true, ..Default::default() };
        let d = ask(&p, &a, Action::View, Compartment::Tenancy, unchecked);
        assert!(!d.allowed && d.reason.starts_with("Check the caller first"), "{d:?}");
        assert_eq!(d.policy_ids, "advisor-checks-the-caller-first");
        let repairs_only = Relation { caller_checked_repairs: true, ..unchecked };
        assert!(!ask(&p, &a, Action::View, Compartment::ContactLog, repairs_only).allowed);
        assert!(ask(&p, &a, Action::View, Compartment::Repairs, repairs_only).allowed);
        assert!(ask(&p, &a, Action::View, Compartment::ContactLog, Relation { caller_checked_account: true, ..unchecked }).allowed);
        assert!(ask(&p, &a, Action::View, Compartment::Identity, unchecked).allowed, "identity stays open to ask the questions");
        assert!(
            ask(&p, &actor(StaffRole::HousingOfficer), Action::View, Compartment::Tenancy, unchecked).allowed,
            "other roles unaffected"
        );
    }

    #[test]
    fn a_refusal_tells_the_user_only_words_that_name_no_compartment() {
        let p = Policy::shipped().unwrap();
        let a = actor(StaffRole::ContactCentreAdvisor);
        let unchecked = Relation { about_person: true, ..Default::default() };
        let d = ask(&p, &a, Action::View, Compartment::Tenancy, unchecked);
        assert!(d.advice.as_deref().is_some_and(|w| w.starts_with("Check the caller first")), "{d:?}");
        // The repairs check's words say "repairs": the refusal would tell what the record is.
        let d = ask(&p, &a, Action::View, Compartment::Repairs, unchecked);
        assert!(!d.allowed && d.reason.contains("repairs") && d.advice.is_none(), "{d:?}");
        let d = ask(&p, &a, Action::View, Compartment::Asb, Relation::default());
        assert!(d.reason.contains("anti-social behaviour") && d.advice.is_none(), "{d:?}");
        assert!(!for_the_user("may not view asb records"));
        assert!(!for_the_user("no policy lets a Contact centre advisor view care and support records"));
        assert!(for_the_user("a second person must approve it"));
    }

    #[test]
    fn marketing_never_touches_sensitive_data() {
        let p = Policy::shipped().unwrap();
        let mut a = actor(StaffRole::IncomeOfficer);
        assert!(ask(&p, &a, Action::View, Compartment::Financial, Relation::default()).allowed);
        a.purpose = "marketing".into();
        assert!(!ask(&p, &a, Action::View, Compartment::Financial, Relation::default()).allowed);
    }

    #[test]
    fn break_glass_is_flagged() {
        let p = Policy::shipped().unwrap();
        let a = actor(StaffRole::ContactCentreAdvisor);
        let d = ask(&p, &a, Action::View, Compartment::Asb, Relation { break_glass: true, ..Default::default() });
        assert!(d.allowed && d.via_break_glass);
        let normal = ask(&p, &a, Action::View, Compartment::Identity, Relation { break_glass: true, ..Default::default() });
        assert!(normal.allowed && !normal.via_break_glass, "a normal permit is not flagged");
    }
}
