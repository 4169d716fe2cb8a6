//! SCIM 2.0 (RFC 7643/7644) as a directory's provisioning service speaks it
//! to Hearth: what a SCIM User and Group are in Hearth's terms (a person's
//! staff account; a directory group whose name the identity file maps to a
//! role), how PATCH operations, filters and list queries are read (the forms
//! Entra ID sends included: `"Replace"`, string booleans, a value object with
//! no path), the JSON resources and discovery documents handed back, and the
//! SCIM Error each kind of mistake becomes. Pure: the gate reads and writes
//! the accounts and decides; the HTTP surface only formats.

use crate::error::{FieldError, ValidationErrors};
use crate::identity::{IdentityConfig, Mapped};
use crate::staff::{ServiceAccountFields, ServiceAccountInput, StaffRole};
use crate::Id;
use jiff::Timestamp;
use serde_json::{json, Map, Value};

pub const USER_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP_SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
const SP_CONFIG: &str = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Most resources one list answer holds (advertised as `filter.maxResults`).
pub const MAX_PAGE: usize = 100;

// ---------------------------------------------------------------------------
// Errors: every mistake is a `FieldError` naming the attribute; these
// messages (and the field names `filter`, `schemas`, `body`, `Operations`)
// tell the surface which `scimType` RFC 7644 §3.12 gives it.

/// The userName belongs to another account: 409 `uniqueness`.
pub const USERNAME_TAKEN: &str = "Another account already has this userName";
/// The path names no attribute Hearth knows: 400 `invalidPath`.
pub const NO_SUCH_ATTRIBUTE: &str = "is not an attribute of this resource";
/// The attribute is the server's to set: 400 `mutability`.
pub const READ_ONLY: &str = "is read-only: the server sets it";

/// The HTTP status and `scimType` for a set of validation errors.
pub fn error_kind(errors: &ValidationErrors) -> (u16, Option<&'static str>) {
    let kind = |e: &FieldError| -> (u16, Option<&'static str>) {
        if e.message == USERNAME_TAKEN {
            (409, Some("uniqueness"))
        } else if e.field == "filter" {
            (400, Some("invalidFilter"))
        } else if e.message.ends_with(NO_SUCH_ATTRIBUTE) {
            (400, Some("invalidPath"))
        } else if e.message.ends_with(READ_ONLY) {
            (400, Some("mutability"))
        } else if ["schemas", "body", "Operations"].contains(&e.field.as_str()) || e.field.starts_with("Operations[") {
            (400, Some("invalidSyntax"))
        } else {
            (400, Some("invalidValue"))
        }
    };
    // A uniqueness clash outranks whatever else was found.
    errors.0.iter().map(kind).find(|k| k.0 == 409).or_else(|| errors.0.first().map(kind)).unwrap_or((400, Some("invalidValue")))
}

/// A SCIM Error body (RFC 7644 §3.12): `status` is a string.
pub fn error_body(status: u16, scim_type: Option<&str>, detail: &str) -> Value {
    let mut v = json!({ "schemas": [ERROR], "status": status.to_string(), "detail": detail });
    if let Some(t) = scim_type {
        v["scimType"] = json!(t);
    }
    v
}

fn err(field: impl Into<String>, message: impl Into<String>) -> ValidationErrors {
    FieldError::new(field, message).into()
}

// ---------------------------------------------------------------------------
// Resources as the store reads them.

/// A group an account belongs to, or an account a group holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ref {
    pub id: Id,
    pub display: String,
}

/// A person's staff account as SCIM sees it (service accounts and
/// deprovisioned accounts are not SCIM users).
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryUser {
    pub id: Id,
    pub user_name: String,
    pub display_name: String,
    pub external_id: Option<String>,
    /// The primary work email.
    pub email: Option<String>,
    pub active: bool,
    /// The values of the User's `roles` (Entra ID's app-role assignments).
    pub roles: Vec<String>,
    pub manager_id: Option<Id>,
    pub groups: Vec<Ref>,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
    pub version: i64,
}

/// A directory group: its name is what the identity file maps to a role.
#[derive(Debug, Clone, PartialEq)]
pub struct DirectoryGroup {
    pub id: Id,
    pub display_name: String,
    pub external_id: Option<String>,
    pub members: Vec<Ref>,
    pub created_at: Timestamp,
    pub modified_at: Timestamp,
    pub version: i64,
}

/// One page of a list answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// Every match, not only this page's.
    pub total: usize,
    /// 1-based index of the first resource on the page.
    pub start: usize,
    pub items: Vec<T>,
}

// Staff accounts and directory groups, reached only through the staff
// compartment: no field of a customer's classes.
crate::holds_no_personal_data!(DirectoryUser, DirectoryGroup, Page<DirectoryUser>, Page<DirectoryGroup>);

// ---------------------------------------------------------------------------
// What a provisioned user is granted.

/// The role and responsibilities the identity file gives an account from
/// the display names and externalIds of its groups and the values of its
/// `roles`; `None` is "no role yet" (never a default role).
pub fn grants(config: &IdentityConfig, groups: &[(String, Option<String>)], roles: &[String]) -> Option<Mapped> {
    let names: Vec<&str> = groups
        .iter()
        .flat_map(|(display, external)| std::iter::once(display.as_str()).chain(external.as_deref()))
        .chain(roles.iter().map(String::as_str))
        .collect();
    config.map_groups(&names)
}

/// The one service account that may reach staff accounts: a directory
/// provisioning client, acting as the system administrator within the
/// `staff` compartment alone.
pub fn is_provisioning_client(role: StaffRole, scope: &[String]) -> bool {
    role == StaffRole::SystemAdministrator && scope.len() == 1 && scope[0] == "staff"
}

/// A provisioning client asked for by name: its token lasts `days`, as any
/// service account's.
pub fn provisioning_account(name: &str, days: i64) -> Result<ServiceAccountFields, ValidationErrors> {
    // The name and days follow the service-account rules; the role and
    // compartment are this one allowed combination, which those rules refuse.
    let input = ServiceAccountInput { name: name.into(), role: "housing_officer".into(), compartments: vec!["identity".into()], days };
    let mut fields = input.validate()?;
    fields.role = StaffRole::SystemAdministrator;
    fields.scope = vec!["staff".into()];
    Ok(fields)
}

// ---------------------------------------------------------------------------
// Attribute paths.

/// A parsed attribute path: `name.givenName`, `emails[type eq "work"].value`,
/// `members[value eq "12"]`, an enterprise attribute by its full URN.
#[derive(Debug, Clone, PartialEq)]
struct AttrPath {
    /// Lower-case; enterprise attributes as `enterprise:manager`.
    attr: String,
    /// The value filter in brackets, as written.
    filter: Option<String>,
    /// Lower-case sub-attribute.
    sub: Option<String>,
    /// The path as the client wrote it, for messages.
    written: String,
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len() && s.is_char_boundary(prefix.len()) && s[..prefix.len()].eq_ignore_ascii_case(prefix))
        .then(|| &s[prefix.len()..])
}

fn parse_path(path: &str) -> Result<AttrPath, ValidationErrors> {
    let written = path.trim().to_string();
    let bad = || err(written.clone(), format!("{written:?} {NO_SUCH_ATTRIBUTE}"));
    let (enterprise, rest) = if let Some(r) = strip_prefix_ci(&written, &format!("{ENTERPRISE_USER}:")) {
        (true, r)
    } else if let Some(r) =
        strip_prefix_ci(&written, &format!("{USER_SCHEMA}:")).or_else(|| strip_prefix_ci(&written, &format!("{GROUP_SCHEMA}:")))
    {
        (false, r)
    } else {
        (false, written.as_str())
    };
    let end = rest.find(['[', '.']).unwrap_or(rest.len());
    let attr = &rest[..end];
    if attr.is_empty() || !attr.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$') {
        return Err(bad());
    }
    let mut tail = &rest[end..];
    let mut filter = None;
    if let Some(t) = tail.strip_prefix('[') {
        let close = t.find(']').ok_or_else(bad)?;
        filter = Some(t[..close].trim().to_string());
        tail = &t[close + 1..];
    }
    let sub = match tail.strip_prefix('.') {
        Some(s) if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '$') => Some(s.to_ascii_lowercase()),
        Some(_) => return Err(bad()),
        None if tail.is_empty() => None,
        None => return Err(bad()),
    };
    let attr = if enterprise { format!("enterprise:{}", attr.to_ascii_lowercase()) } else { attr.to_ascii_lowercase() };
    Ok(AttrPath { attr, filter, sub, written })
}

/// A `value eq "x"` (or `type eq "work"`) filter inside brackets.
fn bracket_eq(filter: &str, written: &str) -> Result<(String, String), ValidationErrors> {
    match Filter::parse_expr(filter) {
        Ok(Filter::Eq { attr, value: Literal::Text(v) }) => Ok((attr, v)),
        _ => Err(err(written.to_string(), format!("Write the filter in {written:?} as value eq \"…\""))),
    }
}

// ---------------------------------------------------------------------------
// Values.

/// Text from a JSON value; `None` for null.
fn text(v: &Value, field: &str) -> Result<Option<String>, ValidationErrors> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Number(n) => Ok(Some(n.to_string())),
        _ => Err(err(field, format!("{field} must be text"))),
    }
}

/// A boolean, also as Entra ID sends it: "True", "False".
fn boolean(v: &Value, field: &str) -> Result<bool, ValidationErrors> {
    match v {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.trim().eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.trim().eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(err(field, format!("{field} must be true or false"))),
    }
}

/// The `value` of each entry of a multi-valued attribute (`[{"value": …}]`,
/// a single object, or bare strings).
fn values(v: &Value, field: &str) -> Result<Vec<String>, ValidationErrors> {
    let one = |e: &Value| -> Result<Option<String>, ValidationErrors> {
        match e {
            Value::Object(m) => match m.iter().find(|(k, _)| k.eq_ignore_ascii_case("value")) {
                Some((_, v)) => text(v, field),
                None => Err(err(field, format!("Each entry of {field} needs a value"))),
            },
            other => text(other, field),
        }
    };
    match v {
        Value::Null => Ok(vec![]),
        Value::Array(a) => Ok(a.iter().map(one).collect::<Result<Vec<_>, _>>()?.into_iter().flatten().collect()),
        other => Ok(one(other)?.into_iter().collect()),
    }
}

fn get_ci<'a>(m: &'a Map<String, Value>, key: &str) -> Option<&'a Value> {
    m.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)).map(|(_, v)| v)
}

/// Checks free text: no control characters (PostgreSQL refuses NUL), at most `max` characters.
fn clean(field: &str, s: &str, max: usize) -> Result<String, FieldError> {
    let s = s.trim();
    if s.chars().any(char::is_control) {
        return Err(FieldError::new(field, format!("{field} must not contain control characters")));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(field, format!("{field} must be at most {max} characters")));
    }
    Ok(s.to_string())
}

// ---------------------------------------------------------------------------
// PATCH operations.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

/// One operation of a PatchOp body: op, path, value, and where it is (for messages).
type Operation = (Op, Option<AttrPath>, Option<Value>, String);

/// The operations of a PatchOp body, in order.
fn operations(body: &Value) -> Result<Vec<Operation>, ValidationErrors> {
    let m = body.as_object().ok_or_else(|| err("body", "Send a SCIM PatchOp (a JSON object)"))?;
    let ops = get_ci(m, "Operations")
        .and_then(Value::as_array)
        .ok_or_else(|| err("Operations", "A PatchOp needs Operations: a list of add, replace or remove"))?;
    if ops.is_empty() {
        return Err(err("Operations", "A PatchOp needs at least one operation"));
    }
    let mut out = vec![];
    for (n, o) in ops.iter().enumerate() {
        let at = format!("Operations[{n}]");
        let o = o.as_object().ok_or_else(|| err(at.clone(), "Each operation is an object with op, path and value"))?;
        let op = match get_ci(o, "op").and_then(Value::as_str).map(|s| s.trim().to_ascii_lowercase()).as_deref() {
            Some("add") => Op::Add,
            Some("replace") => Op::Replace,
            Some("remove") => Op::Remove,
            _ => return Err(err(format!("{at}.op"), "op must be add, replace or remove")),
        };
        let path = match get_ci(o, "path") {
            None | Some(Value::Null) => None,
            Some(Value::String(p)) if p.trim().is_empty() => None,
            Some(Value::String(p)) => Some(parse_path(p)?),
            Some(_) => return Err(err(format!("{at}.path"), "path must be text")),
        };
        let value = get_ci(o, "value").cloned();
        if op != Op::Remove && value.is_none() {
            return Err(err(format!("{at}.value"), "add and replace need a value"));
        }
        if op == Op::Remove && path.is_none() {
            return Err(err(format!("{at}.path"), "remove needs a path"));
        }
        out.push((op, path, value, at));
    }
    Ok(out)
}

/// Applies a no-path add or replace: each key of the value object is a path.
fn each_key(
    value: &Value,
    at: &str,
    mut apply: impl FnMut(AttrPath, &Value) -> Result<(), ValidationErrors>,
) -> Result<(), ValidationErrors> {
    let m = value.as_object().ok_or_else(|| err(format!("{at}.value"), "Without a path, the value is an object of attributes"))?;
    for (k, v) in m {
        // An extension's attributes may come nested under its URN.
        if k.eq_ignore_ascii_case(ENTERPRISE_USER) {
            if let Some(inner) = v.as_object() {
                for (ik, iv) in inner {
                    apply(parse_path(&format!("{ENTERPRISE_USER}:{ik}"))?, iv)?;
                }
                continue;
            }
        }
        apply(parse_path(k)?, v)?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Users.

/// Core User attributes Hearth accepts and does not keep: it holds what it
/// needs to name, reach and authorise a member of staff, no more.
const USER_NOT_KEPT: &[&str] = &[
    "nickname",
    "profileurl",
    "title",
    "usertype",
    "preferredlanguage",
    "locale",
    "timezone",
    "password",
    "phonenumbers",
    "ims",
    "photos",
    "addresses",
    "entitlements",
    "x509certificates",
];
const ENTERPRISE_NOT_KEPT: &[&str] = &["employeenumber", "costcenter", "organization", "division", "department"];

/// What a directory may set on an account.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct UserAttributes {
    pub user_name: String,
    pub display_name: String,
    pub external_id: Option<String>,
    pub email: Option<String>,
    pub active: bool,
    pub roles: Vec<String>,
    /// The line manager's SCIM id.
    pub manager: Option<String>,
    /// name.formatted, then name.givenName and name.familyName: the display
    /// name only when no displayName is given (a PUT that echoes the old
    /// name.formatted with a new displayName means the new one).
    formatted: Option<String>,
    given_name: Option<String>,
    family_name: Option<String>,
}

impl UserAttributes {
    /// The attributes an account has now (the start of a PATCH).
    pub fn of(u: &DirectoryUser) -> Self {
        UserAttributes {
            user_name: u.user_name.clone(),
            display_name: u.display_name.clone(),
            external_id: u.external_id.clone(),
            email: u.email.clone(),
            active: u.active,
            roles: u.roles.clone(),
            manager: u.manager_id.map(|m| m.to_string()),
            formatted: None,
            given_name: None,
            family_name: None,
        }
    }

    /// A whole User resource (POST, PUT): what it does not give is cleared.
    pub fn from_resource(body: &Value) -> Result<Self, ValidationErrors> {
        let m = resource_object(body, USER_SCHEMA, "User")?;
        let mut a = UserAttributes { active: true, ..Default::default() };
        for (k, v) in m {
            if ["schemas", "id", "meta", "groups"].iter().any(|r| k.eq_ignore_ascii_case(r)) {
                continue; // the server's to set; a PUT echoes them back
            }
            if k.eq_ignore_ascii_case(ENTERPRISE_USER) {
                let inner = v.as_object().ok_or_else(|| err(ENTERPRISE_USER, "The enterprise extension is an object"))?;
                for (ik, iv) in inner {
                    a.set(Op::Replace, &parse_path(&format!("{ENTERPRISE_USER}:{ik}"))?, Some(iv))?;
                }
                continue;
            }
            a.set(Op::Replace, &parse_path(k)?, Some(v))?;
        }
        Ok(a)
    }

    /// Applies a PatchOp body's operations in order.
    pub fn patch(&mut self, body: &Value) -> Result<(), ValidationErrors> {
        for (op, path, value, at) in operations(body)? {
            match path {
                Some(p) => self.set(op, &p, value.as_ref())?,
                None => each_key(value.as_ref().unwrap_or(&Value::Null), &at, |p, v| self.set(op, &p, Some(v)))?,
            }
        }
        Ok(())
    }

    fn set(&mut self, op: Op, p: &AttrPath, value: Option<&Value>) -> Result<(), ValidationErrors> {
        let field = p.written.as_str();
        let v = value.unwrap_or(&Value::Null);
        let removing = op == Op::Remove;
        match (p.attr.as_str(), p.sub.as_deref()) {
            ("username", None) => {
                self.user_name = if removing { String::new() } else { text(v, "userName")?.unwrap_or_default() };
            }
            ("displayname", None) => {
                self.display_name = if removing { String::new() } else { text(v, "displayName")?.unwrap_or_default() };
            }
            ("externalid", None) => self.external_id = if removing { None } else { text(v, "externalId")? },
            ("active", None) => {
                if removing {
                    return Err(err("active", "active cannot be removed: replace it with true or false"));
                }
                self.active = boolean(v, "active")?;
            }
            ("name", None) => {
                if removing {
                    return Ok(());
                }
                let m = v.as_object().ok_or_else(|| err("name", "name is an object"))?;
                for (k, sv) in m {
                    self.set(op, &parse_path(&format!("name.{k}"))?, Some(sv))?;
                }
            }
            ("name", Some("formatted")) => self.formatted = if removing { None } else { text(v, "name.formatted")? },
            ("name", Some("givenname")) => self.given_name = if removing { None } else { text(v, "name.givenName")? },
            ("name", Some("familyname")) => self.family_name = if removing { None } else { text(v, "name.familyName")? },
            ("name", Some(_)) => {} // middle names, honorifics: not kept
            ("emails", sub) => {
                if removing {
                    self.email = None;
                } else if sub == Some("value") || (p.filter.is_some() && !v.is_object() && !v.is_array()) {
                    if let Some(f) = &p.filter {
                        bracket_eq(f, field)?;
                    }
                    self.email = text(v, "emails")?;
                } else if sub.is_none() {
                    self.email = primary_email(v)?.or(if op == Op::Add { self.email.clone() } else { None });
                }
                // emails[…].type or .primary: nothing to keep
            }
            ("roles", None) => {
                let given = values(v, "roles")?;
                match (op, &p.filter) {
                    (Op::Replace, None) => self.roles = given,
                    (Op::Add, None) => self.roles.extend(given),
                    (Op::Remove, None) if value.is_none() => self.roles.clear(),
                    (Op::Remove, None) => self.roles.retain(|r| !given.contains(r)),
                    (Op::Remove, Some(f)) => {
                        let (_, wanted) = bracket_eq(f, field)?;
                        self.roles.retain(|r| *r != wanted);
                    }
                    (_, Some(_)) => return Err(err(field, "Add or replace roles as a list of values")),
                }
                let mut seen: Vec<String> = vec![];
                self.roles.retain(|r| {
                    let keep = !r.trim().is_empty() && !seen.contains(r);
                    seen.push(r.clone());
                    keep
                });
            }
            ("enterprise:manager", None | Some("value")) => {
                self.manager = if removing {
                    None
                } else {
                    let id = match v {
                        Value::Object(m) => get_ci(m, "value").map(|v| text(v, "manager")).transpose()?.flatten(),
                        other => text(other, "manager")?,
                    };
                    id.filter(|m| !m.trim().is_empty())
                };
            }
            ("enterprise:manager", Some(_)) => {} // displayName, $ref: the server's
            (a, _) if a.strip_prefix("enterprise:").is_some_and(|e| ENTERPRISE_NOT_KEPT.contains(&e)) => {}
            (a, _) if USER_NOT_KEPT.contains(&a) => {}
            ("id" | "meta" | "groups" | "schemas", _) => return Err(err(field, format!("{field} {READ_ONLY}"))),
            _ => return Err(err(field, format!("{field:?} {NO_SUCH_ATTRIBUTE}"))),
        }
        Ok(())
    }

    /// Checks and tidies the attributes: `user_name` must already be
    /// normalised (the gate's rule); the display name falls back to the
    /// given and family names, then the userName.
    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.user_name.is_empty() {
            errors.push(FieldError::new("userName", "userName is required"));
        } else if self.user_name.chars().count() < 3
            || self.user_name.chars().count() > 256
            || self.user_name.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            errors.push(FieldError::new("userName", "userName must be 3 to 256 characters with no spaces"));
        }
        if self.display_name.trim().is_empty() {
            let both: Vec<&str> =
                [&self.given_name, &self.family_name].into_iter().flatten().map(|s| s.trim()).filter(|s| !s.is_empty()).collect();
            self.display_name = match self.formatted.as_deref().map(str::trim).filter(|f| !f.is_empty()) {
                Some(f) => f.to_string(),
                None if both.is_empty() => self.user_name.clone(),
                None => both.join(" "),
            };
        }
        if let Some(d) = errors.check(clean("displayName", &self.display_name, 200)) {
            self.display_name = d;
        }
        self.external_id = match self.external_id.as_deref().map(|e| clean("externalId", e, 256)) {
            Some(Ok(e)) if !e.is_empty() => Some(e),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            _ => None,
        };
        self.email = match self.email.as_deref().map(|e| clean("emails", e, 254)) {
            Some(Ok(e)) if e.is_empty() => None,
            Some(Ok(e)) if !e.contains('@') || e.contains(char::is_whitespace) => {
                errors.push(FieldError::new("emails", format!("{e:?} is not an email address")));
                None
            }
            Some(Ok(e)) => Some(e),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            None => None,
        };
        for r in &self.roles {
            errors.check(clean("roles", r, 256));
        }
        if let Some(m) = &self.manager {
            if m.trim().parse::<Id>().is_err() {
                errors.push(FieldError::new("manager", format!("{m:?} is not the id of a user Hearth provisioned")));
            }
        }
        errors.into_result().map(|_| self)
    }

    /// The line manager's account id (after [`UserAttributes::validate`]).
    pub fn manager_id(&self) -> Option<Id> {
        self.manager.as_deref().and_then(|m| m.trim().parse().ok())
    }
}

/// The primary email of an `emails` value: the one marked primary, else a
/// work address, else the first.
fn primary_email(v: &Value) -> Result<Option<String>, ValidationErrors> {
    let list: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => vec![],
        other => vec![other],
    };
    let flag = |e: &Value, k: &str| e.as_object().and_then(|m| get_ci(m, k)).cloned();
    let chosen = list
        .iter()
        .find(|e| flag(e, "primary").is_some_and(|p| boolean(&p, "emails.primary").unwrap_or(false)))
        .or_else(|| list.iter().find(|e| flag(e, "type").and_then(|t| t.as_str().map(|t| t.eq_ignore_ascii_case("work"))) == Some(true)))
        .or(list.first());
    match chosen {
        None => Ok(None),
        Some(Value::Object(m)) => get_ci(m, "value").map(|v| text(v, "emails")).transpose().map(Option::flatten),
        Some(other) => text(other, "emails"),
    }
}

/// The object of a whole resource, checking it names its schema.
fn resource_object<'a>(body: &'a Value, schema: &str, kind: &str) -> Result<&'a Map<String, Value>, ValidationErrors> {
    let m = body.as_object().ok_or_else(|| err("body", format!("Send a SCIM {kind} resource (a JSON object)")))?;
    let names = get_ci(m, "schemas").and_then(Value::as_array);
    if !names.is_some_and(|s| s.iter().any(|n| n.as_str().is_some_and(|n| n.eq_ignore_ascii_case(schema)))) {
        return Err(err("schemas", format!("schemas must include {schema}")));
    }
    Ok(m)
}

// ---------------------------------------------------------------------------
// Groups.

/// What a directory may set on a group.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GroupAttributes {
    pub display_name: String,
    pub external_id: Option<String>,
    /// Members' SCIM ids, as sent.
    pub members: Vec<String>,
}

impl GroupAttributes {
    pub fn of(g: &DirectoryGroup) -> Self {
        GroupAttributes {
            display_name: g.display_name.clone(),
            external_id: g.external_id.clone(),
            members: g.members.iter().map(|m| m.id.to_string()).collect(),
        }
    }

    pub fn from_resource(body: &Value) -> Result<Self, ValidationErrors> {
        let m = resource_object(body, GROUP_SCHEMA, "Group")?;
        let mut g = GroupAttributes::default();
        for (k, v) in m {
            if ["schemas", "id", "meta"].iter().any(|r| k.eq_ignore_ascii_case(r)) {
                continue;
            }
            g.set(Op::Replace, &parse_path(k)?, Some(v))?;
        }
        Ok(g)
    }

    pub fn patch(&mut self, body: &Value) -> Result<(), ValidationErrors> {
        for (op, path, value, at) in operations(body)? {
            match path {
                Some(p) => self.set(op, &p, value.as_ref())?,
                None => each_key(value.as_ref().unwrap_or(&Value::Null), &at, |p, v| self.set(op, &p, Some(v)))?,
            }
        }
        Ok(())
    }

    fn set(&mut self, op: Op, p: &AttrPath, value: Option<&Value>) -> Result<(), ValidationErrors> {
        let field = p.written.as_str();
        let v = value.unwrap_or(&Value::Null);
        let removing = op == Op::Remove;
        match (p.attr.as_str(), p.sub.as_deref(), &p.filter) {
            ("displayname", None, None) => {
                if removing {
                    return Err(err("displayName", "displayName is required"));
                }
                self.display_name = text(v, "displayName")?.unwrap_or_default();
            }
            ("externalid", None, None) => self.external_id = if removing { None } else { text(v, "externalId")? },
            ("members", None, None) => {
                let given = values(v, "members")?;
                match op {
                    Op::Replace => self.members = given,
                    Op::Add => self.members.extend(given),
                    Op::Remove if value.is_none() => self.members.clear(),
                    Op::Remove => self.members.retain(|m| !given.contains(m)),
                }
            }
            ("members", None | Some("value"), Some(f)) if removing => {
                let (_, id) = bracket_eq(f, field)?;
                self.members.retain(|m| *m != id);
            }
            ("members", _, _) => return Err(err(field, "Change members with a list of values, or remove one by members[value eq \"id\"]")),
            ("id" | "meta" | "schemas", _, _) => return Err(err(field, format!("{field} {READ_ONLY}"))),
            _ => return Err(err(field, format!("{field:?} {NO_SUCH_ATTRIBUTE}"))),
        }
        let mut seen: Vec<String> = vec![];
        self.members.retain(|m| {
            let keep = !seen.contains(m);
            seen.push(m.clone());
            keep
        });
        Ok(())
    }

    pub fn validate(mut self) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        if self.display_name.trim().is_empty() {
            errors.push(FieldError::new("displayName", "displayName is required"));
        } else if let Some(d) = errors.check(clean("displayName", &self.display_name, 256)) {
            self.display_name = d;
        }
        self.external_id = match self.external_id.as_deref().map(|e| clean("externalId", e, 256)) {
            Some(Ok(e)) if !e.is_empty() => Some(e),
            Some(Err(e)) => {
                errors.push(e);
                None
            }
            _ => None,
        };
        errors.into_result().map(|_| self)
    }

    /// The members named by an id Hearth could have issued; the gate keeps
    /// those that are provisioned users and reports the rest.
    pub fn member_ids(&self) -> (Vec<Id>, Vec<String>) {
        let mut ids = vec![];
        let mut unknown = vec![];
        for m in &self.members {
            match m.trim().parse::<Id>() {
                Ok(id) if id > 0 => ids.push(id),
                _ => unknown.push(m.clone()),
            }
        }
        (ids, unknown)
    }
}

// ---------------------------------------------------------------------------
// Filters and list queries.

/// Which collection a filter or query is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Users,
    Groups,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Text(String),
    Bool(bool),
}

/// A filter (RFC 7644 §3.4.2.2): equality on the attributes a directory
/// looks resources up by, joined with `and` and `or` (`and` binds tighter).
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    Eq { attr: String, value: Literal },
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
}

const USER_FILTERS: &[&str] = &["id", "username", "externalid", "displayname", "emails", "emails.value", "active"];
const GROUP_FILTERS: &[&str] = &["id", "displayname", "externalid", "members", "members.value"];

fn tokens(text: &str) -> Result<Vec<String>, String> {
    let mut out = vec![];
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '"' {
            chars.next();
            let mut s = String::from('"');
            loop {
                match chars.next() {
                    Some('\\') => s.push(chars.next().ok_or("an unfinished escape")?),
                    Some('"') => break,
                    Some(c) => s.push(c),
                    None => return Err("a quoted value is not closed".into()),
                }
            }
            out.push(s);
        } else {
            let mut s = String::new();
            let mut depth = 0;
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() && depth == 0 {
                    break;
                }
                if c == '[' {
                    depth += 1;
                }
                if c == ']' {
                    depth -= 1;
                }
                if c == '"' && depth > 0 {
                    // a quoted value inside brackets, kept whole
                    s.push(c);
                    chars.next();
                    while let Some(c) = chars.next() {
                        s.push(c);
                        if c == '\\' {
                            if let Some(e) = chars.next() {
                                s.push(e);
                            }
                        } else if c == '"' {
                            break;
                        }
                    }
                    continue;
                }
                s.push(c);
                chars.next();
            }
            out.push(s);
        }
    }
    Ok(out)
}

impl Filter {
    /// Parses a filter about `collection`; a mistake names the filter.
    pub fn parse(text: &str, collection: Collection) -> Result<Filter, ValidationErrors> {
        let f = Filter::parse_expr(text).map_err(|m| err("filter", m))?;
        let allowed = if collection == Collection::Users { USER_FILTERS } else { GROUP_FILTERS };
        f.check(allowed)?;
        Ok(f)
    }

    fn check(&self, allowed: &[&str]) -> Result<(), ValidationErrors> {
        match self {
            Filter::Eq { attr, .. } if allowed.contains(&attr.as_str()) => Ok(()),
            Filter::Eq { attr, .. } => Err(err("filter", format!("Hearth cannot filter on {attr:?}; use one of: {}", allowed.join(", ")))),
            Filter::And(a, b) | Filter::Or(a, b) => a.check(allowed).and(b.check(allowed)),
        }
    }

    fn parse_expr(text: &str) -> Result<Filter, String> {
        let toks = tokens(text)?;
        if toks.is_empty() {
            return Err("The filter is empty".into());
        }
        // or-separated groups of and-separated comparisons
        let mut ors: Vec<Filter> = vec![];
        let mut ands: Vec<Filter> = vec![];
        let mut i = 0;
        loop {
            let cmp = Filter::comparison(&toks[i..])?;
            ands.push(cmp.0);
            i += cmp.1;
            let join = toks.get(i).map(|t| t.to_ascii_lowercase());
            match join.as_deref() {
                None => break,
                Some("and") => {}
                Some("or") => ors.push(fold(std::mem::take(&mut ands), Filter::And)),
                Some(other) => return Err(format!("Expected and or or, found {other:?}")),
            }
            i += 1;
            if i >= toks.len() {
                return Err("The filter ends after and/or".into());
            }
        }
        ors.push(fold(ands, Filter::And));
        Ok(fold(ors, Filter::Or))
    }

    /// One `attr eq value` (or `attr[value eq "x"]`), and how many tokens it took.
    fn comparison(toks: &[String]) -> Result<(Filter, usize), String> {
        let attr = toks.first().ok_or("Expected an attribute")?;
        if let Some(open) = attr.find('[') {
            // members[value eq "12"]: a value filter on a multi-valued attribute
            let inner = attr[open + 1..].strip_suffix(']').ok_or_else(|| format!("{attr:?} is missing its closing ]"))?;
            let outer = attr[..open].to_ascii_lowercase();
            return match Filter::parse_expr(inner)? {
                Filter::Eq { attr: sub, value } if sub == "value" => Ok((Filter::Eq { attr: format!("{outer}.value"), value }, 1)),
                _ => Err(format!("Only {outer}[value eq \"…\"] is supported")),
            };
        }
        let op = toks.get(1).map(|t| t.to_ascii_lowercase()).ok_or_else(|| format!("Expected an operator after {attr:?}"))?;
        if op != "eq" {
            return Err(format!("Hearth supports the eq operator only, not {op:?}"));
        }
        let raw = toks.get(2).ok_or("Expected a value after eq")?;
        let value = if let Some(s) = raw.strip_prefix('"') {
            Literal::Text(s.to_string())
        } else if raw.eq_ignore_ascii_case("true") || raw.eq_ignore_ascii_case("false") {
            Literal::Bool(raw.eq_ignore_ascii_case("true"))
        } else if raw.parse::<f64>().is_ok() {
            Literal::Text(raw.clone())
        } else {
            return Err(format!("{raw:?} is not a value: quote text as \"…\""));
        };
        let attr = strip_prefix_ci(attr, &format!("{USER_SCHEMA}:"))
            .or_else(|| strip_prefix_ci(attr, &format!("{GROUP_SCHEMA}:")))
            .unwrap_or(attr)
            .to_ascii_lowercase();
        Ok((Filter::Eq { attr, value }, 3))
    }

    pub fn matches_user(&self, u: &DirectoryUser) -> bool {
        self.eval(&|attr, value| match (attr, value) {
            ("id", Literal::Text(v)) => u.id.to_string() == *v,
            ("username", Literal::Text(v)) => u.user_name.eq_ignore_ascii_case(v),
            ("externalid", Literal::Text(v)) => u.external_id.as_deref() == Some(v.as_str()),
            ("displayname", Literal::Text(v)) => u.display_name.eq_ignore_ascii_case(v),
            ("emails" | "emails.value", Literal::Text(v)) => u.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(v)),
            ("active", Literal::Bool(b)) => u.active == *b,
            _ => false,
        })
    }

    pub fn matches_group(&self, g: &DirectoryGroup) -> bool {
        self.eval(&|attr, value| match (attr, value) {
            ("id", Literal::Text(v)) => g.id.to_string() == *v,
            ("displayname", Literal::Text(v)) => g.display_name.eq_ignore_ascii_case(v),
            ("externalid", Literal::Text(v)) => g.external_id.as_deref() == Some(v.as_str()),
            ("members" | "members.value", Literal::Text(v)) => g.members.iter().any(|m| m.id.to_string() == *v),
            _ => false,
        })
    }

    fn eval(&self, leaf: &dyn Fn(&str, &Literal) -> bool) -> bool {
        match self {
            Filter::Eq { attr, value } => leaf(attr, value),
            Filter::And(a, b) => a.eval(leaf) && b.eval(leaf),
            Filter::Or(a, b) => a.eval(leaf) || b.eval(leaf),
        }
    }
}

fn fold(mut parts: Vec<Filter>, join: fn(Box<Filter>, Box<Filter>) -> Filter) -> Filter {
    let first = parts.remove(0);
    parts.into_iter().fold(first, |acc, f| join(Box::new(acc), Box::new(f)))
}

/// A list request: filter, paging, and attributes left out of the answer.
#[derive(Debug, Clone, PartialEq)]
pub struct ListQuery {
    pub filter: Option<Filter>,
    /// 1-based.
    pub start_index: usize,
    pub count: usize,
    /// Top-level attributes left out (`excludedAttributes`), lower-case.
    pub excluded: Vec<String>,
    /// The filter as written, for the audit trail.
    pub filter_text: Option<String>,
}

impl ListQuery {
    /// Reads the query parameters; below 1 `startIndex` counts as 1 and a
    /// negative `count` as 0 (RFC 7644 §3.4.2.4), above [`MAX_PAGE`] as that.
    pub fn parse(
        filter: Option<&str>,
        start_index: Option<&str>,
        count: Option<&str>,
        excluded: Option<&str>,
        collection: Collection,
    ) -> Result<ListQuery, ValidationErrors> {
        let number = |name: &str, v: Option<&str>, default: i64| -> Result<i64, ValidationErrors> {
            match v.map(str::trim).filter(|v| !v.is_empty()) {
                None => Ok(default),
                Some(v) => v.parse::<i64>().map_err(|_| err(name, format!("{name} must be a whole number"))),
            }
        };
        let start_index = number("startIndex", start_index, 1)?.max(1) as usize;
        let count = number("count", count, MAX_PAGE as i64)?.clamp(0, MAX_PAGE as i64) as usize;
        let filter_text = filter.map(str::trim).filter(|f| !f.is_empty()).map(str::to_string);
        let filter = filter_text.as_deref().map(|f| Filter::parse(f, collection)).transpose()?;
        let excluded = excluded.unwrap_or("").split(',').map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty()).collect();
        Ok(ListQuery { filter, start_index, count, excluded, filter_text })
    }

    /// The page of `all` (in the store's order) this query asks for.
    pub fn page<T>(&self, all: Vec<T>, matches: impl Fn(&Filter, &T) -> bool) -> Page<T> {
        let hits: Vec<T> = all.into_iter().filter(|t| self.filter.as_ref().is_none_or(|f| matches(f, t))).collect();
        let total = hits.len();
        let items = hits.into_iter().skip(self.start_index - 1).take(self.count).collect();
        Page { total, start: self.start_index, items }
    }
}

// ---------------------------------------------------------------------------
// JSON out. `base` is the SCIM root, e.g. `https://hearth.example/scim/v2`.

fn meta(kind: &str, location: String, created: Timestamp, modified: Timestamp, version: i64) -> Value {
    json!({ "resourceType": kind, "created": created.to_string(), "lastModified": modified.to_string(),
            "location": location, "version": etag(version) })
}

/// The weak entity tag of a resource's version (meta.version and ETag).
pub fn etag(version: i64) -> String {
    format!("W/\"{version}\"")
}

pub fn user_json(u: &DirectoryUser, base: &str) -> Value {
    let mut v = json!({
        "schemas": [USER_SCHEMA, ENTERPRISE_USER],
        "id": u.id.to_string(),
        "userName": u.user_name,
        "displayName": u.display_name,
        "name": { "formatted": u.display_name },
        "active": u.active,
        "emails": u.email.as_ref().map(|e| vec![json!({ "value": e, "type": "work", "primary": true })]).unwrap_or_default(),
        "roles": u.roles.iter().map(|r| json!({ "value": r })).collect::<Vec<_>>(),
        "groups": u.groups.iter().map(|g| json!({ "value": g.id.to_string(), "display": g.display, "$ref": format!("{base}/Groups/{}", g.id) })).collect::<Vec<_>>(),
        ENTERPRISE_USER: {},
        "meta": meta("User", format!("{base}/Users/{}", u.id), u.created_at, u.modified_at, u.version),
    });
    if let Some(e) = &u.external_id {
        v["externalId"] = json!(e);
    }
    if let Some(m) = u.manager_id {
        v[ENTERPRISE_USER] = json!({ "manager": { "value": m.to_string(), "$ref": format!("{base}/Users/{m}") } });
    }
    v
}

pub fn group_json(g: &DirectoryGroup, base: &str) -> Value {
    let mut v = json!({
        "schemas": [GROUP_SCHEMA],
        "id": g.id.to_string(),
        "displayName": g.display_name,
        "members": g.members.iter().map(|m| json!({ "value": m.id.to_string(), "display": m.display, "$ref": format!("{base}/Users/{}", m.id) })).collect::<Vec<_>>(),
        "meta": meta("Group", format!("{base}/Groups/{}", g.id), g.created_at, g.modified_at, g.version),
    });
    if let Some(e) = &g.external_id {
        v["externalId"] = json!(e);
    }
    v
}

/// Leaves out the attributes `excludedAttributes` names (never id or schemas).
pub fn exclude(mut v: Value, excluded: &[String]) -> Value {
    if let Some(m) = v.as_object_mut() {
        m.retain(|k, _| {
            let k = k.to_ascii_lowercase();
            k == "id" || k == "schemas" || !excluded.contains(&k)
        });
    }
    v
}

pub fn list_json(total: usize, start: usize, resources: Vec<Value>) -> Value {
    json!({ "schemas": [LIST_RESPONSE], "totalResults": total, "startIndex": start,
            "itemsPerPage": resources.len(), "Resources": resources })
}

pub fn service_provider_config(base: &str) -> Value {
    json!({
        "schemas": [SP_CONFIG],
        "documentationUri": "https://github.com/hearth-housing/hearth/blob/main/docs/single-sign-on.md",
        "patch": { "supported": true },
        "bulk": { "supported": false, "maxOperations": 0, "maxPayloadSize": 0 },
        "filter": { "supported": true, "maxResults": MAX_PAGE },
        "changePassword": { "supported": false },
        "sort": { "supported": false },
        "etag": { "supported": false },
        "authenticationSchemes": [{
            "type": "oauthbearertoken", "name": "Bearer token", "primary": true,
            "description": "The token of a directory-provisioning service account (hearth user provisioning-token)"
        }],
        "meta": { "resourceType": "ServiceProviderConfig", "location": format!("{base}/ServiceProviderConfig") },
    })
}

fn resource_type_of(name: &str, base: &str) -> Option<Value> {
    let (endpoint, schema, description) = match name {
        "User" => ("/Users", USER_SCHEMA, "A member of staff's Hearth account"),
        "Group" => ("/Groups", GROUP_SCHEMA, "A directory group; the identity file maps its name to a Hearth role"),
        _ => return None,
    };
    let mut v = json!({
        "schemas": [RESOURCE_TYPE], "id": name, "name": name, "endpoint": endpoint, "description": description, "schema": schema,
        "meta": { "resourceType": "ResourceType", "location": format!("{base}/ResourceTypes/{name}") },
    });
    if name == "User" {
        v["schemaExtensions"] = json!([{ "schema": ENTERPRISE_USER, "required": false }]);
    }
    Some(v)
}

/// One resource type by name (`User`, `Group`).
pub fn resource_type(name: &str, base: &str) -> Option<Value> {
    resource_type_of(name, base)
}

pub fn resource_types(base: &str) -> Value {
    let all: Vec<Value> = ["User", "Group"].iter().filter_map(|n| resource_type_of(n, base)).collect();
    list_json(all.len(), 1, all)
}

fn attribute(name: &str, kind: &str, multi: bool, required: bool, mutability: &str, uniqueness: &str, description: &str) -> Value {
    json!({ "name": name, "type": kind, "multiValued": multi, "description": description, "required": required,
            "caseExact": false, "mutability": mutability, "returned": "default", "uniqueness": uniqueness })
}

fn with_subs(mut a: Value, subs: Vec<Value>) -> Value {
    a["subAttributes"] = json!(subs);
    a
}

fn schema_of(id: &str, base: &str) -> Option<Value> {
    let value = |d: &str| attribute("value", "string", false, false, "readWrite", "none", d);
    let (name, description, attributes) = match id {
        USER_SCHEMA => (
            "User",
            "A member of staff's account",
            vec![
                attribute("userName", "string", false, true, "readWrite", "server", "Sign-in name, compared ignoring case"),
                attribute("displayName", "string", false, false, "readWrite", "none", "The name Hearth shows"),
                with_subs(
                    attribute("name", "complex", false, false, "readWrite", "none", "Used for the display name when displayName is absent"),
                    vec![
                        attribute("formatted", "string", false, false, "readWrite", "none", "The full name"),
                        attribute("givenName", "string", false, false, "readWrite", "none", "Given name"),
                        attribute("familyName", "string", false, false, "readWrite", "none", "Family name"),
                    ],
                ),
                attribute("externalId", "string", false, false, "readWrite", "none", "The directory's id for the person"),
                attribute("active", "boolean", false, false, "readWrite", "none", "false ends every session and token at once"),
                with_subs(
                    attribute("emails", "complex", true, false, "readWrite", "none", "Only the primary work address is kept"),
                    vec![
                        value("The address"),
                        attribute("type", "string", false, false, "readWrite", "none", "work"),
                        attribute("primary", "boolean", false, false, "readWrite", "none", "The address kept"),
                    ],
                ),
                with_subs(
                    attribute("roles", "complex", true, false, "readWrite", "none", "App-role values, mapped like group names"),
                    vec![value("The role's value")],
                ),
                with_subs(
                    attribute("groups", "complex", true, false, "readOnly", "none", "The groups the account belongs to"),
                    vec![
                        attribute("value", "string", false, false, "readOnly", "none", "The group's id"),
                        attribute("display", "string", false, false, "readOnly", "none", "The group's name"),
                    ],
                ),
            ],
        ),
        GROUP_SCHEMA => (
            "Group",
            "A directory group",
            vec![
                attribute("displayName", "string", false, true, "readWrite", "none", "Matched against the identity file's groups"),
                attribute("externalId", "string", false, false, "readWrite", "none", "The directory's id for the group, also matched"),
                with_subs(
                    attribute("members", "complex", true, false, "readWrite", "none", "Users in the group"),
                    vec![value("A user's id"), attribute("display", "string", false, false, "readOnly", "none", "The user's name")],
                ),
            ],
        ),
        ENTERPRISE_USER => (
            "EnterpriseUser",
            "Enterprise extension: only the manager is kept",
            vec![with_subs(
                attribute("manager", "complex", false, false, "readWrite", "none", "The line manager"),
                vec![value("The manager's user id")],
            )],
        ),
        _ => return None,
    };
    Some(json!({ "schemas": [SCHEMA], "id": id, "name": name, "description": description, "attributes": attributes,
                 "meta": { "resourceType": "Schema", "location": format!("{base}/Schemas/{id}") } }))
}

/// One schema by its URN.
pub fn schema(id: &str, base: &str) -> Option<Value> {
    schema_of(id, base)
}

pub fn schemas(base: &str) -> Value {
    let all: Vec<Value> = [USER_SCHEMA, GROUP_SCHEMA, ENTERPRISE_USER].iter().filter_map(|s| schema_of(s, base)).collect();
    list_json(all.len(), 1, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user() -> DirectoryUser {
        DirectoryUser {
            id: 7,
            user_name: "pat.hoskins@riverside.example".into(),
            display_name: "Pat Hoskins".into(),
            external_id: Some("0b6f-4e2a".into()),
            email: Some("pat.hoskins@riverside.example".into()),
            active: true,
            roles: vec![],
            manager_id: None,
            groups: vec![],
            created_at: "2026-12-01T09:00:00Z".parse().unwrap(),
            modified_at: "2026-12-02T09:00:00Z".parse().unwrap(),
            version: 3,
        }
    }

    fn patch(ops: Value) -> Value {
        json!({ "schemas": [PATCH_OP], "Operations": ops })
    }

    fn fields(e: ValidationErrors) -> Vec<String> {
        e.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn entra_deactivates_in_each_of_its_forms() {
        for ops in [
            json!([{ "op": "Replace", "path": "active", "value": "False" }]),
            json!([{ "op": "replace", "path": "active", "value": false }]),
            json!([{ "op": "replace", "value": { "active": false } }]),
            json!([{ "op": "REPLACE", "value": { "Active": "false" } }]),
        ] {
            let mut a = UserAttributes::of(&user());
            a.patch(&patch(ops.clone())).unwrap();
            assert!(!a.active, "{ops}");
        }
        let mut a = UserAttributes::of(&user());
        let e = a.patch(&patch(json!([{ "op": "replace", "path": "active", "value": "perhaps" }]))).unwrap_err();
        assert_eq!(fields(e.clone()), ["active"]);
        assert_eq!(error_kind(&e), (400, Some("invalidValue")));
    }

    #[test]
    fn patch_paths_reach_names_emails_roles_and_the_manager() {
        let mut a = UserAttributes::of(&user());
        a.patch(&patch(json!([
            { "op": "Replace", "path": "displayName", "value": "Pat Hoskins-Lee" },
            { "op": "Replace", "path": "emails[type eq \"work\"].value", "value": "pat.lee@riverside.example" },
            { "op": "Add", "path": "roles", "value": [{ "value": "Hearth.AsbOfficer" }, { "value": "Hearth.AsbOfficer" }] },
            { "op": "Add", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager", "value": "12" },
            { "op": "Replace", "path": "title", "value": "Senior officer" },
            { "op": "Replace", "path": "externalId", "value": "0b6f-9999" },
        ])))
        .unwrap();
        let a = a.validate().unwrap();
        assert_eq!(a.display_name, "Pat Hoskins-Lee");
        assert_eq!(a.email.as_deref(), Some("pat.lee@riverside.example"));
        assert_eq!(a.roles, ["Hearth.AsbOfficer"]);
        assert_eq!((a.manager_id(), a.external_id.as_deref()), (Some(12), Some("0b6f-9999")));
        let mut b = a.clone();
        b.patch(&patch(json!([
            { "op": "Remove", "path": "roles[value eq \"Hearth.AsbOfficer\"]" },
            { "op": "Remove", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager" },
            { "op": "Replace", "value": { "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Housing" } } },
        ])))
        .unwrap();
        assert!(b.roles.is_empty() && b.manager.is_none());
    }

    #[test]
    fn unknown_or_read_only_attributes_are_named() {
        let mut a = UserAttributes::of(&user());
        let e = a.patch(&patch(json!([{ "op": "replace", "path": "shoeSize", "value": 9 }]))).unwrap_err();
        assert_eq!((fields(e.clone()), error_kind(&e)), (vec!["shoeSize".to_string()], (400, Some("invalidPath"))));
        let e = a.patch(&patch(json!([{ "op": "replace", "path": "id", "value": "9" }]))).unwrap_err();
        assert_eq!(error_kind(&e), (400, Some("mutability")));
        let e = a.patch(&patch(json!([{ "op": "jump", "path": "active", "value": true }]))).unwrap_err();
        assert_eq!((fields(e.clone()), error_kind(&e)), (vec!["Operations[0].op".to_string()], (400, Some("invalidSyntax"))));
        let e = a.patch(&json!({ "schemas": [PATCH_OP] })).unwrap_err();
        assert_eq!(fields(e), ["Operations"]);
    }

    #[test]
    fn a_whole_user_needs_its_schema_and_a_user_name() {
        let e = UserAttributes::from_resource(&json!({ "not": "a scim resource" })).unwrap_err();
        assert_eq!(fields(e), ["schemas"]);
        let e = UserAttributes::from_resource(&json!({ "schemas": [USER_SCHEMA] })).unwrap().validate().unwrap_err();
        assert_eq!(fields(e), ["userName"]);
        let a = UserAttributes::from_resource(&json!({
            "schemas": [USER_SCHEMA, ENTERPRISE_USER], "id": "7", "meta": {}, "groups": [],
            "userName": "sam.okafor@riverside.example", "name": { "givenName": "Sam", "familyName": "Okafor" },
            "emails": [{ "value": "home@example.org", "type": "home" }, { "value": "sam@riverside.example", "type": "work" }],
            "phoneNumbers": [{ "value": "01632 960000" }],
            ENTERPRISE_USER: { "manager": { "value": "3" }, "employeeNumber": "42" },
        }))
        .unwrap()
        .validate()
        .unwrap();
        assert_eq!(a.display_name, "Sam Okafor", "given and family name when no displayName");
        assert_eq!(a.email.as_deref(), Some("sam@riverside.example"), "the work address when none is primary");
        assert_eq!((a.active, a.manager_id()), (true, Some(3)));
        let echoed = json!({ "schemas": [USER_SCHEMA], "userName": "sam", "displayName": "Sam O", "name": { "formatted": "Old Name" } });
        assert_eq!(UserAttributes::from_resource(&echoed).unwrap().validate().unwrap().display_name, "Sam O", "displayName wins");
        let e = UserAttributes::from_resource(&json!({ "schemas": [USER_SCHEMA], "userName": "x y", "emails": [{ "value": "nope" }] }))
            .unwrap()
            .validate()
            .unwrap_err();
        assert_eq!(fields(e), ["userName", "emails"]);
    }

    #[test]
    fn group_members_are_added_and_removed_as_entra_does() {
        let mut g = GroupAttributes { display_name: "Hearth ASB team".into(), external_id: None, members: vec!["1".into()] };
        g.patch(&patch(json!([{ "op": "Add", "path": "members", "value": [{ "value": "2" }, { "value": "1" }, { "value": "fake" }] }])))
            .unwrap();
        assert_eq!(g.members, ["1", "2", "fake"]);
        assert_eq!(g.member_ids(), (vec![1, 2], vec!["fake".to_string()]));
        g.patch(&patch(json!([{ "op": "Remove", "path": "members[value eq \"2\"]" }]))).unwrap();
        g.patch(&patch(json!([{ "op": "Remove", "path": "members", "value": [{ "value": "fake" }] }]))).unwrap();
        assert_eq!(g.members, ["1"]);
        g.patch(&patch(json!([{ "op": "remove", "path": "members" }]))).unwrap();
        assert!(g.members.is_empty());
        g.patch(&patch(json!([{ "op": "replace", "value": { "displayName": "Renamed", "externalId": "g-1" } }]))).unwrap();
        assert_eq!((g.display_name.as_str(), g.external_id.as_deref()), ("Renamed", Some("g-1")));
        let e = GroupAttributes::from_resource(&json!({ "schemas": [GROUP_SCHEMA] })).unwrap().validate().unwrap_err();
        assert_eq!(fields(e), ["displayName"]);
    }

    #[test]
    fn filters_find_users_and_groups_by_what_a_directory_looks_up() {
        let u = user();
        let f = |t: &str| Filter::parse(t, Collection::Users).unwrap();
        assert!(f("userName eq \"PAT.HOSKINS@riverside.example\"").matches_user(&u), "userName ignores case");
        assert!(f("externalId eq \"0b6f-4e2a\"").matches_user(&u));
        assert!(!f("externalId eq \"0B6F-4E2A\"").matches_user(&u), "externalId is case-exact");
        assert!(f("userName eq \"nobody\" or id eq \"7\" and active eq true").matches_user(&u));
        assert!(!f("userName eq \"pat.hoskins@riverside.example\" and active eq false").matches_user(&u));
        assert!(f("urn:ietf:params:scim:schemas:core:2.0:User:userName eq \"pat.hoskins@riverside.example\"").matches_user(&u));
        let g = DirectoryGroup {
            id: 4,
            display_name: "Hearth ASB team".into(),
            external_id: None,
            members: vec![Ref { id: 7, display: "Pat".into() }],
            created_at: u.created_at,
            modified_at: u.modified_at,
            version: 1,
        };
        let gf = |t: &str| Filter::parse(t, Collection::Groups).unwrap();
        assert!(gf("displayName eq \"hearth asb team\"").matches_group(&g));
        assert!(gf("id eq \"4\" and members[value eq \"7\"]").matches_group(&g));
        assert!(!gf("members[value eq \"8\"]").matches_group(&g));
        for bad in ["userName sw \"pat\"", "shoeSize eq \"9\"", "userName eq", "userName eq pat", "", "userName eq \"x\" and"] {
            let e = Filter::parse(bad, Collection::Users).unwrap_err();
            assert_eq!((fields(e.clone()), error_kind(&e)), (vec!["filter".to_string()], (400, Some("invalidFilter"))), "{bad}");
        }
    }

    #[test]
    fn list_queries_page_from_one_and_cap_the_count() {
        let q = ListQuery::parse(None, Some("2"), Some("2"), Some("members"), Collection::Groups).unwrap();
        let p = q.page(vec![1, 2, 3, 4], |_, _| true);
        assert_eq!((p.total, p.start, p.items), (4, 2, vec![2, 3]));
        assert_eq!(q.excluded, ["members"]);
        let q = ListQuery::parse(None, Some("0"), Some("-3"), None, Collection::Users).unwrap();
        assert_eq!((q.start_index, q.count), (1, 0));
        assert_eq!(ListQuery::parse(None, None, Some("5000"), None, Collection::Users).unwrap().count, MAX_PAGE);
        assert_eq!(fields(ListQuery::parse(None, Some("one"), None, None, Collection::Users).unwrap_err()), ["startIndex"]);
    }

    #[test]
    fn resources_carry_meta_and_never_a_password() {
        let mut u = user();
        u.manager_id = Some(3);
        let v = user_json(&u, "https://hearth.example/scim/v2");
        assert_eq!(v["id"], "7");
        assert_eq!(v["meta"]["location"], "https://hearth.example/scim/v2/Users/7");
        assert_eq!(v["meta"]["version"], "W/\"3\"");
        assert_eq!(v["meta"]["resourceType"], "User");
        assert_eq!(v[ENTERPRISE_USER]["manager"]["value"], "3");
        assert!(v.get("password").is_none());
        let v = exclude(v, &["emails".into(), "id".into()]);
        assert!(v.get("emails").is_none() && v.get("id").is_some());
        let e = error_body(409, Some("uniqueness"), "userName: taken");
        assert_eq!((e["status"].as_str(), e["schemas"][0].as_str()), (Some("409"), Some(ERROR)));
        assert_eq!(error_kind(&err("userName", USERNAME_TAKEN)), (409, Some("uniqueness")));
    }

    #[test]
    fn groups_and_app_roles_map_through_the_identity_file() {
        let config = IdentityConfig::parse(
            r#"{ "groups": [ { "group": "Hearth ASB team", "role": "asb_officer", "responsibilities": ["asb"] },
                            { "group": "9f1c-officers", "role": "housing_officer" },
                            { "group": "Hearth.Manager", "role": "manager" } ] }"#,
        )
        .unwrap();
        let g = |d: &str, e: Option<&str>| (d.to_string(), e.map(str::to_string));
        assert_eq!(grants(&config, &[g("Finance", None)], &[]), None);
        assert_eq!(grants(&config, &[g("Officers", Some("9f1c-officers"))], &[]).unwrap().role, StaffRole::HousingOfficer);
        assert_eq!(grants(&config, &[], &["Hearth.Manager".into()]).unwrap().role, StaffRole::Manager);
        let m = grants(&config, &[g("Hearth ASB team", None), g("Officers", Some("9f1c-officers"))], &[]).unwrap();
        assert_eq!((m.role, m.responsibilities), (StaffRole::AsbOfficer, vec!["asb".to_string()]));
    }

    #[test]
    fn a_provisioning_client_is_the_one_administrator_service_account() {
        let f = provisioning_account("Entra provisioning", 180).unwrap();
        assert_eq!(
            (f.username.as_str(), f.role, f.scope.clone()),
            ("svc-entra-provisioning", StaffRole::SystemAdministrator, vec!["staff".to_string()])
        );
        assert!(is_provisioning_client(f.role, &f.scope));
        assert!(!is_provisioning_client(StaffRole::HousingOfficer, &["staff".into()]));
        assert!(!is_provisioning_client(StaffRole::SystemAdministrator, &["staff".into(), "identity".into()]));
        assert_eq!(fields(provisioning_account("x", 400).unwrap_err()), ["name", "days"]);
    }
}
