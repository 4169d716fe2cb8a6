//! Gate operations on people, their identity evidence and contact points,
//! and the customer search. Identity evidence sits in the identity
//! compartment; contact points in the contact compartment.

use crate::{change, Actor, Gate, GateError, Result, Target};
use hearth_domain::people::{IdentityEvidenceInput, IdentityEvidenceUpdate, Person, PersonInput, PersonKind, PersonUpdate};
use hearth_domain::property::HouseholdRole;
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    people::{ContactPoint, ContactPointInput, ContactPointUpdate, IdentityEvidence},
    Id,
};
use hearth_store::people::{self as q, PersonFilter};
use hearth_store::{Page, Tx};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A person to show: one reduced to a skeleton is [`GateError::Disposed`]
/// with the day, not a bare "not found".
pub(crate) async fn shown_person(tx: &mut Tx, id: Id) -> Result<Person> {
    match crate::person_of(tx, id).await {
        Err(hearth_store::StoreError::NotFound) => match q::disposed_at(tx, id).await? {
            Some(at) => Err(GateError::Disposed { on: at.to_zoned_datetime(jiff::tz::TimeZone::UTC).date() }),
            None => Err(GateError::NotFound),
        },
        r => Ok(r?),
    }
}

/// Lists are capped so one request cannot pull the whole register.
pub const MAX_PAGE: i64 = 100;

pub fn clamp_limit(limit: Option<i64>) -> i64 {
    limit.unwrap_or(25).clamp(1, MAX_PAGE)
}

/// How well a person found matched the words searched for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// Every word is one of their names in full (or nothing but names was searched).
    Exact,
    /// Every word starts one of their names.
    Starts,
    /// A close spelling of one of their names.
    Close,
}

impl Match {
    fn of(rank: i64) -> Match {
        match rank {
            0 => Match::Exact,
            1..=9 => Match::Starts,
            _ => Match::Close,
        }
    }
}

/// One person the customer search found, with what tells them apart from
/// others of the same name. Each part is empty when the actor may not see
/// it for this person.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonMatch {
    pub person: Person,
    pub matched: Match,
    /// Their part in their household (tenant, household member, …).
    pub role: Option<HouseholdRole>,
    /// First line and town of their home, or of their postal address.
    pub address: Option<String>,
    pub postcode: Option<String>,
    pub tenancy_reference: Option<String>,
    /// Whether the home shown is current (false: a household they left or
    /// a tenancy that ended); empty when no home is shown.
    pub current_home: Option<bool>,
}

impl PersonMatch {
    fn bare(person: Person, matched: Match) -> PersonMatch {
        PersonMatch { person, matched, role: None, address: None, postcode: None, tenancy_reference: None, current_home: None }
    }
}

/// A page of the customer search, best match first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub items: Vec<PersonMatch>,
    /// `start` for the next page, when there is one.
    pub next_start: Option<i64>,
}

/// The search's answer is projected as a list of people is: each person's
/// fields by the classes the list permits. The home shown with each was
/// decided as that person's tenancy or contact details (see
/// [`Gate::search_people`]).
impl hearth_domain::classes::Project for SearchResults {
    fn project(&mut self, permitted: hearth_domain::classes::ClassSet) {
        for m in &mut self.items {
            m.person.project(permitted);
        }
    }
}

/// Empties what only [`Gate::identity_details_open`] shows: the person's
/// identifiers, as their class declaration names them.
pub(crate) fn withhold_details(p: &mut Person) {
    hearth_domain::classes::Project::project(
        p,
        hearth_domain::classes::ClassSet::all().without(hearth_domain::classes::DataClass::Identifiers),
    );
}

/// A child's record may not hold contact points or identity evidence.
async fn adult_only(tx: &mut Tx, person_id: Id) -> Result<Person> {
    let p = q::person(tx, person_id).await?;
    if p.kind == PersonKind::Child {
        return Err(FieldError::new("person_id", "A child's record holds only names and date of birth").into());
    }
    Ok(p)
}

impl Gate {
    pub async fn create_person(&self, actor: &Actor, input: &PersonInput) -> Result<Person> {
        let fields = input.validate(Gate::today())?;
        self.guarded(actor, Action::Create, Compartment::Identity, Target::collection("person"), async |tx: &mut Tx| {
            let p = q::insert_person(tx, &fields, Timestamp::now()).await?;
            Ok((p.clone(), Target::person(p.id), Some(json!({ "new": p }))))
        })
        .await
    }

    /// A person; one reduced to a skeleton by retention is
    /// [`GateError::Disposed`], with the day (410 in the API, a page saying
    /// so in the UI), so staff learn why the record is empty.
    ///
    /// Date of birth and National Insurance number come back empty when the
    /// policies withhold the person's identity details from the actor (an
    /// advisor before the caller check): see [`Gate::identity_details_open`].
    pub async fn person(&self, actor: &Actor, id: Id) -> Result<Person> {
        self.guarded(actor, Action::View, Compartment::Identity, Target::person(id), async |tx: &mut Tx| {
            let mut p = shown_person(tx, id).await?;
            if !self.identity_details_open(tx, actor, id).await? {
                withhold_details(&mut p);
            }
            Ok((p, Target::person(id), None))
        })
        .await
    }

    /// The names of the people `ids` that the actor may read, for pages that
    /// list people by reference (a history caption, review lists): each is
    /// decided and audited as a read of that person; one the actor may not
    /// read is left out, never shown by number.
    pub async fn person_names(&self, actor: &Actor, ids: &[Id]) -> Result<std::collections::BTreeMap<Id, String>> {
        let mut names = std::collections::BTreeMap::new();
        for &id in ids {
            if names.contains_key(&id) {
                continue;
            }
            match self.person(actor, id).await {
                Ok(p) => {
                    names.insert(id, p.full_name());
                }
                Err(GateError::Denied { .. } | GateError::NotFound | GateError::Disposed { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        Ok(names)
    }

    /// Whether the actor may see the person's identity details (date of
    /// birth, NI number, identity evidence) as well as their name: record
    /// type `identity_details`, which an advisor sees only after checking
    /// the caller (a caller could otherwise be asked what the advisor has
    /// just read). A refusal is audited.
    pub(crate) async fn identity_details_open(&self, tx: &mut Tx, actor: &Actor, id: Id) -> Result<bool> {
        Ok(self.check(tx, actor, Action::View, Compartment::Identity, Target::of("identity_details", id, Some(id))).await?.is_ok())
    }

    pub async fn update_person(&self, actor: &Actor, id: Id, update: &PersonUpdate) -> Result<Person> {
        let fields = update.fields.validate(Gate::today())?;
        self.guarded(actor, Action::Edit, Compartment::Identity, Target::person(id), async |tx: &mut Tx| {
            let old = q::person(tx, id).await?;
            let new = q::update_person(tx, id, update.version, &fields, Timestamp::now()).await?;
            Ok((new.clone(), Target::person(id), change(&old, &new)))
        })
        .await
    }

    /// Lists or searches people. One audit event records the filter used.
    pub async fn list_people(&self, actor: &Actor, filter: &PersonFilter, after: Option<Id>, limit: Option<i64>) -> Result<Page<Person>> {
        let detail = json!({
            "name": filter.name_tokens, "date_of_birth": filter.date_of_birth.map(|d| d.to_string()), "postcode": filter.postcode,
            "address": filter.address, "tenancy_reference": filter.tenancy_reference, "after": after,
        });
        self.guarded(actor, Action::List, Compartment::Identity, Target::collection("person"), async |tx: &mut Tx| {
            let mut page = q::list_people(tx, filter, after, clamp_limit(limit)).await?;
            // Each person's fields are decided as that person's: a caller
            // check opens one person's identifiers, not a list of people's.
            for p in page.items.iter_mut() {
                match self.would_permit(tx, actor, Action::View, Compartment::Identity, Target::person(p.id)).await? {
                    Some(classes) if classes.is_all() => {}
                    Some(classes) => hearth_domain::classes::Project::project(p, classes),
                    None => hearth_domain::classes::Project::project(p, hearth_domain::classes::ClassSet::NONE),
                }
            }
            let mut detail = detail;
            detail["returned"] = json!(page.items.iter().map(|p| p.id).collect::<Vec<_>>());
            Ok((page, Target::collection("person"), Some(detail)))
        })
        .await
    }

    /// The customer search, best match first (see
    /// [`hearth_store::people::search_people`]): each person found comes
    /// with what tells them apart from others of the same name, each part
    /// decided as that person's: their names and date of birth as
    /// [`Gate::list_people`] shows them; their home, their part in its
    /// household and its tenancy reference only when the actor may see the
    /// person's tenancy; else a postal address of theirs when the actor may
    /// see their contact details. One audit event records the search, who
    /// was returned and whose home was shown.
    pub async fn search_people(
        &self,
        actor: &Actor,
        filter: &PersonFilter,
        start: Option<i64>,
        limit: Option<i64>,
    ) -> Result<SearchResults> {
        let start = start.unwrap_or(0).clamp(0, 10_000);
        let limit = clamp_limit(limit);
        let detail = json!({
            "name": filter.name_tokens, "date_of_birth": filter.date_of_birth.map(|d| d.to_string()), "postcode": filter.postcode,
            "address": filter.address, "tenancy_reference": filter.tenancy_reference, "phone": filter.phone, "email": filter.email,
            "start": start, "ranked": true,
        });
        let today = Gate::today();
        self.guarded(actor, Action::List, Compartment::Identity, Target::collection("person"), async |tx: &mut Tx| {
            let (found, more) = q::search_people(tx, filter, start, limit).await?;
            let ids: Vec<Id> = found.iter().map(|f| f.person.id).collect();
            let homes = q::homes_in_brief(tx, &ids).await?;
            let addresses = q::addresses_of(tx, &ids, today).await?;
            let (mut items, mut homes_shown, mut addresses_shown) = (vec![], vec![], vec![]);
            for f in found {
                let mut person = f.person;
                let id = person.id;
                let identity = self.would_permit(tx, actor, Action::View, Compartment::Identity, Target::person(id)).await?;
                let m = Match::of(f.rank);
                let Some(classes) = identity else {
                    hearth_domain::classes::Project::project(&mut person, hearth_domain::classes::ClassSet::NONE);
                    items.push(PersonMatch::bare(person, m));
                    continue;
                };
                if !classes.is_all() {
                    hearth_domain::classes::Project::project(&mut person, classes);
                }
                let mut item = PersonMatch::bare(person, m);
                let mut home = homes.iter().find(|h| h.person_id == id);
                if home.is_some() && self.would_permit(tx, actor, Action::View, Compartment::Tenancy, Target::person(id)).await?.is_none() {
                    home = None;
                }
                if let Some(h) = home {
                    item.role = Some(h.role);
                    item.address = Some(format!("{}, {}", h.line1, h.town));
                    item.postcode = Some(h.postcode.clone());
                    item.tenancy_reference = h.tenancy_reference.clone();
                    item.current_home = Some(h.current);
                    homes_shown.push(id);
                } else if let Some(a) = addresses.iter().find(|a| a.person_id == id) {
                    let contact = self.would_permit(tx, actor, Action::View, Compartment::Contact, Target::person(id)).await?;
                    if contact.is_some_and(|c| c.contains(hearth_domain::classes::DataClass::PostalAddress)) {
                        item.address = Some([&a.line1, &a.town].into_iter().flatten().cloned().collect::<Vec<_>>().join(", "));
                        item.postcode = a.postcode.clone();
                        addresses_shown.push(id);
                    }
                }
                items.push(item);
            }
            let mut detail = detail;
            detail["returned"] = json!(ids);
            detail["homes_shown"] = json!(homes_shown);
            detail["addresses_shown"] = json!(addresses_shown);
            let next_start = more.then_some(start + limit);
            Ok((SearchResults { items, next_start }, Target::collection("person"), Some(detail)))
        })
        .await
    }

    // ---- identity evidence ----

    pub async fn add_evidence(&self, actor: &Actor, person_id: Id, input: &IdentityEvidenceInput) -> Result<IdentityEvidence> {
        let fields = input.validate(Gate::today())?;
        self.guarded(actor, Action::Create, Compartment::Identity, Target::person(person_id), async |tx: &mut Tx| {
            adult_only(tx, person_id).await?;
            let e = q::insert_evidence(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((e.clone(), Target::of("identity_evidence", e.id, Some(person_id)), Some(json!({ "new": e }))))
        })
        .await
    }

    pub async fn evidence_for(&self, actor: &Actor, person_id: Id) -> Result<Vec<IdentityEvidence>> {
        let target = Target::of("identity_details", person_id, Some(person_id));
        self.guarded(actor, Action::View, Compartment::Identity, target, async |tx: &mut Tx| {
            q::person(tx, person_id).await?;
            Ok((q::evidence_for(tx, person_id).await?, Target::of("identity_evidence", person_id, Some(person_id)), None))
        })
        .await
    }

    /// The person an identity evidence record is about, so the policies are
    /// asked about that person.
    async fn evidence_owner(&self, id: Id) -> Result<Option<Id>> {
        self.owner(async |tx: &mut Tx| match q::evidence(tx, id).await {
            Ok(e) => Ok(Some(e.person_id)),
            Err(hearth_store::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    pub async fn update_evidence(&self, actor: &Actor, id: Id, update: &IdentityEvidenceUpdate) -> Result<IdentityEvidence> {
        let fields = update.fields.validate(Gate::today())?;
        let person = self.evidence_owner(id).await?;
        self.guarded(actor, Action::Edit, Compartment::Identity, Target::of("identity_evidence", id, person), async |tx: &mut Tx| {
            let old = q::evidence(tx, id).await?;
            let new = q::update_evidence(tx, id, update.version, &fields).await?;
            Ok((new.clone(), Target::of("identity_evidence", id, Some(old.person_id)), change(&old, &new)))
        })
        .await
    }

    pub async fn delete_evidence(&self, actor: &Actor, id: Id) -> Result<()> {
        let person = self.evidence_owner(id).await?;
        self.guarded(actor, Action::Delete, Compartment::Identity, Target::of("identity_evidence", id, person), async |tx: &mut Tx| {
            let old = q::evidence(tx, id).await?;
            q::delete_evidence(tx, id).await?;
            Ok(((), Target::of("identity_evidence", id, Some(old.person_id)), Some(json!({ "old": old }))))
        })
        .await
    }

    // ---- contact points ----

    pub async fn add_contact(&self, actor: &Actor, person_id: Id, input: &ContactPointInput) -> Result<ContactPoint> {
        let fields = input.validate()?;
        self.guarded(actor, Action::Create, Compartment::Contact, Target::person(person_id), async |tx: &mut Tx| {
            adult_only(tx, person_id).await?;
            let c = q::insert_contact(tx, person_id, &fields, Timestamp::now()).await?;
            Ok((c.clone(), Target::of("contact_point", c.id, Some(person_id)), Some(json!({ "new": c }))))
        })
        .await
    }

    pub async fn contacts_for(&self, actor: &Actor, person_id: Id) -> Result<Vec<ContactPoint>> {
        self.guarded(actor, Action::View, Compartment::Contact, Target::person(person_id), async |tx: &mut Tx| {
            q::person(tx, person_id).await?;
            Ok((q::contacts_for(tx, person_id).await?, Target::of("contact_point", person_id, Some(person_id)), None))
        })
        .await
    }

    /// The person a contact point belongs to, so the policies are asked
    /// about that person (an advisor's caller check is per person).
    async fn contact_owner(&self, id: Id) -> Result<Option<Id>> {
        self.owner(async |tx: &mut Tx| match q::contact(tx, id).await {
            Ok(c) => Ok(Some(c.person_id)),
            Err(hearth_store::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        })
        .await
    }

    pub async fn contact(&self, actor: &Actor, id: Id) -> Result<ContactPoint> {
        let person = self.contact_owner(id).await?;
        self.guarded(actor, Action::View, Compartment::Contact, Target::of("contact_point", id, person), async |tx: &mut Tx| {
            let c = q::contact(tx, id).await?;
            Ok((c.clone(), Target::of("contact_point", id, Some(c.person_id)), None))
        })
        .await
    }

    pub async fn update_contact(&self, actor: &Actor, id: Id, update: &ContactPointUpdate) -> Result<ContactPoint> {
        let person = self.contact_owner(id).await?;
        self.guarded(actor, Action::Edit, Compartment::Contact, Target::of("contact_point", id, person), async |tx: &mut Tx| {
            let old = q::contact(tx, id).await?;
            // The kind of a contact point is fixed once created.
            if let Some(k) = update.fields.kind.as_deref().filter(|k| !k.trim().is_empty()) {
                if k.trim() != old.kind.as_str() {
                    return Err(FieldError::new("kind", "A contact point's kind cannot change; add a new one instead").into());
                }
            }
            let fields = update.fields.validate_as(old.kind)?;
            let new = q::update_contact(tx, id, update.version, old.person_id, &fields, Timestamp::now()).await?;
            Ok((new.clone(), Target::of("contact_point", id, Some(old.person_id)), change(&old, &new)))
        })
        .await
    }

    pub async fn delete_contact(&self, actor: &Actor, id: Id) -> Result<()> {
        let person = self.contact_owner(id).await?;
        self.guarded(actor, Action::Delete, Compartment::Contact, Target::of("contact_point", id, person), async |tx: &mut Tx| {
            let old = q::contact(tx, id).await?;
            q::delete_contact(tx, id).await?;
            Ok(((), Target::of("contact_point", id, Some(old.person_id)), Some(json!({ "old": old }))))
        })
        .await
    }
}

/// Turns one free-text search box into a filter: a date searches dates of
/// birth, a postcode searches addresses, an email address or phone number
/// (10 digits or more, spaces and +44 as they come) searches the people's
/// own, a tenancy-like reference searches
/// tenancies, text starting with a house number searches address lines, and
/// anything else searches names. Over-long text or control characters are
/// refused naming `q` (PostgreSQL cannot even compare text holding NUL).
pub fn parse_search(q: &str) -> Result<PersonFilter, GateError> {
    let mut f = PersonFilter::default();
    let Some(q) = search_text("q", q)? else {
        return Ok(f);
    };
    let q = q.as_str();
    if let Some(d) = parse_uk_or_iso_date(q) {
        f.date_of_birth = Some(d);
    } else if hearth_domain::validate::postcode("q", q).is_ok() {
        f.postcode = Some(q.to_string());
    } else if q.contains('@') && !q.contains(char::is_whitespace) {
        f.email = Some(q.to_string());
    } else if hearth_domain::search::phone_key(q).is_some_and(|k| k.len() >= 10) {
        f.phone = Some(q.to_string());
    } else if q.contains('-') && q.chars().any(|c| c.is_ascii_digit()) && !q.contains(' ') {
        f.tenancy_reference = Some(q.to_string());
    } else if q.starts_with(|c: char| c.is_ascii_digit()) {
        f.address = Some(q.to_string());
    } else {
        f.name_tokens = q.split_whitespace().map(str::to_string).collect();
    }
    Ok(f)
}

/// The most a search term may hold: a full name or address line fits well within it.
const MAX_SEARCH_CHARS: usize = 200;

/// One search term: trimmed, blank is `None`, bounded and free of control characters.
pub fn search_text(field: &str, text: &str) -> Result<Option<String>, hearth_domain::error::FieldError> {
    hearth_domain::validate::optional_text(field, Some(text), MAX_SEARCH_CHARS, "search")
}

/// Accepts 2 March 1984 as `1984-03-02` or `02/03/1984`.
fn parse_uk_or_iso_date(s: &str) -> Option<jiff::civil::Date> {
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return Some(d);
    }
    let parts: Vec<&str> = s.split('/').collect();
    if let [d, m, y] = parts[..] {
        if y.len() == 4 {
            return jiff::civil::Date::new(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_search_box_understands_dates_postcodes_references_addresses_and_names() {
        assert_eq!(parse_search("02/03/1984").unwrap().date_of_birth.unwrap().to_string(), "1984-03-02");
        assert_eq!(parse_search("zz99 3ab").unwrap().postcode.as_deref(), Some("zz99 3ab"));
        assert_eq!(parse_search("TEN-000123").unwrap().tenancy_reference.as_deref(), Some("TEN-000123"));
        assert_eq!(parse_search("12 Imaginary Row").unwrap().address.as_deref(), Some("12 Imaginary Row"));
        assert_eq!(parse_search("ada test").unwrap().name_tokens, ["ada", "test"]);
        assert_eq!(parse_search("+44 7700 900123").unwrap().phone.as_deref(), Some("+44 7700 900123"));
        assert_eq!(parse_search("07700-900-123").unwrap().phone.as_deref(), Some("07700-900-123"));
        assert_eq!(parse_search("Ada.Test@Example.org").unwrap().email.as_deref(), Some("Ada.Test@Example.org"));
        assert!(!parse_search("  ").unwrap().is_search());
    }
}
