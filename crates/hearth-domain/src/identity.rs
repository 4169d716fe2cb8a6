//! Staff identity from an organisation's directory: how the groups (or app
//! roles) an identity provider says a person belongs to become a Hearth role
//! and responsibilities, and the settings for OpenID Connect single sign-on.
//!
//! One mapping serves both single sign-on (the token's group claim, read at
//! every sign-in) and SCIM provisioning (the groups the provider pushes), so a
//! mover's new job reaches Hearth whichever route arrives first. Pure: the
//! operator's file is parsed and checked here; the gate applies the result.

use crate::access::Compartment;
use crate::error::{FieldError, ValidationErrors};
use crate::staff::StaffRole;
use serde::Deserialize;

/// The operator's identity file (`--identity-config`), as JSON.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityConfig {
    /// Directory groups (by object id or display name) and what they grant,
    /// in order: the first matching entry with a role gives the role.
    #[serde(default)]
    pub groups: Vec<GroupMapping>,
    /// Single sign-on; absent means local passwords only.
    #[serde(default)]
    pub oidc: Option<OidcSettings>,
    /// Whether staff may still sign in with a Hearth password. A landlord on
    /// single sign-on switches this off so a leaver's old password is useless.
    #[serde(default = "yes")]
    pub local_passwords: bool,
}

fn yes() -> bool {
    true
}

impl Default for IdentityConfig {
    /// No directory: local passwords only.
    fn default() -> Self {
        IdentityConfig { groups: vec![], oidc: None, local_passwords: true }
    }
}

/// One directory group and what membership of it grants.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupMapping {
    /// The group's object id (what Entra ID puts in the `groups` claim) or its
    /// display name (what SCIM provisioning sends); matched ignoring case.
    pub group: String,
    /// The role its members take, if it grants one.
    #[serde(default)]
    pub role: Option<String>,
    /// Compartments its members answer for (managers, safeguarding leads).
    #[serde(default)]
    pub responsibilities: Vec<String>,
}

/// OpenID Connect settings for single sign-on.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OidcSettings {
    /// The issuer URL; its `/.well-known/openid-configuration` is read at start-up.
    pub issuer: String,
    pub client_id: String,
    /// A file holding the client secret (never the secret itself in this file).
    pub client_secret_file: String,
    /// This server's public address, e.g. `https://hearth.example.org`: the
    /// provider sends people back to `{public_url}/sign-in/sso/callback`.
    pub public_url: String,
    /// The claim listing the person's groups or app roles.
    #[serde(default = "groups_claim")]
    pub groups_claim: String,
    /// A claim naming the person's line manager by username, if the provider sends one.
    #[serde(default)]
    pub manager_claim: Option<String>,
    /// The claim used as the Hearth username (Entra ID: `preferred_username`, the UPN).
    #[serde(default = "username_claim")]
    pub username_claim: String,
    /// The words on the sign-in button, e.g. "Sign in with your Riverside account".
    #[serde(default = "button")]
    pub button: String,
    /// Scopes asked for besides `openid` (some providers need one for groups).
    #[serde(default = "scopes")]
    pub scopes: Vec<String>,
}

fn groups_claim() -> String {
    "groups".into()
}
fn username_claim() -> String {
    "preferred_username".into()
}
fn scopes() -> Vec<String> {
    vec!["profile".into(), "email".into()]
}
fn button() -> String {
    "Sign in with your organisation account".into()
}

/// What a person's groups grant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mapped {
    pub role: StaffRole,
    pub responsibilities: Vec<String>,
}

impl IdentityConfig {
    /// Parses and checks the operator's file; every problem is named.
    pub fn parse(text: &str) -> Result<IdentityConfig, ValidationErrors> {
        let config: IdentityConfig =
            serde_json::from_str(text).map_err(|e| ValidationErrors(vec![FieldError::new("identity", e.to_string())]))?;
        let mut errors = vec![];
        for (n, g) in config.groups.iter().enumerate() {
            if g.group.trim().is_empty() {
                errors.push(FieldError::new(format!("groups[{n}].group"), "Name the group by its id or display name"));
            }
            if let Some(role) = &g.role {
                if StaffRole::parse(role.trim()).is_none() {
                    errors.push(FieldError::new(format!("groups[{n}].role"), format!("{role:?} is not a Hearth role")));
                }
            }
            for c in &g.responsibilities {
                if Compartment::parse(c.trim()).is_none() {
                    errors.push(FieldError::new(format!("groups[{n}].responsibilities"), format!("{c:?} is not a compartment")));
                }
            }
        }
        if let Some(oidc) = &config.oidc {
            for (field, value) in [
                ("oidc.issuer", &oidc.issuer),
                ("oidc.client_id", &oidc.client_id),
                ("oidc.client_secret_file", &oidc.client_secret_file),
                ("oidc.public_url", &oidc.public_url),
            ] {
                if value.trim().is_empty() {
                    errors.push(FieldError::new(field, "This setting is needed for single sign-on"));
                }
            }
            if !config.groups.iter().any(|g| g.role.is_some()) {
                errors.push(FieldError::new("groups", "Single sign-on needs at least one group that grants a role"));
            }
        } else if !config.local_passwords {
            errors.push(FieldError::new("local_passwords", "Without single sign-on, local passwords are the only way in"));
        }
        if errors.is_empty() {
            Ok(config)
        } else {
            Err(ValidationErrors(errors))
        }
    }

    /// What membership of `groups` grants: the role of the first mapping (in
    /// the file's order) that matches and has one, and the responsibilities
    /// of every mapping that matches. `None` when no group grants a role:
    /// such a person is refused, never given a default role.
    pub fn map_groups<S: AsRef<str>>(&self, groups: &[S]) -> Option<Mapped> {
        let member = |g: &GroupMapping| groups.iter().any(|have| have.as_ref().trim().eq_ignore_ascii_case(g.group.trim()));
        let matched: Vec<&GroupMapping> = self.groups.iter().filter(|g| member(g)).collect();
        let role = matched.iter().find_map(|g| g.role.as_deref().and_then(|r| StaffRole::parse(r.trim())))?;
        let mut responsibilities: Vec<String> = vec![];
        for c in matched.iter().flat_map(|g| g.responsibilities.iter()) {
            if let Some(k) = Compartment::parse(c.trim()) {
                if !responsibilities.iter().any(|r| r == k.as_str()) {
                    responsibilities.push(k.as_str().to_string());
                }
            }
        }
        Some(Mapped { role, responsibilities })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = r#"{
        "groups": [
            { "group": "Hearth ASB team", "role": "asb_officer", "responsibilities": ["asb"] },
            { "group": "0b6f-officers", "role": "housing_officer" },
            { "group": "Safeguarding leads", "responsibilities": ["safeguarding"] }
        ]
    }"#;

    #[test]
    fn the_first_matching_group_gives_the_role_and_every_match_its_responsibilities() {
        let c = IdentityConfig::parse(FILE).unwrap();
        assert!(c.local_passwords);
        let m = c.map_groups(&["0B6F-OFFICERS", "safeguarding leads"]).unwrap();
        assert_eq!(m.role, StaffRole::HousingOfficer);
        assert_eq!(m.responsibilities, vec!["safeguarding".to_string()]);
        let m = c.map_groups(&["0b6f-officers", "Hearth ASB team"]).unwrap();
        assert_eq!(m.role, StaffRole::AsbOfficer, "file order decides, not the token's order");
        assert_eq!(m.responsibilities, vec!["asb".to_string()]);
    }

    #[test]
    fn a_person_in_no_role_granting_group_gets_nothing() {
        let c = IdentityConfig::parse(FILE).unwrap();
        assert_eq!(c.map_groups(&["Safeguarding leads"]), None);
        assert_eq!(c.map_groups::<&str>(&[]), None);
        assert_eq!(c.map_groups(&["Finance"]), None);
    }

    #[test]
    fn mistakes_in_the_file_are_named() {
        let bad = r#"{ "groups": [ { "group": "x", "role": "wizard", "responsibilities": ["moon"] } ], "local_passwords": false }"#;
        let e = IdentityConfig::parse(bad).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["groups[0].role", "groups[0].responsibilities", "local_passwords"]);
        let e = IdentityConfig::parse(r#"{ "gropus": [] }"#).unwrap_err();
        assert!(e.0[0].message.contains("gropus"), "{e:?}");
        let no_roles =
            r#"{ "oidc": { "issuer": "https://id.example", "client_id": "c", "client_secret_file": "s", "public_url": "https://h" } }"#;
        assert_eq!(IdentityConfig::parse(no_roles).unwrap_err().0[0].field, "groups");
    }
}
