//! Gate operations on properties, households, memberships and tenancies (the
//! tenancy compartment), and the whole-person view that a person page shows.

use crate::people::clamp_limit;
use crate::{change, Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    classes::ClassSet,
    error::FieldError,
    people::{ContactPoint, IdentityEvidence, Person, PersonKind},
    property::{
        Household, HouseholdInput, HouseholdUpdate, Membership, MembershipInput, MembershipUpdate, Property, PropertyInput, PropertyUpdate,
        Tenancy, TenancyInput, TenancyUpdate,
    },
    Id,
};
use hearth_store::homes as q;
use hearth_store::people as pq;
use hearth_store::{Page, Tx};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A household as seen from one of its members' pages.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HouseholdView {
    pub household: Household,
    pub property: Property,
    pub members: Vec<MemberView>,
    pub tenancies: Vec<Tenancy>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub membership: Membership,
    pub given_name: String,
    pub family_name: String,
    pub kind: PersonKind,
}

hearth_domain::classify! { MemberView as "household_member" {
    keep: membership, kind;
    given_name: Name, family_name: Name,
} }

impl hearth_domain::classes::Project for HouseholdView {
    fn project(&mut self, permitted: ClassSet) {
        self.members.project(permitted);
    }
}

/// Everything a person page shows, each part present only when the actor may
/// see its compartment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonRecord {
    pub person: Person,
    pub evidence: Vec<IdentityEvidence>,
    pub contacts: Option<Vec<ContactPoint>>,
    pub households: Option<Vec<HouseholdView>>,
    /// The restriction of processing in force (UK GDPR Art. 18), so every
    /// screen showing the person can warn that only storage is allowed.
    pub restriction: Option<hearth_store::restrictions::Restriction>,
    /// The caller's check this staff member made for the person on the
    /// current call, if still in force (it opens the account to them).
    pub caller_check: Option<hearth_store::representatives::CallerCheck>,
    /// Whether date of birth, NI number and identity evidence are shown
    /// (false for an advisor before the caller check: they are emptied).
    pub details_open: bool,
}

impl Gate {
    /// The person page: identity is required; contact details and tenancy are
    /// shown when the policy allows, and each compartment read is audited.
    pub async fn person_record(&self, actor: &Actor, id: Id) -> Result<PersonRecord> {
        let tx = self.store.begin().await?;
        let (mut tx, identity) = self.authorize(tx, actor, Action::View, Compartment::Identity, Target::person(id)).await?;
        let mut person = crate::people::shown_person(&mut tx, id).await?;
        // An advisor before the caller check sees the name only.
        let details_open = self.identity_details_open(&mut tx, actor, id).await?;
        let mut evidence = if details_open { pq::evidence_for(&mut tx, id).await? } else { vec![] };
        if !details_open {
            crate::people::withhold_details(&mut person);
        }
        identity.project(&mut person);
        identity.project(&mut evidence);
        let restriction = hearth_store::restrictions::active(&mut tx, id).await?;
        let caller_check = self.current_caller_check(&mut tx, actor, id).await?.map(|(c, _)| c);
        // Marked as an opening of the person, for the staff member's "recently viewed".
        let opened = serde_json::from_str(hearth_store::audit::OPENED_DETAIL).expect("the marker is JSON");
        self.record(&mut tx, actor, &identity, Target::person(id), Some(opened)).await?;
        let contacts = match self.permit_or_note(&mut tx, actor, Action::View, Compartment::Contact, Target::person(id)).await? {
            Some(p) => {
                let mut c = pq::contacts_for(&mut tx, id).await?;
                p.project(&mut c);
                self.record(&mut tx, actor, &p, Target::person(id), None).await?;
                Some(c)
            }
            None => None,
        };
        let households = match self.permit_or_note(&mut tx, actor, Action::View, Compartment::Tenancy, Target::person(id)).await? {
            Some(p) => {
                let mut views = vec![];
                for h in q::households_of(&mut tx, id).await? {
                    views.push(household_view(&mut tx, h).await?);
                }
                p.project(&mut views);
                self.record(&mut tx, actor, &p, Target::person(id), None).await?;
                Some(views)
            }
            None => None,
        };
        tx.commit().await?;
        Ok(PersonRecord { person, evidence, contacts, households, restriction, caller_check, details_open })
    }

    /// Like `authorize`, but a refusal is recorded in the open transaction
    /// and answered with `None` so the rest of the page can still be shown.
    async fn permit_or_note(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        action: Action,
        compartment: Compartment,
        target: Target,
    ) -> Result<Option<crate::Permit>> {
        Ok(self.check(tx, actor, action, compartment, target).await?.ok())
    }

    // ---- properties ----

    pub async fn create_property(&self, actor: &Actor, input: &PropertyInput) -> Result<Property> {
        let fields = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Tenancy, Target::collection("property"), async |tx: &mut Tx| {
            let p = q::insert_property(tx, &fields, Timestamp::now()).await?;
            Ok((p.clone(), Target::of("property", p.id, None), Some(json!({ "new": p }))))
        })
        .await
    }

    pub async fn property(&self, actor: &Actor, id: Id) -> Result<Property> {
        self.guarded(actor, Action::View, Compartment::Tenancy, Target::of("property", id, None), async |tx: &mut Tx| {
            Ok((q::property(tx, id).await?, Target::of("property", id, None), None))
        })
        .await
    }

    pub async fn list_properties(&self, actor: &Actor, after: Option<Id>, limit: Option<i64>) -> Result<Page<Property>> {
        self.guarded(actor, Action::List, Compartment::Tenancy, Target::collection("property"), async |tx: &mut Tx| {
            Ok((q::list_properties(tx, after, clamp_limit(limit)).await?, Target::collection("property"), Some(json!({ "after": after }))))
        })
        .await
    }

    /// Properties matching a picker's search text (postcode, UPRN or the
    /// start of the first line), at most `limit`.
    pub async fn find_properties(&self, actor: &Actor, text: &str, limit: i64) -> Result<Vec<Property>> {
        let text = crate::people::search_text("q", text)?.unwrap_or_default();
        self.guarded(actor, Action::List, Compartment::Tenancy, Target::collection("property"), async |tx: &mut Tx| {
            let found = if text.is_empty() { vec![] } else { q::find_properties(tx, &text, clamp_limit(Some(limit))).await? };
            Ok((found, Target::collection("property"), Some(json!({ "search": true }))))
        })
        .await
    }

    pub async fn update_property(&self, actor: &Actor, id: Id, update: &PropertyUpdate) -> Result<Property> {
        let fields = update.fields.validate()?;
        self.guarded(actor, Action::Edit, Compartment::Tenancy, Target::of("property", id, None), async |tx: &mut Tx| {
            let old = q::property(tx, id).await?;
            let new = q::update_property(tx, id, update.version, &fields).await?;
            Ok((new.clone(), Target::of("property", id, None), change(&old, &new)))
        })
        .await
    }

    // ---- households ----

    pub async fn create_household(&self, actor: &Actor, input: &HouseholdInput) -> Result<Household> {
        let property_id = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Tenancy, Target::collection("household"), async |tx: &mut Tx| {
            let h = q::insert_household(tx, property_id, Timestamp::now()).await?;
            Ok((h.clone(), Target::of("household", h.id, None), Some(json!({ "new": h }))))
        })
        .await
    }

    pub async fn household(&self, actor: &Actor, id: Id) -> Result<HouseholdView> {
        self.guarded(actor, Action::View, Compartment::Tenancy, Target::of("household", id, None), async |tx: &mut Tx| {
            let h = q::household(tx, id).await?;
            Ok((household_view(tx, h).await?, Target::of("household", id, None), None))
        })
        .await
    }

    pub async fn list_households(&self, actor: &Actor, after: Option<Id>, limit: Option<i64>) -> Result<Page<Household>> {
        self.guarded(actor, Action::List, Compartment::Tenancy, Target::collection("household"), async |tx: &mut Tx| {
            Ok((q::list_households(tx, after, clamp_limit(limit)).await?, Target::collection("household"), Some(json!({ "after": after }))))
        })
        .await
    }

    pub async fn update_household(&self, actor: &Actor, id: Id, update: &HouseholdUpdate) -> Result<Household> {
        let property_id = update.fields.validate()?;
        self.guarded(actor, Action::Edit, Compartment::Tenancy, Target::of("household", id, None), async |tx: &mut Tx| {
            let old = q::household(tx, id).await?;
            let new = q::update_household(tx, id, update.version, property_id).await?;
            Ok((new.clone(), Target::of("household", id, None), change(&old, &new)))
        })
        .await
    }

    pub async fn add_member(&self, actor: &Actor, household_id: Id, input: &MembershipInput) -> Result<Membership> {
        self.guarded(actor, Action::Create, Compartment::Tenancy, Target::of("household", household_id, None), async |tx: &mut Tx| {
            let kind = member_kind(tx, input.person_id).await?;
            let fields = input.validate(kind)?;
            q::household(tx, household_id).await?;
            let m = q::insert_membership(tx, household_id, &fields, Timestamp::now()).await?;
            Ok((m.clone(), Target::of("membership", m.id, Some(m.person_id)), Some(json!({ "new": m }))))
        })
        .await
    }

    pub async fn update_member(&self, actor: &Actor, id: Id, update: &MembershipUpdate) -> Result<Membership> {
        self.guarded(actor, Action::Edit, Compartment::Tenancy, Target::of("membership", id, None), async |tx: &mut Tx| {
            let old = q::membership(tx, id).await?;
            let kind = member_kind(tx, update.fields.person_id).await?;
            let fields = update.fields.validate(kind)?;
            let new = q::update_membership(tx, id, update.version, &fields).await?;
            Ok((new.clone(), Target::of("membership", id, Some(new.person_id)), change(&old, &new)))
        })
        .await
    }

    // ---- tenancies ----

    pub async fn create_tenancy(&self, actor: &Actor, input: &TenancyInput) -> Result<Tenancy> {
        let fields = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Tenancy, Target::collection("tenancy"), async |tx: &mut Tx| {
            let t = q::insert_tenancy(tx, &fields, Timestamp::now()).await?;
            Ok((t.clone(), Target::of("tenancy", t.id, None), Some(json!({ "new": t }))))
        })
        .await
    }

    pub async fn tenancy(&self, actor: &Actor, id: Id) -> Result<Tenancy> {
        self.guarded(actor, Action::View, Compartment::Tenancy, Target::of("tenancy", id, None), async |tx: &mut Tx| {
            Ok((q::tenancy(tx, id).await?, Target::of("tenancy", id, None), None))
        })
        .await
    }

    pub async fn list_tenancies(&self, actor: &Actor, after: Option<Id>, limit: Option<i64>) -> Result<Page<Tenancy>> {
        self.guarded(actor, Action::List, Compartment::Tenancy, Target::collection("tenancy"), async |tx: &mut Tx| {
            Ok((q::list_tenancies(tx, after, clamp_limit(limit)).await?, Target::collection("tenancy"), Some(json!({ "after": after }))))
        })
        .await
    }

    /// Edits a tenancy; setting an end date and reason ends it.
    pub async fn update_tenancy(&self, actor: &Actor, id: Id, update: &TenancyUpdate) -> Result<Tenancy> {
        let fields = update.fields.validate()?;
        self.guarded(actor, Action::Edit, Compartment::Tenancy, Target::of("tenancy", id, None), async |tx: &mut Tx| {
            let old = q::tenancy(tx, id).await?;
            let new = q::update_tenancy(tx, id, update.version, &fields, Timestamp::now()).await?;
            Ok((new.clone(), Target::of("tenancy", id, None), change(&old, &new)))
        })
        .await
    }
}

async fn member_kind(tx: &mut Tx, person_id: Option<Id>) -> Result<Option<PersonKind>> {
    match person_id {
        None => Ok(None),
        Some(pid) => match pq::person(tx, pid).await {
            Ok(p) => Ok(Some(p.kind)),
            Err(hearth_store::StoreError::NotFound) => Err(FieldError::new("person_id", "No such person").into()),
            Err(e) => Err(GateError::from(e)),
        },
    }
}

async fn household_view(tx: &mut Tx, household: Household) -> Result<HouseholdView> {
    let property = q::property(tx, household.property_id).await?;
    let mut members = vec![];
    for m in q::members_of(tx, household.id).await? {
        let p = pq::person(tx, m.person_id).await?;
        members.push(MemberView { membership: m, given_name: p.given_name, family_name: p.family_name, kind: p.kind });
    }
    let tenancies = q::tenancies_of_household(tx, household.id).await?;
    Ok(HouseholdView { household, property, members, tenancies })
}
