//! Gate operations for reporter anonymity (seed 000, 3.1.3–3.1.5): the cases
//! on a person's own record (marked where they reported anonymously), letters
//! from a case to one named party, and overriding anonymity — asked for with
//! a recorded ground, approved by a second person of a permitted role, then
//! shown only to the person who asked, each reveal audited (in `cases`).
//!
//! Nothing a letter says is read from the case's other parties, so no letter
//! can name an anonymous reporter unless it is addressed to them.

use crate::{event, Actor, Gate, GateError, Result, Target};
use hearth_domain::redact::Identifiers;
use hearth_domain::{
    access::{Action, Compartment},
    anonymity::{AnonymityOverride, CaseLetter, OverrideInput},
    cases::{Case, PartyRole},
    classes::DataClass,
    error::FieldError,
    people::{ContactPoint, ContactPointKind, Person},
    Id,
};
use hearth_store::anonymity as a;
use hearth_store::cases::{self as q, CaseFilter};
use hearth_store::{people, Page, StoreError, Tx};
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Serialize;
use serde_json::json;

/// A case on a person's record, with how they take part in it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PersonCase {
    pub case: Case,
    pub role: PartyRole,
    /// The person reported this case and asked not to be named in it.
    pub reported_anonymously: bool,
}

/// Most overrides one request of the register returns.
const MAX_OVERRIDES: i64 = 100;

/// Who a letter is from: the member of staff, and the landlord's letterhead.
#[derive(Debug, Clone, Copy)]
pub struct Sender<'a> {
    pub name: &'a str,
    pub letterhead: &'a [String],
}

/// Composes the letter. It is given the case and the recipient only: the
/// other parties are never read, so none of them can appear in it.
pub fn compose_letter(
    c: &Case,
    role: PartyRole,
    anonymous: bool,
    recipient: &Person,
    address: &[String],
    today: Date,
    from: &Sender<'_>,
) -> CaseLetter {
    let Sender { name: from, letterhead } = *from;
    let reference = &c.reference;
    let kind_label = c.kind.label().to_lowercase();
    let (kind, subject, paragraphs) = match role {
        PartyRole::AllegedPerpetrator => (
            "report_received",
            format!("A report about {kind_label} (our reference {reference})"),
            vec![
                format!("We have received a report about {}.", c.summary.trim_end_matches('.')),
                "We have a duty to look into reports like this, and we have not decided that anything happened. We would like to hear your side of it."
                    .to_string(),
                format!("Please contact us within 10 working days, quoting reference {reference}."),
            ],
        ),
        PartyRole::Reporter | PartyRole::Complainant => {
            let mut p = vec![
                format!("Thank you for your report. We have recorded it as case {reference}: {}.", c.summary.trim_end_matches('.')),
                "An officer will look into it and contact you about what happens next.".to_string(),
            ];
            if anonymous {
                p.push(
                    "You asked us to keep your identity confidential. We will not tell anyone else that you made this report, and your name will not appear in any letter we send to anyone else about it."
                        .to_string(),
                );
            }
            ("acknowledgement", format!("Your report (our reference {reference})"), p)
        }
        other => (
            "update",
            format!("Case {reference}"),
            vec![
                format!("We are writing to you about case {reference}: {}.", c.summary.trim_end_matches('.')),
                format!("You are named in this case as a {}. Please contact us if you have anything to add.", other.label().to_lowercase()),
            ],
        ),
    };
    let from_lines: Vec<String> = letterhead.to_vec();
    let mut to_lines = vec![recipient.full_name()];
    to_lines.extend(address.iter().cloned());
    let salutation = format!("Dear {}", recipient.full_name());
    let sign_off = vec!["Yours sincerely".to_string(), from.to_string(), letterhead.first().cloned().unwrap_or_default()];
    let date_text = crate::long_date(today);
    let mut text = String::new();
    for l in &from_lines {
        text.push_str(l);
        text.push('\n');
    }
    text.push('\n');
    for l in &to_lines {
        text.push_str(l);
        text.push('\n');
    }
    text.push_str(&format!("\n{date_text}\n\nOur reference: {reference}\n\n{salutation}\n\n{subject}\n\n"));
    for p in &paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
    }
    text.push_str(&sign_off.join("\n"));
    text.push('\n');
    CaseLetter {
        case_id: c.id,
        case_reference: reference.clone(),
        kind: kind.into(),
        from_lines,
        to_lines,
        date: today,
        subject,
        salutation,
        paragraphs,
        sign_off,
        text,
        to_anonymous_reporter: anonymous,
    }
}

/// The person's current postal address as letter lines, preferred first.
async fn postal_address(tx: &mut Tx, person_id: Id, today: Date) -> Result<Vec<String>> {
    let mut addresses: Vec<ContactPoint> = people::contacts_for(tx, person_id)
        .await?
        .into_iter()
        .filter(|c| c.kind == ContactPointKind::Address && c.valid_until.is_none_or(|u| u >= today))
        .collect();
    addresses.sort_by_key(|c| !c.preferred);
    if let Some(c) = addresses.first() {
        return Ok([&c.line1, &c.line2, &c.town, &c.postcode].into_iter().flatten().cloned().collect());
    }
    // No separate postal address: a tenant's or household member's letters go home.
    for h in hearth_store::homes::households_of(tx, person_id).await? {
        let lives_there = hearth_store::homes::members_of(tx, h.id)
            .await?
            .iter()
            .any(|m| m.person_id == person_id && m.end_date.is_none_or(|e| e >= today));
        if lives_there {
            let p = hearth_store::homes::property(tx, h.property_id).await?;
            return Ok([Some(p.line1), p.line2, Some(p.town), Some(p.postcode)].into_iter().flatten().collect());
        }
    }
    Ok(vec!["(No postal address recorded)".into()])
}

/// What identifies each anonymous reporter among a case's `parties`
/// (person id, given, family, anonymous): names, phones, emails, address
/// lines, postcode, NI number and date of birth. A surname the reporter
/// shares with a named party is left to whole names, so the other party can
/// still be written about.
pub(crate) async fn reporter_identifiers(tx: &mut Tx, parties: &[(Id, String, String, bool)]) -> Result<Vec<Identifiers>> {
    let mut out = vec![];
    for (id, _, _, _) in parties.iter().filter(|p| p.3) {
        let person = people::person(tx, *id).await?;
        let contacts = people::contacts_for(tx, *id).await?;
        let mut ids = Identifiers::of(&person, &contacts);
        for (_, _, family, _) in parties.iter().filter(|p| !p.3) {
            ids.except_surname(family);
        }
        out.push(ids);
    }
    Ok(out)
}

/// Refuses `text` (the field `field`) if it identifies an anonymous reporter
/// in any way [`Identifiers`] knows, naming what it found but not the value.
pub(crate) fn check_not_identified(field: &str, text: &str, reporters: &[Identifiers]) -> Result<()> {
    for r in reporters {
        if let Some((_, class)) = r.find(text).first() {
            return Err(FieldError::new(
                field,
                format!(
                    "Do not identify the anonymous reporter (this text holds their {}): the case and its letters must not identify them",
                    class.label().to_lowercase()
                ),
            )
            .into());
        }
    }
    Ok(())
}

/// [`check_not_identified`] against the anonymous reporters on case `case_id`.
pub(crate) async fn check_case_text(tx: &mut Tx, case_id: Id, fields: &[(&str, Option<&str>)]) -> Result<()> {
    let parties = a::party_people(tx, case_id).await?;
    if !parties.iter().any(|p| p.3) {
        return Ok(());
    }
    let reporters = reporter_identifiers(tx, &parties).await?;
    for (field, text) in fields {
        if let Some(t) = text {
            check_not_identified(field, t, &reporters)?;
        }
    }
    Ok(())
}

impl Gate {
    /// Whether the actor's role may approve revealing an anonymous reporter
    /// on a case of `compartment` (policy `approve-anonymity-override`).
    pub fn may_approve_override(&self, actor: &Actor, compartment: Compartment) -> bool {
        let req = crate::policy::AccessRequest {
            actor,
            action: Action::Edit,
            compartment,
            record_type: "anonymity_override",
            record_key: "anonymity_override/*".into(),
            relation: crate::policy::Relation::default(),
        };
        self.policy.decide(&req).allowed
    }

    /// The cases on a person's own record that the actor may see, including
    /// those the person reported anonymously (marked so). Case lists
    /// elsewhere leave anonymous reports out.
    pub async fn person_cases(&self, actor: &Actor, person_id: Id) -> Result<Vec<PersonCase>> {
        let filter = CaseFilter { person_id: Some(person_id), with_anonymous_reports: true, ..Default::default() };
        let page = self.list_cases(actor, &filter, None, Some(100)).await?;
        let mut tx = self.store.begin().await?;
        let mut out = vec![];
        for c in page.items {
            if let Some((_, role, anonymous)) = a::party_of(&mut tx, c.id, person_id).await? {
                // That this person reported anonymously is itself who the
                // reporter is: shown only to those who may approve revealing them.
                if anonymous && !self.may_approve_override(actor, c.compartment) {
                    continue;
                }
                out.push(PersonCase { case: c, role, reported_anonymously: anonymous });
            }
        }
        drop(tx);
        Ok(out)
    }

    /// A letter about a case to one of its parties, for whoever may see the
    /// case; each one generated is audited. An anonymous reporter is written
    /// to only by those who may approve revealing them, and no other letter
    /// names them.
    pub async fn case_letter(&self, actor: &Actor, case_id: Id, person_id: Id) -> Result<CaseLetter> {
        let compartment = self.case_compartment(case_id).await?;
        let target = Target::of("case", case_id, None);
        self.guarded(actor, Action::View, compartment, target, async |tx: &mut Tx| {
            let c = q::case(tx, case_id).await?;
            let Some((party_id, role, anonymous)) = a::party_of(tx, case_id, person_id).await? else {
                return Err(GateError::NotFound);
            };
            // Whether a letter to someone exists would tell who reported:
            // only those who may see the reporter write to them, and to
            // anyone else the reporter is no more a party than a stranger.
            if anonymous && !self.may_approve_override(actor, c.compartment) {
                return Err(GateError::NotFound);
            }
            let person = crate::person_of(tx, person_id).await?;
            let today = Gate::today();
            // The address is contact data: a reader who may not see it (an
            // advisor before the caller check) gets the letter without it.
            let address = match self.would_permit(tx, actor, Action::View, Compartment::Contact, Target::person(person_id)).await? {
                Some(classes) if classes.contains(DataClass::PostalAddress) => postal_address(tx, person_id, today).await?,
                _ => vec!["(Address not shown to you)".into()],
            };
            // The case summary goes into the letter: everyone else on the case
            // (an anonymous reporter above all) is redacted from it, never the recipient.
            let others: Vec<Id> = a::party_people(tx, case_id).await?.into_iter().map(|p| p.0).filter(|p| *p != person_id).collect();
            let redactor = crate::bundle::redactor_for(tx, person_id, others).await?;
            let mut c = c;
            c.summary = redactor.redact(&c.summary, "[another person]");
            let letter = compose_letter(
                &c,
                role,
                anonymous,
                &person,
                &address,
                today,
                &Sender { name: &actor.display_name, letterhead: &self.letterhead },
            );
            // A letter to an anonymous reporter stays off their history, which
            // managers read; the DPO sees it in the detail.
            let recorded = Target::of("case_letter", case_id, (!anonymous).then_some(person_id));
            Ok((letter.clone(), recorded, Some(json!({ "party_id": party_id, "recipient": person_id, "letter": letter.kind }))))
        })
        .await
    }

    /// Asks to reveal an anonymous reporter, giving the ground. Anyone who
    /// may work on the case may ask; the identity stays hidden until a second
    /// person approves.
    pub async fn request_override(&self, actor: &Actor, case_id: Id, input: &OverrideInput) -> Result<AnonymityOverride> {
        let fields = input.validate()?;
        let compartment = self.case_compartment(case_id).await?;
        self.guarded(actor, Action::Edit, compartment, Target::of("case", case_id, None), async |tx: &mut Tx| {
            q::case(tx, case_id).await?;
            if !a::is_anonymous_party(tx, case_id, fields.party_id).await? {
                return Err(FieldError::new("party_id", "That party is not an anonymous reporter on this case").into());
            }
            let now = Timestamp::now();
            let o = a::insert(tx, case_id, &fields, actor.user_id, now).await?;
            let text = format!("Asked to reveal the anonymous reporter ({}); waiting for approval", fields.ground.label().to_lowercase());
            q::insert_event(tx, case_id, actor.user_id, "override_requested", &text, now).await?;
            Ok((o.clone(), Target::of("anonymity_override", o.id, None), Some(json!({ "requested": o }))))
        })
        .await
    }

    /// Approves an override: the DPO, or a safeguarding lead or manager
    /// responsible for the case's compartment, and never the person who asked.
    pub async fn approve_override(&self, actor: &Actor, id: Id) -> Result<AnonymityOverride> {
        let mut tx = self.store.begin().await?;
        let compartment = match a::by_id(&mut tx, id).await {
            Ok(o) => q::case(&mut tx, o.case_id).await?.compartment,
            // An unknown id is refused like a hidden one.
            Err(StoreError::NotFound) => Compartment::Safeguarding,
            Err(e) => return Err(e.into()),
        };
        let target = Target::of("anonymity_override", id, None);
        let (mut tx, permit) = self.authorize(tx, actor, Action::Edit, compartment, target).await?;
        let o = a::by_id(&mut tx, id).await?;
        if o.requested_by == actor.user_id {
            let reason = "the person who asked for an override cannot approve it; a second person must".to_string();
            let e = event(actor, Action::Edit, compartment, target, "deny", "override-needs-second-person", Some(reason.clone()), None);
            hearth_store::audit::append(&mut tx, &e, Timestamp::now()).await?;
            tx.commit().await?;
            return Err(GateError::refused(actor, Action::Edit, compartment, reason));
        }
        let now = Timestamp::now();
        let o = a::approve(&mut tx, id, actor.user_id, now).await?;
        let text =
            format!("Reveal of the anonymous reporter approved for {} ({})", o.requested_by_username, o.ground.label().to_lowercase());
        q::insert_event(&mut tx, o.case_id, actor.user_id, "override_approved", &text, now).await?;
        self.record(&mut tx, actor, &permit, target, Some(json!({ "approved": o }))).await?;
        tx.commit().await?;
        Ok(o)
    }

    /// The register of overrides, newest first, for the DPO.
    pub async fn list_overrides(&self, actor: &Actor, before: Option<Id>, limit: Option<i64>) -> Result<Page<AnonymityOverride>> {
        let limit = limit.unwrap_or(MAX_OVERRIDES).clamp(1, MAX_OVERRIDES);
        let target = Target::collection("anonymity_override");
        self.guarded(actor, Action::List, Compartment::Rights, target, async |tx: &mut Tx| {
            let page = a::list(tx, before, limit).await?;
            let ids: Vec<Id> = page.items.iter().map(|o| o.id).collect();
            Ok((page, target, Some(json!({ "returned": ids }))))
        })
        .await
    }
}
