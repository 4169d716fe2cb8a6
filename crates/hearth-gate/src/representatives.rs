//! Gate operations on authorised representatives and caller checks.
//!
//! Representatives live in the `contact` compartment: who may speak for a
//! person is part of how the landlord communicates with them, and everyone
//! who takes a call must see the list before a check, when nothing else of
//! the person's but their name is open to an advisor (the policies exempt
//! it from the advisor's contact rule). Capacity details behind
//! an attorney or deputy stay in `needs`; here only the relationship and
//! the evidence reference are kept.
//!
//! Caller checks are identity verification, so they live in `identity`
//! beside identity evidence. The advisor types the caller's answers and the
//! gate compares them with what is held: the memorable word (hashed), the
//! phone numbers and email addresses on file, the year a tenancy started,
//! none of which the advisor sees before the check. A check is the
//! advisor's own and lasts for the call; what it opens is decided by the
//! Cedar policies (context `caller_checked`), never here. Every attempt is
//! audited, never with the answers: a passed check as an allowed create, a
//! failed one as a refusal with its reason.
//! Recording a check changes nothing about the person, so a restriction of
//! processing does not stop it: a restricted person may still ask about
//! their account.

use crate::{event, Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    error::{FieldError, ValidationErrors},
    representatives::{
        representative_current, validate_memorable_word, CallerCheckArea, CallerCheckBasis, CallerCheckInput, CallerCheckItem,
        CallerCheckOutcome, EndRepresentativeInput, HeldFacts, MemorableWordInput, RepresentativeInput, FAILED_CALLER_CHECKS_WINDOW,
        MAX_FAILED_CALLER_CHECKS,
    },
    Id,
};
use hearth_store::audit;
use hearth_store::representatives::{self as q, CallerCheck, NewCallerCheck, Representative};
use hearth_store::Tx;
use jiff::Timestamp;
use serde_json::json;

impl Gate {
    /// A person's representatives, current and past, newest first.
    pub async fn representatives(&self, actor: &Actor, person_id: Id) -> Result<Vec<Representative>> {
        let target = Target::of("representative", person_id, Some(person_id));
        self.guarded(actor, Action::List, Compartment::Contact, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            let reps = q::for_person(tx, person_id).await?;
            let ids: Vec<Id> = reps.iter().map(|r| r.id).collect();
            Ok((reps, target, Some(json!({ "returned": ids }))))
        })
        .await
    }

    /// Records a representative for a person, on the evidence given.
    pub async fn add_representative(&self, actor: &Actor, person_id: Id, input: &RepresentativeInput) -> Result<Representative> {
        let fields = input.validate(Gate::today())?;
        let target = Target::of("representative", person_id, Some(person_id));
        self.guarded(actor, Action::Create, Compartment::Contact, target, async |tx: &mut Tx| {
            crate::person_of(tx, person_id).await?;
            if let Some(rep) = fields.person_id {
                if rep == person_id {
                    return Err(FieldError::new("person_id", "A person cannot be their own representative").into());
                }
                match hearth_store::people::person(tx, rep).await {
                    Ok(_) => {}
                    Err(hearth_store::StoreError::NotFound) => {
                        return Err(FieldError::new("person_id", "There is no person with that record number").into())
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            let r = q::insert(tx, person_id, &fields, actor.user_id, Timestamp::now()).await?;
            Ok((r.clone(), Target::of("representative", r.id, Some(person_id)), Some(json!({ "new": r }))))
        })
        .await
    }

    /// Ends a representative's authority, recording who, when and why.
    pub async fn end_representative(&self, actor: &Actor, id: Id, input: &EndRepresentativeInput) -> Result<Representative> {
        let reason = input.validate()?;
        let person = {
            let mut tx = self.store.begin().await?;
            let r = q::representative(&mut tx, id).await;
            drop(tx);
            match r {
                Ok(r) => Some(r.person_id),
                Err(hearth_store::StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            }
        };
        let target = Target::of("representative", id, person);
        self.guarded(actor, Action::Edit, Compartment::Contact, target, async |tx: &mut Tx| {
            let before = q::representative(tx, id).await?;
            let after = q::end(tx, id, &reason, actor.user_id, Timestamp::now()).await?;
            Ok((after.clone(), Target::of("representative", id, Some(after.person_id)), crate::change(&before, &after)))
        })
        .await
    }

    /// Records a caller check by the actor for the person on this call. The
    /// caller's answers are compared here with what is held (the advisor
    /// has not seen the hidden facts): at least two must match, one of them
    /// hidden, and none be wrong. A failed check (answers that do not match,
    /// too few, or a representative who is not current or whose scope does
    /// not cover what is asked) is audited without the answers, nothing is
    /// stored, and it is refused with the field at fault. After
    /// [`MAX_FAILED_CALLER_CHECKS`] failed comparisons in
    /// [`FAILED_CALLER_CHECKS_WINDOW`] the advisor may not try again for a while.
    pub async fn record_caller_check(&self, actor: &Actor, person_id: Id, input: &CallerCheckInput) -> Result<CallerCheck> {
        let target = Target::of("caller_check", person_id, Some(person_id));
        let fields = input.validate();
        let tx = self.store.begin().await?;
        let (mut tx, permit) = self.authorize(tx, actor, Action::Create, Compartment::Identity, target).await?;
        let person = crate::person_of(&mut tx, person_id).await?;
        let now = Timestamp::now();
        let refuse = async |tx: &mut Tx, policy: &str, why: String, detail: serde_json::Value| -> Result<()> {
            let e = event(actor, Action::Create, Compartment::Identity, target, "deny", policy, Some(why), Some(detail.to_string()));
            audit::append(tx, &e, now).await?;
            Ok(())
        };
        let compared = matches!(&fields, Ok(f) if matches!(f.basis, CallerCheckBasis::Answers(_)));
        if compared {
            let failed = q::failed_checks_since(&mut tx, actor.user_id, person_id, now - FAILED_CALLER_CHECKS_WINDOW).await?;
            if failed >= MAX_FAILED_CALLER_CHECKS {
                let why = format!("Caller check refused: {failed} failed checks for this person in the last 30 minutes");
                refuse(&mut tx, "caller-check-limit", why, json!({ "failed_checks": failed })).await?;
                tx.commit().await?;
                return Err(GateError::Throttled { retry_after: FAILED_CALLER_CHECKS_WINDOW });
            }
        }
        let checked = match fields {
            Err(e) => Err((e, "caller-check", json!({ "representative_id": input.representative_id }))),
            Ok(f) => match &f.basis {
                CallerCheckBasis::Answers(answers) => {
                    let held = self.held_facts(&mut tx, &person).await?;
                    let word_hash = q::memorable_word_hash(&mut tx, person_id).await?;
                    let outcome = compare_answers(&held, word_hash.as_deref(), answers);
                    // Which questions were asked and how many matched; never what was said.
                    let asked: Vec<&str> = answers.iter().map(|(i, _)| i.as_str()).collect();
                    let detail = json!({ "asked": asked, "correct": outcome.correct.len(), "wrong": outcome.wrong });
                    if outcome.passed() {
                        Ok((Some(outcome.correct), None, CallerCheckArea::ALL.to_vec(), detail))
                    } else {
                        let message = if outcome.wrong > 0 {
                            "The caller's answers do not match what we hold. Do not discuss the account; you may ask again, up to 3 times in 30 minutes"
                        } else {
                            "Name, date of birth and postcode can be seen on screen or found by searching, so they are not enough: ask for their memorable word, a phone number or email address we hold, or the year their tenancy started"
                        };
                        Err((FieldError::new("answers", message).into(), "caller-check-answers", detail))
                    }
                }
                CallerCheckBasis::Representative(r) => {
                    let detail = json!({ "representative_id": r });
                    match self.representative_basis(&mut tx, person_id, *r, f.area).await? {
                        Ok(areas) => Ok((None, Some(*r), areas, detail)),
                        Err(e) => Err((e, "caller-check", detail)),
                    }
                }
            },
        };
        let (passed, representative_id, areas, detail) = match checked {
            Ok(c) => c,
            Err((errors, policy, detail)) => {
                refuse(&mut tx, policy, format!("Caller check failed: {errors}"), detail).await?;
                tx.commit().await?;
                return Err(GateError::Invalid(errors));
            }
        };
        let expires_at = now.saturating_add(self.caller_check_for).map_err(|_| GateError::Conflict)?;
        let new = NewCallerCheck {
            person_id,
            staff_id: actor.user_id,
            checks_passed: passed.as_deref(),
            representative_id,
            areas: &areas,
            checked_at: now,
            expires_at,
        };
        let check = q::insert_check(&mut tx, &new).await?;
        let recorded = Target::of("caller_check", check.id, Some(person_id));
        self.record(&mut tx, actor, &permit, recorded, Some(json!({ "passed": check, "compared": detail }))).await?;
        tx.commit().await?;
        Ok(check)
    }

    /// What a caller's answers are compared with: the person's names and
    /// date of birth, their contact details and homes, their tenancies.
    async fn held_facts(&self, tx: &mut Tx, person: &hearth_domain::people::Person) -> Result<HeldFacts> {
        let (phones, emails, postcodes, tenancy_start_years) = q::held_contact_facts(tx, person.id, Gate::today()).await?;
        Ok(HeldFacts {
            given_name: person.given_name.clone(),
            family_name: person.family_name.clone(),
            preferred_name: person.preferred_name.clone(),
            date_of_birth: person.date_of_birth,
            phones,
            emails,
            postcodes,
            tenancy_start_years,
        })
    }

    /// The questions worth asking this caller: those whose facts are held
    /// (never the facts themselves), for the caller-check form.
    pub async fn caller_check_questions(&self, actor: &Actor, person_id: Id) -> Result<Vec<CallerCheckItem>> {
        let target = Target::of("caller_check", person_id, Some(person_id));
        self.guarded(actor, Action::View, Compartment::Identity, target, async |tx: &mut Tx| {
            let person = crate::person_of(tx, person_id).await?;
            let held = self.held_facts(tx, &person).await?;
            let has_word = q::memorable_word_hash(tx, person_id).await?.is_some();
            Ok((held.askable(has_word), target, None))
        })
        .await
    }

    /// Sets or replaces the person's memorable word, which they choose and
    /// which is never shown again: only its Argon2id hash is stored, and
    /// the audit event says it was set, not what it is. A change to how the
    /// landlord identifies the person on the phone, so it sits in `contact`
    /// (record type `memorable_word`): an advisor sets it only for a
    /// checked caller.
    pub async fn set_memorable_word(&self, actor: &Actor, person_id: Id, input: &MemorableWordInput) -> Result<()> {
        let word = validate_memorable_word(input.memorable_word.as_deref().unwrap_or(""))?;
        // Hashed before the transaction: Argon2id takes a while and must not hold the write lock.
        let hash = crate::auth::hash_password(&word);
        let target = Target::of("memorable_word", person_id, Some(person_id));
        self.guarded(actor, Action::Edit, Compartment::Contact, target, async |tx: &mut Tx| {
            let person = crate::person_of(tx, person_id).await?;
            if person.kind == hearth_domain::people::PersonKind::Child {
                return Err(FieldError::new("memorable_word", "A child's record holds only names and date of birth").into());
            }
            let replaced = q::memorable_word_hash(tx, person_id).await?.is_some();
            q::set_memorable_word(tx, person_id, &hash, Timestamp::now()).await?;
            Ok(((), target, Some(json!({ "memorable_word": if replaced { "replaced" } else { "set" } }))))
        })
        .await
    }

    /// When the person's memorable word was set, if they have one (never the word).
    pub async fn memorable_word_set_at(&self, actor: &Actor, person_id: Id) -> Result<Option<Timestamp>> {
        let target = Target::of("memorable_word", person_id, Some(person_id));
        self.guarded(actor, Action::View, Compartment::Contact, target, async |tx: &mut Tx| {
            Ok((q::memorable_word_set_at(tx, person_id).await?, target, None))
        })
        .await
    }

    /// The areas a current representative in scope opens, or the field
    /// errors of one who is not.
    async fn representative_basis(
        &self,
        tx: &mut Tx,
        person_id: Id,
        rep_id: Id,
        area: CallerCheckArea,
    ) -> Result<Result<Vec<CallerCheckArea>, ValidationErrors>> {
        let refuse = |m: String| Ok(Err(FieldError::new("representative_id", m).into()));
        let rep = match q::representative(tx, rep_id).await {
            Ok(r) if r.person_id == person_id => r,
            Ok(_) | Err(hearth_store::StoreError::NotFound) => return refuse("Choose one of this person's representatives".into()),
            Err(e) => return Err(e.into()),
        };
        if let Err(why) = representative_current(rep.valid_from, rep.expires_on, rep.ended_at.is_some(), Gate::today()) {
            return refuse(format!("{} cannot be treated as a representative: {why}", rep.name));
        }
        if !rep.scope.covers(area) {
            return refuse(format!(
                "{}'s authority is limited to “{}” (scope {}), which does not cover {}",
                rep.name,
                rep.scope.label().to_lowercase(),
                rep.scope.as_str(),
                area.label()
            ));
        }
        Ok(Ok(CallerCheckArea::ALL.iter().copied().filter(|a| rep.scope.covers(*a)).collect()))
    }

    /// The actor's caller check for the person in force now, if any. A check
    /// that relied on a representative lapses with the representative.
    pub(crate) async fn current_caller_check(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        person_id: Id,
    ) -> Result<Option<(CallerCheck, Option<Representative>)>> {
        let Some(check) = q::current_check(tx, actor.user_id, person_id, Timestamp::now()).await? else { return Ok(None) };
        let Some(rep_id) = check.representative_id else { return Ok(Some((check, None))) };
        let rep = q::representative(tx, rep_id).await?;
        if representative_current(rep.valid_from, rep.expires_on, rep.ended_at.is_some(), Gate::today()).is_err() {
            return Ok(None);
        }
        Ok(Some((check, Some(rep))))
    }

    /// What the actor's current caller check for the person opens.
    pub(crate) async fn caller_check_areas(&self, tx: &mut Tx, actor: &Actor, person_id: Id) -> Result<Option<Vec<CallerCheckArea>>> {
        Ok(self.current_caller_check(tx, actor, person_id).await?.map(|(c, _)| c.areas))
    }

    /// Why a check in force does not open a read: the representative's scope.
    pub(crate) async fn caller_check_note(&self, tx: &mut Tx, actor: &Actor, person_id: Id) -> Result<Option<String>> {
        Ok(self.current_caller_check(tx, actor, person_id).await?.and_then(|(_, rep)| rep).map(|rep| {
            format!(
                "The caller, {}, is a representative whose authority is limited to “{}” (scope {})",
                rep.name,
                rep.scope.label().to_lowercase(),
                rep.scope.as_str()
            )
        }))
    }
}

/// Compares each answer with what is held; the memorable word by its hash
/// (a real Argon2id verification even when none is set, so the time taken
/// does not say whether one is). An answer about something not held counts
/// as wrong: the caller claimed a fact the landlord does not have.
pub fn compare_answers(held: &HeldFacts, word_hash: Option<&str>, answers: &[(CallerCheckItem, String)]) -> CallerCheckOutcome {
    let mut outcome = CallerCheckOutcome { correct: vec![], wrong: 0 };
    for (item, answer) in answers {
        let ok = match item {
            CallerCheckItem::MemorableWord => {
                let word = hearth_domain::representatives::normalise_words(answer);
                let hash = word_hash.unwrap_or(crate::auth::dummy_password_hash());
                crate::auth::verify_password(&word, hash) && word_hash.is_some()
            }
            other => held.matches(*other, answer).unwrap_or(false),
        };
        if ok {
            outcome.correct.push(*item);
        } else {
            outcome.wrong += 1;
        }
    }
    outcome
}

impl Gate {
    /// Whether the policies make this actor check the caller before a
    /// person's account is shown to them; for surfaces deciding whether to
    /// offer the caller-check form. Not a substitute for the check each read makes.
    pub fn caller_check_needed(&self, actor: &Actor) -> bool {
        use crate::policy::{AccessRequest, Relation};
        let ask = |relation: Relation| {
            let req = AccessRequest {
                actor,
                action: Action::View,
                compartment: Compartment::Tenancy,
                record_type: "person",
                record_key: "person/*".into(),
                relation,
            };
            self.policy.decide(&req).allowed
        };
        let unchecked = Relation { about_person: true, ..Default::default() };
        !ask(unchecked) && ask(Relation { caller_checked_account: true, caller_checked_repairs: true, ..unchecked })
    }
}
