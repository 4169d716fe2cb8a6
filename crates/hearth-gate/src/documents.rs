//! Gate operations on documents. A document is filed in a contact
//! compartment (general, ASB, safeguarding, care, financial, complaints,
//! repairs, tenancy) and is uploaded, listed, read and downloaded under
//! that compartment's rules, exactly as a contact entry in it would be; one
//! filed on a case is in the case's compartment, one attached to a contact
//! entry in the entry's. Every download is decided and
//! leaves an audit event with the bytes' hash; the bytes are never served
//! any other way.

use crate::people::clamp_limit;
use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    documents::{Document, DocumentFiling, DocumentUpload},
    error::FieldError,
    Id,
};
use hearth_store::contacts as entries;
use hearth_store::documents::{self as q, DocumentStorage, NewDocument};
use hearth_store::{cases, Page, Tx};
use jiff::Timestamp;
use serde_json::json;
use sha2::{Digest, Sha256};

fn document_target(id: Id, person: Option<Id>) -> Target {
    Target::of("document", id, person)
}

impl Gate {
    /// Where documents are kept and how large one may be (configuration).
    pub fn with_documents(mut self, storage: DocumentStorage, max_bytes: usize) -> Self {
        self.documents = storage;
        self.max_document_bytes = max_bytes;
        self
    }

    /// The largest document accepted, in bytes.
    pub fn max_document_bytes(&self) -> usize {
        self.max_document_bytes
    }

    /// The caller's relationship to a document: assigned when its case is
    /// theirs, break-glass when a grant on its person covers the compartment.
    pub(crate) async fn document_relation(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        id: Id,
        compartment: Compartment,
        now: Timestamp,
    ) -> Result<(bool, Option<String>)> {
        let Some((_, case_id, person)) = q::document_access(tx, id).await? else { return Ok((false, None)) };
        let assigned = match case_id {
            Some(c) => self.case_relation(tx, actor, c, now).await?.assigned,
            None => false,
        };
        let grant = self.active_grant(tx, actor, "person", person, compartment, now).await?;
        Ok((assigned, grant.map(|g| g.reason)))
    }

    /// Files a document against a person. The type comes from the bytes. A
    /// document filed on a case takes the case's compartment, and one
    /// attached to a contact entry the entry's (and must be about one of the
    /// entry's people); a compartment given that differs is refused, so a
    /// safeguarding letter cannot be filed where the general log's readers
    /// would download it.
    pub async fn upload_document(&self, actor: &Actor, person_id: Id, upload: &DocumentUpload) -> Result<Document> {
        let fields = upload.validate(self.max_document_bytes)?;
        let now = Timestamp::now();
        let mut tx = self.store.begin().await?;
        let mut derived = None;
        if let Some(entry_id) = fields.contact_entry_id {
            // An entry the caller may not see is "no such entry": its compartment is not revealed.
            let (vis, _) = self.contact_visibility(&mut tx, actor, Target::collection("contact_entry")).await?;
            let Some((entry_compartment, _, entry_people)) = entries::entry_access(&mut tx, entry_id).await? else {
                return Err(FieldError::new("contact_entry_id", "No such contact entry").into());
            };
            if !entries::visible(&mut tx, entry_id, actor.user_id, &vis).await? {
                return Err(FieldError::new("contact_entry_id", "No such contact entry").into());
            }
            if !entry_people.contains(&person_id) {
                return Err(FieldError::new("contact_entry_id", "That contact was not with this person").into());
            }
            derived = Some(entry_compartment);
        }
        // The case's compartment; an unknown case is named only once the caller may file at all.
        let mut no_such_case = false;
        if let Some(c) = fields.case_id {
            match cases::case(&mut tx, c).await {
                Ok(case) if derived.is_some_and(|d| d != case.compartment) => {
                    return Err(FieldError::new(
                        "contact_entry_id",
                        "That contact is filed in another compartment than the case; attach the document to one of them",
                    )
                    .into())
                }
                Ok(case) => derived = Some(case.compartment),
                Err(hearth_store::StoreError::NotFound) => no_such_case = true,
                Err(e) => return Err(e.into()),
            }
        }
        let compartment = derived.or(fields.compartment).unwrap_or(Compartment::ContactLog);
        let permit = match self.check(&mut tx, actor, Action::Create, compartment, Target::collection("document")).await? {
            Ok(p) => p,
            Err(d) => {
                tx.commit().await?;
                return Err(GateError::denied(actor, Action::Create, compartment, d));
            }
        };
        if no_such_case {
            return Err(FieldError::new("case_id", "No such case").into());
        }
        if fields.compartment.is_some_and(|given| derived.is_some_and(|d| d != given)) {
            return Err(FieldError::new(
                "compartment",
                "A document filed on a case or a contact is in its compartment; leave the compartment out",
            )
            .into());
        }
        crate::person_of(&mut tx, person_id).await?;
        if let Some(refused) = self.restriction_refusal(&mut tx, actor, Action::Create, compartment, Target::person(person_id)).await? {
            tx.commit().await?;
            return Err(refused);
        }
        // A care plan is the care team's, and kept; anything else follows its case, its contact, or the tenancy file.
        let filed_as = match fields.filed_as {
            Some(DocumentFiling::CarePlan) if compartment != Compartment::Care => {
                return Err(
                    FieldError::new("filed_as", "A care plan is filed in the care compartment (or on a care and support case)").into()
                )
            }
            Some(f) => f,
            None if fields.case_id.is_some() => DocumentFiling::CaseDocument,
            None if fields.contact_entry_id.is_some() => DocumentFiling::ContactEntry,
            None => DocumentFiling::TenancyFile,
        };
        let sha256 = hex::encode(Sha256::digest(&upload.bytes));
        let stored_name = crate::auth::random_token();
        let new = NewDocument {
            person_id,
            compartment,
            case_id: fields.case_id,
            entry_id: fields.contact_entry_id,
            kind: fields.kind,
            title: &fields.title,
            legally_privileged: fields.legally_privileged,
            filed_as,
            bytes: &upload.bytes,
            sha256: &sha256,
            stored_name: &stored_name,
            uploaded_by: actor.user_id,
        };
        let id = q::insert(&mut tx, &self.documents, &new, now).await?;
        let doc = q::document(&mut tx, id).await?;
        self.record(&mut tx, actor, &permit, document_target(id, Some(person_id)), Some(json!({ "new": doc }))).await?;
        tx.commit().await?;
        Ok(doc)
    }

    /// The compartment a document is decided under; an unknown id is
    /// decided like a safeguarding document, so probing ids reveals nothing.
    async fn document_compartment(&self, id: Id) -> Result<(Compartment, Option<Id>)> {
        let mut tx = self.store.begin().await?;
        let access = q::document_access(&mut tx, id).await?;
        drop(tx);
        Ok(access.map(|a| (a.0, Some(a.2))).unwrap_or((Compartment::Safeguarding, None)))
    }

    /// A document's details (not its bytes), under its compartment's rules.
    pub async fn document(&self, actor: &Actor, id: Id) -> Result<Document> {
        let (compartment, person) = self.document_compartment(id).await?;
        self.guarded(actor, Action::View, compartment, document_target(id, person), async |tx: &mut Tx| {
            Ok((q::document(tx, id).await?, document_target(id, person), None))
        })
        .await
    }

    /// Downloads a document: decided like viewing it, and recorded with the
    /// hash of what left. Bytes that no longer match the stored hash are
    /// refused rather than served.
    pub async fn download_document(&self, actor: &Actor, id: Id) -> Result<(Document, Vec<u8>)> {
        let (compartment, person) = self.document_compartment(id).await?;
        self.guarded(actor, Action::View, compartment, document_target(id, person), async |tx: &mut Tx| {
            let doc = q::document(tx, id).await?;
            let bytes = q::content(tx, &self.documents, id).await?;
            if hex::encode(Sha256::digest(&bytes)) != doc.sha256 {
                return Err(GateError::Store(hearth_store::StoreError::Corrupt { column: "content", value: format!("document {id}") }));
            }
            let detail = json!({ "download": true, "sha256": doc.sha256, "byte_size": doc.byte_size });
            Ok(((doc, bytes), document_target(id, person), Some(detail)))
        })
        .await
    }

    /// A person's documents the caller may see, newest first. One audit
    /// event per compartment drawn on, as for the contact log.
    pub async fn person_documents(&self, actor: &Actor, person_id: Id, after: Option<Id>, limit: Option<i64>) -> Result<Page<Document>> {
        let mut tx = self.store.begin().await?;
        let target = Target::person(person_id);
        let (vis, permits) = self.contact_visibility(&mut tx, actor, target).await?;
        let Some(fallback) = permits.first().cloned() else {
            let (tx, _) = self.authorize(tx, actor, Action::List, Compartment::ContactLog, target).await?;
            drop(tx);
            return Ok(Page { items: vec![], next_cursor: None });
        };
        crate::person_of(&mut tx, person_id).await?;
        let page = q::for_person(&mut tx, actor.user_id, &vis, person_id, after, clamp_limit(limit)).await?;
        let mut drawn: Vec<_> = permits.iter().filter(|p| page.items.iter().any(|d| d.compartment == p.compartment)).collect();
        if drawn.is_empty() {
            drawn.push(&fallback);
        }
        for permit in drawn {
            let ids: Vec<Id> = page.items.iter().filter(|d| d.compartment == permit.compartment).map(|d| d.id).collect();
            self.record(&mut tx, actor, permit, target, Some(json!({ "documents": ids, "after": after }))).await?;
        }
        tx.commit().await?;
        Ok(page)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn stored_names_are_hex_ids() {
        let n = crate::auth::random_token();
        assert!(n.len() >= 32 && n.bytes().all(|b| b.is_ascii_hexdigit()), "{n}");
    }
}
