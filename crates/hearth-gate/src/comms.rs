//! Gate operations for customer communications: sending a letter, email or
//! text about a rights request or a case, in the channel and format the
//! person needs, with copies to a representative whose scope covers it.
//!
//! Sending is decided like any change (the DPO for rights letters; those
//! who may work a case for its letters) and recorded in the same
//! transaction: a contact-log entry on the person (system-made, letter,
//! email or text), the rendered file as a document filed with that entry
//! (so it follows the entry's retention rule), and a communication row with
//! its delivery state. Emails and texts are handed to the transport only
//! after the commit ([`Gate::dispatch`]); a failure is recorded and shown on
//! the sender's home page. Letters are rendered to PDF for printing.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_comms::letter::{letter, Letterhead};
use hearth_comms::transport::OutgoingEmail;
use hearth_domain::{
    access::{Action, Compartment},
    cases::{CaseKind, PartyRole},
    classes::DataClass,
    comms::{route, CommChannel, CommFormat, CommStatus, Communication, Reach, RecipientRole, Template},
    contacts::{Channel, ContactFields},
    documents::DocumentKind,
    error::FieldError,
    needs::AdjustmentKind,
    people::ContactPointKind,
    representatives::RepresentativeScope,
    rights::{RefusalGround, RightsRequest},
    Id,
};
use hearth_store::comms::{self as q, NewCommunication};
use hearth_store::Tx;
use jiff::civil::Date;
use jiff::Timestamp;
use serde::Deserialize;
use serde_json::{json, Value};

/// Most failures the home page lists.
const MAX_FAILURES: i64 = 20;

/// A request to send a letter, as posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SendInput {
    /// Which letter: for a rights request rights_acknowledgement, identity_request,
    /// clarification, extension_notice, refusal or response_cover; for a complaint
    /// complaint_acknowledgement or complaint_response; for any case case_letter.
    pub template: Option<String>,
    /// A case letter's recipient (one of the case's parties).
    pub person_id: Option<Id>,
    /// The words of a complaint response.
    pub response: Option<String>,
}

/// A notice to one person affected by a personal data breach (UK GDPR Art.
/// 34(2)): what happened, its likely consequences and what was done, in
/// words for them.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BreachNoticeInput {
    /// A person recorded as affected by the breach.
    pub person_id: Option<Id>,
    pub what_happened: Option<String>,
    pub likely_consequences: Option<String>,
    pub measures: Option<String>,
}

/// A bounce: why the email came back.
#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BounceInput {
    /// The mail server's words, e.g. "550 mailbox unavailable".
    pub reason: Option<String>,
}

/// How one communication went out, as [`Gate::outcome`] worked it out.
struct Outcome {
    channel: Option<CommChannel>,
    to_address: Option<String>,
    status: CommStatus,
    failure: Option<String>,
    file: Option<(DocumentKind, Vec<u8>)>,
    entry_channel: Channel,
    /// The timeline's words about how it went.
    line: String,
    /// The subject kept on the record (a text's whole words).
    subject: String,
}

impl Outcome {
    fn made(
        channel: CommChannel,
        to_address: Option<String>,
        status: CommStatus,
        file: Option<(DocumentKind, Vec<u8>)>,
        entry_channel: Channel,
        line: String,
        subject: String,
    ) -> Outcome {
        Outcome { channel: Some(channel), to_address, status, failure: None, file, entry_channel, line, subject }
    }

    fn failed(channel: Option<CommChannel>, to_address: Option<String>, why: &str, subject: String, entry_channel: Channel) -> Outcome {
        let line = format!("Could not send: {why}");
        Outcome {
            channel,
            to_address,
            status: CommStatus::Failed,
            failure: Some(why.to_string()),
            file: None,
            entry_channel,
            line,
            subject,
        }
    }
}

/// What one letter is about, worked out before rendering.
struct Spec {
    about_type: &'static str,
    about_id: Id,
    template: Template,
    /// The person the letter is about and (unless a copy) to.
    person_id: Id,
    /// Values for the template besides the recipient's.
    ctx: Value,
    /// The contact log entry's compartment and case.
    entry_compartment: Compartment,
    case_id: Option<Id>,
    /// Representatives with one of these scopes get a copy.
    copy_scopes: &'static [RepresentativeScope],
    /// The timeline line, without the channel.
    summary: String,
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

fn is_mobile(number: &str) -> bool {
    let digits: String = number.chars().filter(|c| c.is_ascii_digit()).collect();
    digits.starts_with("07") || digits.starts_with("447")
}

impl Gate {
    /// The person's channels, preferences and formats, as the route rule needs them.
    async fn reach_of(&self, tx: &mut Tx, person_id: Id, today: Date) -> Result<Reach> {
        let prefs = hearth_store::consent::preferences_of(tx, person_id).await?;
        let mut points: Vec<_> = hearth_store::people::contacts_for(tx, person_id)
            .await?
            .into_iter()
            .filter(|c| c.valid_from.is_none_or(|f| f <= today) && c.valid_until.is_none_or(|u| u >= today))
            .collect();
        points.sort_by_key(|c| !c.preferred);
        let of = |k: ContactPointKind| points.iter().filter(move |c| c.kind == k);
        let emails = of(ContactPointKind::Email).filter_map(|c| c.value.clone()).collect();
        let mobiles = of(ContactPointKind::Phone).filter_map(|c| c.value.clone()).filter(|v| is_mobile(v)).collect();
        let own_address = of(ContactPointKind::Address)
            .next()
            .map(|c| [&c.line1, &c.line2, &c.town, &c.postcode].into_iter().flatten().cloned().collect());
        let mut home_address = None;
        for h in hearth_store::homes::households_of(tx, person_id).await? {
            let members = hearth_store::homes::members_of(tx, h.id).await?;
            let current: Vec<_> = members.iter().filter(|m| m.end_date.is_none_or(|e| e >= today)).collect();
            if current.iter().any(|m| m.person_id == person_id) {
                let p = hearth_store::homes::property(tx, h.property_id).await?;
                let lines = [Some(p.line1), p.line2, Some(p.town), Some(p.postcode)].into_iter().flatten().collect();
                home_address = Some((lines, current.iter().any(|m| m.person_id != person_id)));
                break;
            }
        }
        let formats = hearth_store::needs::adjustments_of(tx, person_id)
            .await?
            .into_iter()
            .filter(|a| a.ended_at.is_none() && a.kind == AdjustmentKind::PreferredFormat)
            .filter_map(|a| a.format)
            .collect();
        Ok(Reach {
            preferred: prefs.as_ref().and_then(|p| p.preferred_channel),
            declined: prefs.as_ref().map(|p| p.declined_channels.clone()).unwrap_or_default(),
            emails,
            mobiles,
            own_address,
            home_address,
            no_letters_to_shared_address: prefs.as_ref().is_some_and(|p| p.no_letters_to_shared_address),
            formats,
        })
    }

    /// How one rendered letter goes by its route: the file to keep, where it
    /// goes, its first status and the timeline's words.
    fn outcome(
        &self,
        template: Template,
        route: &std::result::Result<hearth_domain::comms::Route, hearth_domain::comms::NoRoute>,
        rendered: &hearth_comms::templates::Rendered,
        ctx: &Value,
        name: &str,
        today: Date,
    ) -> Result<Outcome> {
        let r = match route {
            Err(no) => return Ok(Outcome::failed(None, None, &no.reason, rendered.subject.clone(), Channel::LetterOut)),
            Ok(r) => r,
        };
        let large = r.format == CommFormat::LargePrint;
        let pdf = |to_lines: Vec<String>| -> Result<Vec<u8>> {
            let head = Letterhead { from_lines: &self.letterhead, to_lines, date: &crate::long_date(today), large_print: large };
            hearth_comms::pdf::render(&letter(&head, rendered)).map_err(GateError::Comms)
        };
        let also = if r.also_needed.is_empty() {
            String::new()
        } else {
            let words: Vec<_> = r.also_needed.iter().map(|f| f.label().to_lowercase()).collect();
            format!(" They also need {}: arrange it.", words.join(" and "))
        };
        let to = Some(r.to.clone());
        let subject = rendered.subject.clone();
        Ok(match r.channel {
            CommChannel::Letter => {
                let mut to_lines = vec![name.to_string()];
                to_lines.extend(r.to.lines().map(str::to_string));
                let line = format!("Letter ({}) ready to print and post.{also}", r.format.label().to_lowercase());
                Outcome::made(
                    CommChannel::Letter,
                    to,
                    CommStatus::ReadyToPrint,
                    Some((DocumentKind::Pdf, pdf(to_lines)?)),
                    Channel::LetterOut,
                    line,
                    subject,
                )
            }
            CommChannel::Email => {
                let attachment =
                    if large { Some((format!("{}.pdf", template.as_str().replace('_', "-")), pdf(vec![name.to_string()])?)) } else { None };
                let email = OutgoingEmail { to: r.to.clone(), subject: subject.clone(), text: rendered.text.clone(), attachment };
                match self.courier.mailer.as_ref().map(|m| m.message(&email)) {
                    Some(Ok(msg)) => Outcome::made(
                        CommChannel::Email,
                        to,
                        CommStatus::Queued,
                        Some((DocumentKind::Eml, msg.formatted())),
                        Channel::EmailOut,
                        format!("Email sent.{also}"),
                        subject,
                    ),
                    Some(Err(e)) => Outcome::failed(Some(CommChannel::Email), to, &e.to_string(), subject, Channel::EmailOut),
                    None => Outcome::failed(Some(CommChannel::Email), to, "No mail server is configured", subject, Channel::EmailOut),
                }
            }
            CommChannel::Sms => {
                // A text's words are its subject: what the provider is handed.
                let text = self.templates.render_text(template, ctx).map_err(|e| GateError::Comms(e.to_string()))?.unwrap_or_default();
                Outcome::made(CommChannel::Sms, to, CommStatus::Queued, None, Channel::SmsOut, format!("Text message: {text}"), text)
            }
        })
    }

    /// Renders and records one letter to the person and a copy to each
    /// representative whose scope covers it, inside the caller's decided
    /// transaction. Returns the communications made; those waiting for a
    /// transport go to [`Gate::dispatch`] after the commit.
    async fn record_letter(&self, tx: &mut Tx, actor: &Actor, spec: &Spec) -> Result<Vec<Communication>> {
        let today = Gate::today();
        let subject_person = crate::person_of(tx, spec.person_id).await?;
        let mut recipients: Vec<(Id, RecipientRole, Option<Id>)> = vec![(spec.person_id, RecipientRole::Person, None)];
        for r in hearth_store::representatives::for_person(tx, spec.person_id).await? {
            let in_force = r.ended_at.is_none() && r.valid_from <= today && r.expires_on.is_none_or(|e| e >= today);
            // Only a representative on file has an address to write to.
            if let (true, true, Some(rp)) = (in_force, spec.copy_scopes.contains(&r.scope), r.representative_person_id) {
                recipients.push((rp, RecipientRole::Representative, Some(r.id)));
            }
        }
        let mut made = vec![];
        for (to_person, role, representative_id) in recipients {
            let to = crate::person_of(tx, to_person).await?;
            let reach = self.reach_of(tx, to_person, today).await?;
            let has_text = self.templates.has_text(spec.template);
            let route = route(&reach, has_text);
            let mut ctx = spec.ctx.clone();
            if let Value::Object(m) = &mut ctx {
                m.insert("name".into(), json!(to.full_name()));
                m.insert("given_name".into(), json!(to.given_name));
                m.insert("person_name".into(), json!(subject_person.full_name()));
                m.insert("to_representative".into(), json!(role == RecipientRole::Representative));
                m.insert("sender".into(), json!(actor.display_name));
                m.insert("landlord_name".into(), json!(self.letterhead.first()));
                m.insert("today".into(), json!(crate::long_date(today)));
            }
            let format = route.as_ref().map(|r| r.format).unwrap_or(CommFormat::Standard);
            let rendered = self.templates.render(spec.template, format, &ctx).map_err(|e| GateError::Comms(e.to_string()))?;
            let now = Timestamp::now();
            let sent = self.outcome(spec.template, &route, &rendered, &ctx, &to.full_name(), today)?;
            let copy = if role == RecipientRole::Representative {
                format!(" Copy to {} (representative).", to.full_name())
            } else {
                String::new()
            };
            let fields = ContactFields {
                occurred_at: now,
                channel: sent.entry_channel,
                compartment: spec.entry_compartment,
                compartment_given: true,
                person_ids: vec![spec.person_id],
                case_id: spec.case_id,
                subjects: vec![spec.template.label().to_string()],
                summary: format!("{}: {}{copy} {}", spec.summary, rendered.subject, sent.line),
                verbatim: None,
                follow_ups: vec![],
                voicemail_left: None,
                appointment_outcome: None,
                place: None,
                system_generated: Some(true),
                service_request: None,
            };
            let entry_id = hearth_store::contacts::insert_entry(tx, &fields, None, actor.user_id, now).await?;
            let name = to.full_name();
            let new = NewCommunication {
                person_id: spec.person_id,
                about_type: spec.about_type,
                about_id: spec.about_id,
                template: spec.template,
                recipient: role,
                representative_id,
                recipient_name: (role == RecipientRole::Representative).then_some(name.as_str()),
                channel: sent.channel,
                format: rendered.format,
                to_address: sent.to_address.as_deref(),
                subject: &sent.subject,
                status: sent.status,
                failure: sent.failure.as_deref(),
                entry_id: Some(entry_id),
                file: sent.file.as_ref().map(|(k, b)| (k.as_str(), b.as_slice())),
                sent_by: actor.user_id,
            };
            let id = q::insert(tx, &new, now).await?;
            made.push(q::communication(tx, id).await?);
        }
        Ok(made)
    }

    /// Hands queued emails and texts to their transport and records how it
    /// went. Called after the commit that recorded them, and at start-up for
    /// any left queued; a failure is kept for the sender to see.
    pub async fn dispatch(&self, ids: &[Id]) -> Result<()> {
        for &id in ids {
            let mut tx = self.store.begin().await?;
            let c = q::communication(&mut tx, id).await?;
            if c.status != CommStatus::Queued {
                continue;
            }
            let content = q::file(&mut tx, id).await?.map(|f| f.1);
            tx.commit().await?;
            let outcome: std::result::Result<String, String> = match (c.channel, &c.to_address) {
                (Some(CommChannel::Email), Some(to)) => match (&self.courier.mailer, content) {
                    (Some(m), Some(bytes)) => m.send_raw(to, &bytes).await.map(|_| "smtp".to_string()).map_err(|e| e.to_string()),
                    (None, _) => Err("No mail server is configured".into()),
                    (_, None) => Err("The email was not kept".into()),
                },
                (Some(CommChannel::Sms), Some(to)) => self.courier.sms.send(to, &c.subject).await.map_err(|e| e.to_string()),
                _ => Err("Nothing to send it by".into()),
            };
            let mut tx = self.store.begin().await?;
            match outcome {
                Ok(reference) => q::set_delivery(&mut tx, id, CommStatus::Sent, None, Some(&reference), Timestamp::now()).await?,
                Err(e) => {
                    tracing::warn!(communication = id, "a communication could not be sent");
                    q::set_delivery(&mut tx, id, CommStatus::Failed, Some(&e), None, Timestamp::now()).await?
                }
            }
            tx.commit().await?;
        }
        Ok(())
    }

    /// Sends anything left queued (a restart, a mail server that was down).
    pub async fn dispatch_queued(&self) -> Result<usize> {
        let mut tx = self.store.begin().await?;
        let ids = q::queued(&mut tx, 500).await?;
        tx.commit().await?;
        self.dispatch(&ids).await?;
        Ok(ids.len())
    }

    pub(crate) fn queued_ids(made: &[Communication]) -> Vec<Id> {
        made.iter().filter(|c| c.status == CommStatus::Queued).map(|c| c.id).collect()
    }

    /// Whether the actor may read the contact details a letter carries (the
    /// address, email or number it went to).
    async fn may_see_contact(&self, tx: &mut Tx, actor: &Actor, person_id: Id) -> Result<bool> {
        Ok(self
            .would_permit(tx, actor, Action::View, Compartment::Contact, Target::person(person_id))
            .await?
            .is_some_and(|c| [DataClass::PostalAddress, DataClass::Email, DataClass::Phone].iter().all(|k| c.contains(*k))))
    }

    /// What was made, as the sender may read it: where each went only for
    /// one who may see the person's contact details.
    async fn as_seen_by(&self, tx: &mut Tx, actor: &Actor, person_id: Id, mut made: Vec<Communication>) -> Result<Vec<Communication>> {
        if !self.may_see_contact(tx, actor, person_id).await? {
            for c in &mut made {
                c.to_address = None;
            }
        }
        Ok(made)
    }

    /// Inside a decided operation that received a rights request (the front
    /// door): records its acknowledgement. The caller dispatches after commit.
    pub(crate) async fn acknowledge_rights_request(&self, tx: &mut Tx, actor: &Actor, r: &RightsRequest) -> Result<Vec<Communication>> {
        let spec = self.rights_spec(r, Template::RightsAcknowledgement);
        self.record_letter(tx, actor, &spec).await
    }

    fn rights_spec(&self, r: &RightsRequest, template: Template) -> Spec {
        let due = r.clock(&self.calendar).due_on().or(r.due_on);
        let ground = match r.refusal_ground {
            Some(RefusalGround::ManifestlyUnfounded) => "the request is manifestly unfounded".to_string(),
            Some(RefusalGround::ManifestlyExcessive) => "the request is manifestly excessive".to_string(),
            Some(RefusalGround::Exemption) => {
                format!("an exemption applies{}", r.refusal_exemption.as_deref().map(|e| format!(" ({e})")).unwrap_or_default())
            }
            None => String::new(),
        };
        Spec {
            about_type: "rights_request",
            about_id: r.id,
            template,
            person_id: r.person_id,
            ctx: json!({
                "reference": r.reference,
                "request_words": r.kind.request_words().split_once(' ').map(|(_, w)| w.to_string()).unwrap_or_default(),
                "received_on": crate::long_date(r.received_on),
                "due_on": due.map(crate::long_date).unwrap_or_default(),
                "extension_reason": r.extension_reason.clone().unwrap_or_else(|| r.extension_ground.map(|g| g.label().to_lowercase()).unwrap_or_default()),
                "refusal_ground": ground,
                "refusal_reason": r.refusal_reason.clone().unwrap_or_default(),
            }),
            entry_compartment: Compartment::ContactLog,
            case_id: None,
            copy_scopes: &[RepresentativeScope::Everything],
            summary: format!("{} ({})", template.label(), r.reference),
        }
    }

    /// Sends one of a rights request's letters (the DPO).
    pub async fn send_rights_letter(&self, actor: &Actor, request_id: Id, input: &SendInput) -> Result<Vec<Communication>> {
        let template = input
            .template
            .as_deref()
            .and_then(Template::parse)
            .filter(|t| Template::RIGHTS.contains(t))
            .ok_or_else(|| FieldError::new("template", "Choose a rights request letter"))?;
        let made = self
            .guarded(actor, Action::Edit, Compartment::Rights, Target::of("rights_request", request_id, None), async |tx: &mut Tx| {
                let r = hearth_store::rights::request(tx, request_id).await?;
                match template {
                    Template::Refusal if r.refusal_ground.is_none() => {
                        return Err(FieldError::new("template", "Record the refusal first: the letter gives its ground").into())
                    }
                    Template::ExtensionNotice if r.extension_months == 0 => {
                        return Err(FieldError::new("template", "Record the extension first: the letter gives the new date").into())
                    }
                    _ => {}
                }
                let made = self.record_letter(tx, actor, &self.rights_spec(&r, template)).await?;
                let t = Target::of("communication", request_id, Some(r.person_id));
                Ok((made.clone(), t, Some(json!({ "sent": made.iter().map(|c| c.id).collect::<Vec<_>>(), "template": template }))))
            })
            .await?;
        self.dispatch(&Gate::queued_ids(&made)).await?;
        Ok(made)
    }

    /// Sends a letter about a case to one of its parties: a complaint's
    /// acknowledgement or response to the complainant, or the case letter
    /// (as [`Gate::case_letter`] composes it, never naming an anonymous
    /// reporter to anyone else).
    pub async fn send_case_letter(&self, actor: &Actor, case_id: Id, input: &SendInput) -> Result<Vec<Communication>> {
        let template = input
            .template
            .as_deref()
            .and_then(Template::parse)
            .filter(|t| matches!(t, Template::CaseLetter | Template::ComplaintAcknowledgement | Template::ComplaintResponse))
            .ok_or_else(|| FieldError::new("template", "Choose a case letter"))?;
        let person_id = input.person_id.ok_or_else(|| FieldError::new("person_id", "Choose who the letter is to"))?;
        let compartment = self.case_compartment(case_id).await?;
        let response = input.response.clone();
        let made = self
            .guarded(actor, Action::Edit, compartment, Target::of("case", case_id, None), async |tx: &mut Tx| {
                let spec = self.case_spec(tx, actor, case_id, person_id, template, response.as_deref()).await?;
                let made = self.record_letter(tx, actor, &spec).await?;
                let made = self.as_seen_by(tx, actor, person_id, made).await?;
                let t = Target::of("communication", case_id, Some(person_id));
                Ok((made.clone(), t, Some(json!({ "sent": made.iter().map(|c| c.id).collect::<Vec<_>>(), "template": template }))))
            })
            .await?;
        self.dispatch(&Gate::queued_ids(&made)).await?;
        Ok(made)
    }

    /// What a case letter to `person_id` says and where it is logged.
    async fn case_spec(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        case_id: Id,
        person_id: Id,
        template: Template,
        response: Option<&str>,
    ) -> Result<Spec> {
        let c = hearth_store::cases::case(tx, case_id).await?;
        let Some((_, role, anonymous)) = hearth_store::anonymity::party_of(tx, case_id, person_id).await? else {
            return Err(FieldError::new("person_id", "Choose one of the case's parties").into());
        };
        if anonymous {
            // A letter on their record would link them to the case for
            // everyone who reads it; theirs are written from the case
            // letter page, by those who may see who they are.
            return Err(FieldError::new(
                "person_id",
                "Write to an anonymous reporter from their case letter page: a sent letter would link them to the case",
            )
            .into());
        }
        // Everyone else on the case is redacted from what the letter quotes.
        let others: Vec<Id> =
            hearth_store::anonymity::party_people(tx, case_id).await?.into_iter().map(|p| p.0).filter(|p| *p != person_id).collect();
        let redactor = crate::bundle::redactor_for(tx, person_id, others).await?;
        let summary = redactor.redact(&c.summary, "[another person]");
        let today = Gate::today();
        let (ctx, copy_scopes): (Value, &'static [RepresentativeScope]) = match template {
            Template::CaseLetter => {
                let person = crate::person_of(tx, person_id).await?;
                let mut redacted = c.clone();
                redacted.summary = summary.clone();
                let l = crate::anonymity::compose_letter(
                    &redacted,
                    role,
                    anonymous,
                    &person,
                    &[],
                    today,
                    &crate::anonymity::Sender { name: &actor.display_name, letterhead: &self.letterhead },
                );
                (json!({ "reference": c.reference, "subject": l.subject, "paragraphs": l.paragraphs }), &[RepresentativeScope::Everything])
            }
            _ => {
                if c.kind != CaseKind::Complaint || role != PartyRole::Complainant {
                    return Err(FieldError::new("template", "Complaint letters go to the complainant on a complaint").into());
                }
                let stage = c.stage.unwrap_or(1);
                let received = c.stage_received_on.unwrap_or(today);
                let deadlines =
                    self.complaint_code.deadlines(&self.calendar, stage as u8, received, c.acknowledged_on, c.extension_days as u32);
                let response = redactor.redact(response.unwrap_or("").trim(), "[another person]");
                if template == Template::ComplaintResponse && response.is_empty() {
                    return Err(FieldError::new("response", "Enter the response").into());
                }
                if response.chars().count() > 10_000 {
                    return Err(FieldError::new("response", "The response must be 10,000 characters or fewer").into());
                }
                (
                    json!({ "reference": c.reference, "stage": stage, "received_on": crate::long_date(received), "respond_by": crate::long_date(deadlines.respond_by),
                            "summary": summary.trim_end_matches('.'), "response": response }),
                    &[RepresentativeScope::Everything, RepresentativeScope::DiscussAccount],
                )
            }
        };
        Ok(Spec {
            about_type: "case",
            about_id: case_id,
            template,
            person_id,
            ctx,
            entry_compartment: c.compartment,
            case_id: Some(case_id),
            copy_scopes,
            summary: format!("{} ({})", template.label(), c.reference),
        })
    }

    /// Inside a decided operation that received a complaint (the front
    /// door): records its acknowledgement to the complainant.
    pub(crate) async fn acknowledge_complaint(&self, tx: &mut Tx, actor: &Actor, case_id: Id, person_id: Id) -> Result<Vec<Communication>> {
        let spec = self.case_spec(tx, actor, case_id, person_id, Template::ComplaintAcknowledgement, None).await?;
        self.record_letter(tx, actor, &spec).await
    }

    /// Inside a decided operation that received an ASB report from a named
    /// reporter (the front door): records the case letter thanking them.
    pub(crate) async fn acknowledge_report(&self, tx: &mut Tx, actor: &Actor, case_id: Id, person_id: Id) -> Result<Vec<Communication>> {
        let spec = self.case_spec(tx, actor, case_id, person_id, Template::CaseLetter, None).await?;
        self.record_letter(tx, actor, &spec).await
    }

    /// How an acknowledgement went, for the receipt: "sent by email to…".
    pub(crate) fn describe(made: &[Communication]) -> Option<String> {
        let c = made.first()?;
        Some(match (c.status, c.channel) {
            (CommStatus::Failed, _) => format!(
                "The acknowledgement could not be sent: {}. It is on your home page.",
                c.failure.as_deref().unwrap_or("no way to reach them")
            ),
            (CommStatus::ReadyToPrint, _) => {
                format!("The acknowledgement is ready to print and post ({}).", c.format.label().to_lowercase())
            }
            (_, Some(ch)) => format!("The acknowledgement was sent by {}.", ch.label().to_lowercase()),
            _ => "The acknowledgement was recorded.".to_string(),
        })
    }

    /// Tells one person affected by a breach (the DPO): the notice goes by
    /// their channel and in their format, and the register records them as
    /// told, that day, by that channel, in the same transaction.
    pub async fn send_breach_notice(&self, actor: &Actor, breach_id: Id, input: &BreachNoticeInput) -> Result<Vec<Communication>> {
        let mut errs = hearth_domain::error::ValidationErrors::default();
        let person_id = input.person_id;
        if person_id.is_none() {
            errs.push(FieldError::new("person_id", "Choose the person affected"));
        }
        let mut text = |field: &str, v: &Option<String>, what: &str| {
            let v = v.as_deref().map(str::trim).unwrap_or("");
            if v.is_empty() {
                errs.push(FieldError::new(field, format!("Enter {what}")));
            } else if v.chars().count() > 4000 {
                errs.push(FieldError::new(field, format!("{} must be 4000 characters or fewer", capitalise(what))));
            }
            v.to_string()
        };
        let what_happened = text("what_happened", &input.what_happened, "what happened");
        let consequences = text("likely_consequences", &input.likely_consequences, "what it may mean for them");
        let measures = text("measures", &input.measures, "what has been done");
        errs.into_result()?;
        let person_id = person_id.expect("checked");
        let made = self
            .guarded(actor, Action::Edit, Compartment::Rights, Target::of("breach", breach_id, Some(person_id)), async |tx: &mut Tx| {
                let b = hearth_store::breaches::breach(tx, breach_id).await?;
                if !hearth_store::breaches::people(tx, breach_id).await?.iter().any(|p| p.person_id == person_id) {
                    return Err(FieldError::new("person_id", "Record the person as affected by this breach first").into());
                }
                let spec = Spec {
                    about_type: "breach",
                    about_id: breach_id,
                    template: Template::BreachNotification,
                    person_id,
                    ctx: json!({ "reference": b.reference, "what_happened": what_happened, "likely_consequences": consequences, "measures": measures }),
                    entry_compartment: Compartment::ContactLog,
                    case_id: None,
                    copy_scopes: &[RepresentativeScope::Everything],
                    summary: format!("{} ({})", Template::BreachNotification.label(), b.reference),
                };
                let made = self.record_letter(tx, actor, &spec).await?;
                if let Some(c) = made.iter().find(|c| c.recipient == RecipientRole::Person && c.status != CommStatus::Failed) {
                    let how = c.channel.map(|ch| ch.label()).unwrap_or("Letter");
                    hearth_store::breaches::notify_person(tx, breach_id, person_id, Gate::today(), how).await?;
                    hearth_store::breaches::add_action(tx, breach_id, actor.user_id, &format!("Notice sent to an affected person ({})", how.to_lowercase()), Timestamp::now()).await?;
                }
                let t = Target::of("communication", breach_id, Some(person_id));
                Ok((made.clone(), t, Some(json!({ "sent": made.iter().map(|c| c.id).collect::<Vec<_>>(), "template": Template::BreachNotification }))))
            })
            .await?;
        self.dispatch(&Gate::queued_ids(&made)).await?;
        Ok(made)
    }

    /// The letters sent about a rights request (the DPO).
    pub async fn rights_communications(&self, actor: &Actor, request_id: Id) -> Result<Vec<Communication>> {
        self.guarded(actor, Action::View, Compartment::Rights, Target::of("rights_request", request_id, None), async |tx: &mut Tx| {
            let list = q::about(tx, "rights_request", request_id).await?;
            Ok((list, Target::of("communication", request_id, None), None))
        })
        .await
    }

    /// The rendered file of a communication (a PDF letter, or the email as
    /// sent), for those who may see what it is about: the DPO for rights
    /// letters, those who may see the case for a case's.
    pub async fn communication_file(&self, actor: &Actor, id: Id) -> Result<(DocumentKind, Vec<u8>)> {
        let (compartment, about) = self.about_of(id).await?;
        self.guarded(actor, Action::View, compartment, about, async |tx: &mut Tx| {
            let c = q::communication(tx, id).await?;
            if q::to_anonymous_party(tx, id).await? && !self.may_approve_override(actor, compartment) {
                return Err(GateError::NotFound);
            }
            // The letter carries where it went.
            if !self.may_see_contact(tx, actor, c.person_id).await? {
                return Err(GateError::Denied {
                    role: actor.role.label().into(),
                    action: Action::View,
                    compartment: Compartment::Contact,
                    reason: "the letter carries contact details the reader may not see".into(),
                    advice: Some("it carries their address or email, which your role may not see".into()),
                });
            }
            let (kind, bytes) = q::file(tx, id).await?.ok_or(GateError::NotFound)?;
            let kind = DocumentKind::parse(&kind).ok_or(GateError::NotFound)?;
            Ok((FileOut(kind, bytes), Target::of("communication", id, Some(c.person_id)), None))
        })
        .await
        .map(|f| (f.0, f.1))
    }

    /// What a communication is about, as a decision's compartment and target:
    /// a case's letters are judged by the reader's relation to the case.
    async fn about_of(&self, id: Id) -> Result<(Compartment, Target)> {
        let (about_type, about_id) = {
            let mut tx = self.store.begin().await?;
            let c = q::communication(&mut tx, id).await.map_err(|_| GateError::NotFound)?;
            tx.commit().await?;
            (c.about_type, c.about_id)
        };
        Ok(match about_type.as_str() {
            "case" => (self.case_compartment(about_id).await?, Target::of("case", about_id, None)),
            "breach" => (Compartment::Rights, Target::of("breach", about_id, None)),
            _ => (Compartment::Rights, Target::of("rights_request", about_id, None)),
        })
    }

    /// Records that a letter ready to print was printed and posted.
    pub async fn mark_posted(&self, actor: &Actor, id: Id) -> Result<Communication> {
        let check = |c: &Communication| {
            (c.status == CommStatus::ReadyToPrint).then_some(()).ok_or(("status", "Only a letter ready to print can be posted"))
        };
        self.change_delivery(actor, id, check, (CommStatus::Sent, None, Some("posted")), json!({ "posted": id })).await
    }

    /// Moves a communication to `status` when `check` allows it, decided as an
    /// edit of what it is about; returns it as the caller may read it.
    async fn change_delivery(
        &self,
        actor: &Actor,
        id: Id,
        check: impl Fn(&Communication) -> std::result::Result<(), (&'static str, &'static str)>,
        (status, failure, provider_ref): (CommStatus, Option<&str>, Option<&str>),
        detail: Value,
    ) -> Result<Communication> {
        let (compartment, about) = self.about_of(id).await?;
        self.guarded(actor, Action::Edit, compartment, about, async |tx: &mut Tx| {
            let c = q::communication(tx, id).await?;
            check(&c).map_err(|(field, message)| FieldError::new(field, message))?;
            q::set_delivery(tx, id, status, failure, provider_ref, Timestamp::now()).await?;
            let c = q::communication(tx, id).await?;
            let c = self.as_seen_by(tx, actor, c.person_id, vec![c]).await?.remove(0);
            Ok((c.clone(), Target::of("communication", id, Some(c.person_id)), Some(detail)))
        })
        .await
    }

    /// Letters waiting to be printed and posted by the caller, for their home
    /// page: their own case letters, and for the DPO every rights letter and
    /// breach notice. What each is and where it belongs, nothing about the person.
    pub async fn my_letters_to_print(&self, actor: &Actor) -> Result<Vec<Communication>> {
        self.home_list(actor, q::to_print_of).await
    }

    /// One of the home page's lists: read without a decision, so nothing
    /// about the person (not even an address a mail server quoted back):
    /// what it was, why, and the request or case, whose page is decided.
    async fn home_list(
        &self,
        actor: &Actor,
        query: impl AsyncFnOnce(&mut Tx, Id, bool, i64) -> hearth_store::Result<Vec<Communication>>,
    ) -> Result<Vec<Communication>> {
        let mut tx = self.store.begin().await?;
        let mut list = query(&mut tx, actor.user_id, self.may(actor, Action::Edit, Compartment::Rights), MAX_FAILURES).await?;
        tx.commit().await?;
        for c in &mut list {
            if let (Some(f), Some(a)) = (&mut c.failure, &c.to_address) {
                *f = f.replace(a.as_str(), "[their address]");
            }
            c.person_name.clear();
            c.to_address = None;
            c.recipient_name = None;
        }
        Ok(list)
    }

    /// Records that an email came back undelivered (a bounce the mail
    /// server sent after accepting it): the communication is failed with the
    /// reason, and its sender sees it on their home page. Decided as an edit
    /// of what it is about.
    pub async fn record_bounce(&self, actor: &Actor, id: Id, input: &BounceInput) -> Result<Communication> {
        let reason = input.reason.as_deref().map(str::trim).unwrap_or("");
        if reason.is_empty() || reason.chars().count() > 500 {
            return Err(FieldError::new("reason", "Enter why it came back, in 500 characters or fewer").into());
        }
        let failure = format!("Came back undelivered: {reason}");
        let check = |c: &Communication| {
            (c.channel == Some(CommChannel::Email) && c.status == CommStatus::Sent)
                .then_some(())
                .ok_or(("reason", "Only an email that was sent can come back"))
        };
        self.change_delivery(actor, id, check, (CommStatus::Failed, Some(&failure), None), json!({ "bounced": id })).await
    }

    /// What could not be sent, for the caller's home page: what they sent,
    /// and for the DPO every rights letter and breach notice.
    pub async fn my_failed_communications(&self, actor: &Actor) -> Result<Vec<Communication>> {
        self.home_list(actor, q::failures_of).await
    }
}

/// A rendered file, assembled inside its decision.
pub struct FileOut(DocumentKind, Vec<u8>);
hearth_domain::assembled_in_the_gate!(FileOut);

#[cfg(test)]
mod tests {
    use super::*;
    use hearth_domain::{consent::PreferenceChannel, needs::PreferredFormat};

    #[test]
    fn mobiles_take_texts_landlines_do_not() {
        assert!(is_mobile("07700 900123") && is_mobile("+44 7700 900123"));
        assert!(!is_mobile("0113 496 0000"));
    }

    #[test]
    fn a_preference_channel_is_not_a_format() {
        // Guards the match in reach_of: formats come only from preferred-format adjustments.
        assert!(PreferenceChannel::parse("large_print").is_none());
        assert!(PreferredFormat::parse("large_print").is_some());
    }
}
