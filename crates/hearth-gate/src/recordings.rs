//! Gate operations on call recordings and staff notifications.
//!
//! Recording metadata lives in the `recordings` compartment: front-line
//! staff file it against a call they can see, and only a manager
//! responsible for recordings (or the call's case), or the DPO, reads it
//! back. When a staff member ends a call because the customer was
//! recording without consent, the same transaction stores a notification
//! for that staff member's line manager; without a line manager to tell,
//! nothing is stored and the staff member is told why.
//!
//! Notifications are addressed to one staff member and name records only
//! by id, so reading one's own needs no policy decision; nobody reads
//! another person's.

use crate::{Actor, Gate, GateError, Result, Target};
use hearth_domain::{
    access::{Action, Compartment},
    error::FieldError,
    recordings::{is_call, CallRecording, Notification, NotificationKind, RecordingInput},
    Id,
};
use hearth_store::contacts as entries;
use hearth_store::recordings::{self as q, NewNotification};
use hearth_store::Tx;
use jiff::Timestamp;
use serde_json::json;

fn recording_target(id: Id, person: Option<Id>) -> Target {
    Target::of("call_recording", id, person)
}

/// Most notifications one request returns.
const MAX_NOTIFICATIONS: i64 = 100;

impl Gate {
    /// Files a call recording's metadata against a call in the contact log.
    pub async fn record_call_recording(&self, actor: &Actor, input: &RecordingInput) -> Result<CallRecording> {
        let fields = input.validate()?;
        let now = Timestamp::now();
        let mut tx = self.store.begin().await?;
        let permit = match self.check(&mut tx, actor, Action::Create, Compartment::Recordings, Target::collection("call_recording")).await?
        {
            Ok(p) => p,
            Err(d) => {
                tx.commit().await?;
                return Err(GateError::denied(actor, Action::Create, Compartment::Recordings, d));
            }
        };
        // The call must be one the caller may see; any other is "no such call".
        let no_such = || GateError::from(FieldError::new("contact_entry_id", "No such call in the contact log"));
        let (vis, _) = self.contact_visibility(&mut tx, actor, Target::collection("contact_entry")).await?;
        if !entries::visible(&mut tx, fields.contact_entry_id, actor.user_id, &vis).await? {
            return Err(no_such());
        }
        let entry = entries::entry(&mut tx, fields.contact_entry_id).await.map_err(|_| no_such())?;
        if !is_call(entry.channel) {
            return Err(FieldError::new("contact_entry_id", "Recordings belong to an inbound or outbound call").into());
        }
        let manager = if fields.tells_line_manager() {
            let Some(m) = q::line_manager(&mut tx, actor.user_id).await? else {
                return Err(FieldError::new(
                    "call_ended",
                    "Your line manager must be told, but your account has none; ask an administrator to set one, then try again",
                )
                .into());
            };
            Some(m)
        } else {
            None
        };
        let id = q::insert(&mut tx, &fields, actor.user_id, now).await?;
        if let Some(recipient_id) = manager {
            let message = format!(
                "{} ended a call on {} because the caller was recording it without their consent. Their note is on call recording {id}.",
                actor.display_name,
                entry.occurred_at.to_zoned_datetime(crate::uk()).strftime("%-d %B %Y at %H:%M"),
            );
            let n = NewNotification {
                recipient_id,
                kind: NotificationKind::CallEndedUnconsentedRecording,
                about_staff_id: Some(actor.user_id),
                recording_id: Some(id),
                message: &message,
            };
            q::notify(&mut tx, &n, now).await?;
        }
        let recording = q::recording(&mut tx, id).await?;
        let people = if entry.person_ids.is_empty() { vec![None] } else { entry.person_ids.iter().copied().map(Some).collect() };
        for p in people {
            let detail = json!({ "new": recording, "line_manager_told": manager });
            self.record(&mut tx, actor, &permit, recording_target(id, p), Some(detail)).await?;
        }
        tx.commit().await?;
        Ok(recording)
    }

    /// One call recording's metadata, for those who may read recordings.
    pub async fn call_recording(&self, actor: &Actor, id: Id) -> Result<CallRecording> {
        let person = {
            let mut tx = self.store.begin().await?;
            let p = q::recording_people(&mut tx, id).await?.first().copied();
            drop(tx);
            p
        };
        self.guarded(actor, Action::View, Compartment::Recordings, recording_target(id, person), async |tx: &mut Tx| {
            Ok((q::recording(tx, id).await?, recording_target(id, person), None))
        })
        .await
    }

    /// The caller's own notifications, newest first.
    pub async fn notifications(&self, actor: &Actor) -> Result<Vec<Notification>> {
        let mut tx = self.store.begin().await?;
        let list = q::notifications_for(&mut tx, actor.user_id, MAX_NOTIFICATIONS).await?;
        drop(tx);
        Ok(list)
    }
}
