//! Customer communications: which letters, emails and texts Hearth sends,
//! and the pure rule that picks how each one reaches a person — the channel
//! (email, letter, text) and the format (standard, large print, easy read) —
//! from their contact points, their contact preferences and the adjustments
//! they are owed.
//!
//! Owns: the vocabularies of templates, channels, formats and delivery
//! states, and [`route`]. It must never read storage or the clock, or send
//! anything: the gate gathers the facts, the comms crate renders and
//! delivers.

use crate::consent::PreferenceChannel;
use crate::needs::PreferredFormat;
use crate::Id;
use serde::Serialize;

crate::vocabulary! {
    /// The letters Hearth sends, one template file each (config/templates).
    Template {
        RightsAcknowledgement => "rights_acknowledgement" / "Acknowledgement of a rights request",
        IdentityRequest => "identity_request" / "Request for proof of identity",
        Clarification => "clarification" / "Request for clarification",
        ExtensionNotice => "extension_notice" / "Extension notice",
        Refusal => "refusal" / "Refusal, with the right to complain to the ICO",
        ResponseCover => "response_cover" / "Cover letter for the response",
        ComplaintAcknowledgement => "complaint_acknowledgement" / "Complaint acknowledgement",
        ComplaintResponse => "complaint_response" / "Complaint response",
        CaseLetter => "case_letter" / "Case letter",
        BreachNotification => "breach_notification" / "Notice of a personal data breach",
    }
}

impl Template {
    /// The letters the DPO sends from a rights request, in the order a
    /// request meets them.
    pub const RIGHTS: [Template; 6] = [
        Template::RightsAcknowledgement,
        Template::IdentityRequest,
        Template::Clarification,
        Template::ExtensionNotice,
        Template::Refusal,
        Template::ResponseCover,
    ];
}

crate::vocabulary! {
    /// How a communication travels.
    CommChannel {
        Email => "email" / "Email",
        Letter => "letter" / "Letter",
        Sms => "sms" / "Text message",
    }
}

crate::vocabulary! {
    /// The format a communication is written and laid out in.
    CommFormat {
        Standard => "standard" / "Standard",
        LargePrint => "large_print" / "Large print",
        EasyRead => "easy_read" / "Easy read",
    }
}

crate::vocabulary! {
    /// Where a communication stands.
    CommStatus {
        /// Rendered and recorded; waiting for the transport.
        Queued => "queued" / "Waiting to send",
        /// Handed to the mail server or the text provider.
        Sent => "sent" / "Sent",
        /// A letter rendered for printing and posting.
        ReadyToPrint => "ready_to_print" / "Ready to print and post",
        /// Could not be sent; the sender sees why on their home page.
        Failed => "failed" / "Could not be sent",
    }
}

crate::vocabulary! {
    /// Who a communication is addressed to.
    RecipientRole {
        Person => "person" / "The person",
        Representative => "representative" / "Their representative (a copy)",
    }
}

/// What is known about how to reach one person, gathered by the gate.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reach {
    pub preferred: Option<PreferenceChannel>,
    pub declined: Vec<PreferenceChannel>,
    /// Current email addresses, preferred first.
    pub emails: Vec<String>,
    /// Current phone numbers that can take a text (mobiles), preferred first.
    pub mobiles: Vec<String>,
    /// The person's own postal address (a contact point), if any.
    pub own_address: Option<Vec<String>>,
    /// The home they live in, and whether anyone else lives there.
    pub home_address: Option<(Vec<String>, bool)>,
    /// The person asked that no letter goes to an address they share.
    pub no_letters_to_shared_address: bool,
    /// Formats their adjustments ask for.
    pub formats: Vec<PreferredFormat>,
}

/// Where and how one communication goes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Route {
    pub channel: CommChannel,
    /// The email address, the mobile number, or the postal address lines joined by newlines.
    pub to: String,
    pub format: CommFormat,
    /// Adjustments the rendering cannot meet by itself (Braille, audio, an
    /// interpreter): the sender is told to arrange them.
    pub also_needed: Vec<PreferredFormat>,
}

/// Why nothing could be sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NoRoute {
    pub reason: String,
}

/// Picks the channel and format for a communication. `has_text` says the
/// template has a short text-message form; texts are used only when the
/// person prefers them and the template has one.
///
/// Rules: the preferred channel first when it can be used; then email, then
/// a letter; a declined channel is never used; a letter goes to the person's
/// own postal address, or else their home — unless they share it and asked
/// for no letters there. Large print or easy read follow the adjustments
/// (large print wins when both are asked: it can be read aloud, easy read
/// cannot be made larger by the reader).
pub fn route(reach: &Reach, has_text: bool) -> Result<Route, NoRoute> {
    let format = if reach.formats.contains(&PreferredFormat::LargePrint) {
        CommFormat::LargePrint
    } else if reach.formats.contains(&PreferredFormat::EasyRead) {
        CommFormat::EasyRead
    } else {
        CommFormat::Standard
    };
    let also_needed: Vec<PreferredFormat> =
        reach.formats.iter().copied().filter(|f| !matches!(f, PreferredFormat::LargePrint | PreferredFormat::EasyRead)).collect();
    let accepts = |c: PreferenceChannel| !reach.declined.contains(&c);
    let letter_address = || -> Option<&Vec<String>> {
        if let Some(a) = &reach.own_address {
            return Some(a);
        }
        match &reach.home_address {
            Some((_, true)) if reach.no_letters_to_shared_address => None,
            Some((a, _)) => Some(a),
            None => None,
        }
    };
    let try_channel = |c: PreferenceChannel| -> Option<(CommChannel, String)> {
        if !accepts(c) {
            return None;
        }
        match c {
            PreferenceChannel::Email => reach.emails.first().map(|e| (CommChannel::Email, e.clone())),
            PreferenceChannel::Sms if has_text => reach.mobiles.first().map(|m| (CommChannel::Sms, m.clone())),
            PreferenceChannel::Letter => letter_address().map(|a| (CommChannel::Letter, a.join("\n"))),
            _ => None,
        }
    };
    let order = reach.preferred.into_iter().chain([PreferenceChannel::Email, PreferenceChannel::Letter]);
    for c in order {
        if let Some((channel, to)) = try_channel(c) {
            return Ok(Route { channel, to, format, also_needed });
        }
    }
    let reason = if !accepts(PreferenceChannel::Letter) && !accepts(PreferenceChannel::Email) {
        "They have declined both email and letters".to_string()
    } else if !accepts(PreferenceChannel::Letter) {
        "They have declined letters and no email address is held".to_string()
    } else if reach.own_address.is_none() && matches!(reach.home_address, Some((_, true))) && reach.no_letters_to_shared_address {
        "They asked for no letters to the address they share, and no other address or email is held".to_string()
    } else {
        "No postal address or email address is held".to_string()
    };
    Err(NoRoute { reason })
}

/// A communication as listed on a request, a case or the sender's home page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Communication {
    pub id: Id,
    /// The person it is about (and to, unless a representative's copy).
    pub person_id: Id,
    pub person_name: String,
    pub template: Template,
    pub recipient: RecipientRole,
    /// The representative's name on a copy.
    pub recipient_name: Option<String>,
    pub channel: Option<CommChannel>,
    pub format: CommFormat,
    /// Where it went: the email address, number or postal address.
    pub to_address: Option<String>,
    pub subject: String,
    pub status: CommStatus,
    /// Why it could not be sent.
    pub failure: Option<String>,
    /// The contact-log entry that records it.
    pub entry_id: Option<Id>,
    /// The rendered file kept: `pdf` (a letter) or `eml` (the email as sent).
    pub file_kind: Option<String>,
    /// `rights_request`, `case` or `breach`, and its id.
    pub about_type: String,
    pub about_id: Id,
    pub sent_by: Id,
    /// RFC 3339.
    pub created_at: String,
}

// Assembled by the gate for the DPO or the case's officers, who may read
// what the letter went to; the sender's failure list shows only their own.
crate::assembled_in_the_gate!(Communication);

#[cfg(test)]
mod tests {
    use super::*;

    fn reach() -> Reach {
        Reach {
            emails: vec!["pip@example.test".into()],
            own_address: None,
            home_address: Some((vec!["1 Test Row".into(), "ZZ1 1ZZ".into()], false)),
            ..Default::default()
        }
    }

    #[test]
    fn email_first_then_a_letter_home() {
        let r = route(&reach(), false).unwrap();
        assert_eq!((r.channel, r.to.as_str(), r.format), (CommChannel::Email, "pip@example.test", CommFormat::Standard));
        let no_email = Reach { emails: vec![], ..reach() };
        let r = route(&no_email, false).unwrap();
        assert_eq!((r.channel, r.to.as_str()), (CommChannel::Letter, "1 Test Row\nZZ1 1ZZ"));
    }

    #[test]
    fn the_preferred_channel_wins_and_declined_ones_are_never_used() {
        let prefers_letters = Reach { preferred: Some(PreferenceChannel::Letter), ..reach() };
        assert_eq!(route(&prefers_letters, false).unwrap().channel, CommChannel::Letter);
        let no_letters = Reach { emails: vec![], declined: vec![PreferenceChannel::Letter], ..reach() };
        assert!(route(&no_letters, false).unwrap_err().reason.contains("declined letters"));
        let no_email = Reach { declined: vec![PreferenceChannel::Email], ..reach() };
        assert_eq!(route(&no_email, false).unwrap().channel, CommChannel::Letter);
    }

    #[test]
    fn texts_only_when_preferred_and_the_template_has_one() {
        let texts = Reach { preferred: Some(PreferenceChannel::Sms), mobiles: vec!["07700 900001".into()], ..reach() };
        assert_eq!(route(&texts, true).unwrap().channel, CommChannel::Sms);
        assert_eq!(route(&texts, false).unwrap().channel, CommChannel::Email);
    }

    #[test]
    fn no_letter_to_a_shared_home_when_asked() {
        let shared =
            Reach { emails: vec![], home_address: Some((vec!["2 Test Row".into()], true)), no_letters_to_shared_address: true, ..reach() };
        assert!(route(&shared, false).unwrap_err().reason.contains("share"));
        let own = Reach { own_address: Some(vec!["PO Box 1".into()]), ..shared.clone() };
        assert_eq!(route(&own, false).unwrap().to, "PO Box 1");
        let alone = Reach { home_address: Some((vec!["2 Test Row".into()], false)), ..shared };
        assert_eq!(route(&alone, false).unwrap().channel, CommChannel::Letter);
    }

    #[test]
    fn formats_follow_the_adjustments() {
        let lp = Reach { formats: vec![PreferredFormat::EasyRead, PreferredFormat::LargePrint, PreferredFormat::Braille], ..reach() };
        let r = route(&lp, false).unwrap();
        assert_eq!(r.format, CommFormat::LargePrint);
        assert_eq!(r.also_needed, vec![PreferredFormat::Braille]);
        let er = Reach { formats: vec![PreferredFormat::EasyRead], ..reach() };
        assert_eq!(route(&er, false).unwrap().format, CommFormat::EasyRead);
    }

    #[test]
    fn nothing_held_says_so() {
        let none = Reach::default();
        assert_eq!(route(&none, false).unwrap_err().reason, "No postal address or email address is held");
    }
}
