//! Hearth's domain: the record types and the pure rules about them.
//!
//! Owns: what a person, contact point, household, property, tenancy and staff
//! role *are*, and the validation rules the law and the landlord's policy put on
//! them (NI number format, plausible dates of birth, a child's record holding
//! only names and a date of birth). It must never touch storage, HTTP or the
//! clock: callers pass `today` in, so every rule is a pure function and testable.

pub mod access;
pub mod anonymity;
pub mod audit;
pub mod breaches;
pub mod calendar;
pub mod capacity;
pub mod cases;
pub mod classes;
pub mod comms;
pub mod consent;
pub mod contacts;
pub mod documents;
pub mod edi;
pub mod erasure;
pub mod error;
pub mod front_door;
pub mod grants;
pub mod identity;
pub mod import;
pub mod needs;
pub mod page;
pub mod people;
pub mod property;
pub mod recordings;
pub mod redact;
pub mod representatives;
pub mod restrictions;
pub mod retention;
pub mod rights;
pub mod scim;
pub mod search;
pub mod sharing;
pub mod staff;
pub mod validate;

/// Record identifiers are database-assigned 64-bit integers.
pub type Id = i64;

/// Declares a closed vocabulary stored and exchanged as snake_case text, with
/// `as_str`/`parse`/`ALL` so storage, API and UI share one spelling.
#[macro_export]
macro_rules! vocabulary {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $text:literal / $label:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The stored and wire spelling.
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $text),+ } }
            /// The words a person reads on screen.
            pub fn label(self) -> &'static str { match self { $($name::$variant => $label),+ } }
            pub fn parse(s: &str) -> Option<Self> { match s { $($text => Some($name::$variant),)+ _ => None } }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str(self.as_str()) }
        }
    };
}
