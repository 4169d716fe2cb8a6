//! Field-level data classes: what kind of personal data each field of a
//! record holds, declared once, beside the record types, as data.
//!
//! A compartment says whose business a record is (the ASB team's, the
//! income team's); a class says what a field is (a name, a phone number, an
//! identifier, health detail, free text). The policies decide on both: a
//! contractor may open a job's person but not read their NI number. The gate
//! asks the policies which classes the caller may read and *projects* every
//! record it hands out ([`Project`]), withholding the rest, so no surface can
//! format a field the decision did not permit.
//!
//! Every outward record type declares every field with [`classify!`]. The
//! macro destructures the type without `..`, so a field added later without a
//! class is a compile error, not a silent leak.

crate::vocabulary! {
    /// What a field holds. Fields that only place the record (ids, kinds,
    /// statuses, the record's own dates and versions) have no class: they
    /// go wherever the record goes.
    DataClass {
        Name => "name" / "Names",
        Phone => "phone" / "Phone numbers",
        Email => "email" / "Email addresses",
        PostalAddress => "postal_address" / "Postal addresses",
        /// Date of birth, National Insurance number, document numbers.
        Identifiers => "identifiers" / "Identifiers",
        /// Health, disability and other UK GDPR Art. 9 detail.
        SpecialCategory => "special_category" / "Special category detail",
        /// Who an anonymous reporter is (seed 000, 3.1.3).
        ReporterIdentity => "reporter_identity" / "Anonymous reporter identity",
        /// Equality-monitoring answers (seed 002).
        Equality => "equality" / "Equality monitoring answers",
        /// Notes, summaries and other text staff write.
        FreeText => "free_text" / "Free text",
    }
}

/// A set of [`DataClass`]es: the classes a decision permits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ClassSet(u16);

impl ClassSet {
    pub const NONE: ClassSet = ClassSet(0);

    pub fn all() -> ClassSet {
        DataClass::ALL.iter().fold(ClassSet::NONE, |s, c| s.with(*c))
    }

    fn bit(c: DataClass) -> u16 {
        1 << (DataClass::ALL.iter().position(|x| *x == c).unwrap_or(0) as u16)
    }

    pub fn with(self, c: DataClass) -> ClassSet {
        ClassSet(self.0 | Self::bit(c))
    }

    pub fn without(self, c: DataClass) -> ClassSet {
        ClassSet(self.0 & !Self::bit(c))
    }

    pub fn contains(self, c: DataClass) -> bool {
        self.0 & Self::bit(c) != 0
    }

    pub fn is_all(self) -> bool {
        self == Self::all()
    }

    /// The classes left out, for the audit event.
    pub fn missing(self) -> Vec<DataClass> {
        DataClass::ALL.iter().copied().filter(|c| !self.contains(*c)).collect()
    }
}

/// What a withheld text field reads as.
pub const WITHHELD: &str = "(withheld)";

/// How one field's value is withheld.
pub trait Withhold {
    fn withhold(&mut self);
}

impl Withhold for String {
    fn withhold(&mut self) {
        *self = WITHHELD.to_string();
    }
}

impl<T> Withhold for Option<T> {
    fn withhold(&mut self) {
        *self = None;
    }
}

impl<T> Withhold for Vec<T> {
    fn withhold(&mut self) {
        self.clear();
    }
}

/// A record type whose every field has a class (or none, for fields that
/// only place the record).
pub trait Classified {
    /// The record kind, as audit events and the policies name it.
    const RECORD: &'static str;
    /// Every serialised field and its class.
    const FIELDS: &'static [(&'static str, Option<DataClass>)];
    /// Withholds every field whose class is not in `permitted`.
    fn withhold_classes(&mut self, permitted: ClassSet);
}

/// Anything the gate hands out: a classified record, or a collection of them.
pub trait Project {
    fn project(&mut self, permitted: ClassSet);
}

impl<T: Project> Project for Vec<T> {
    fn project(&mut self, permitted: ClassSet) {
        self.iter_mut().for_each(|t| t.project(permitted));
    }
}

impl<T: Project> Project for Option<T> {
    fn project(&mut self, permitted: ClassSet) {
        if let Some(t) = self {
            t.project(permitted);
        }
    }
}

/// Declares types the gate hands out that hold no field of any class: a
/// place (a property, a household's dates), a count, a receipt, a staff
/// record. Projection leaves them as they are. Each type named here is a
/// claim a reviewer can check; a type with a personal field belongs in
/// [`classify!`] or gets its own [`Project`] impl instead.
#[macro_export]
macro_rules! holds_no_personal_data {
    ($($t:ty),+ $(,)?) => {
        $crate::__project_as_is!($($t),+);
    };
}

/// A [`Project`] impl that leaves the value as it is; for the two
/// declarations above and below, which make different claims about why.
#[doc(hidden)]
#[macro_export]
macro_rules! __project_as_is {
    ($($t:ty),+) => {
        $(
            impl $crate::classes::Project for $t {
                fn project(&mut self, _: $crate::classes::ClassSet) {}
            }
        )+
    };
}

holds_no_personal_data!((), bool, i64, u64, jiff::Timestamp);

/// Declares documents the gate assembles inside the decided operation — a
/// bundle, an export, a letter, an extract, a filtered history — from
/// records it read under that same decision and then redacted or filtered
/// for their audience there (each type's builder says how). Projection by
/// class does not apply to such a document as a whole: its builder is where
/// its fields are chosen, and the canary sweep checks what each one shows.
#[macro_export]
macro_rules! assembled_in_the_gate {
    ($($t:ty),+ $(,)?) => {
        $crate::__project_as_is!($($t),+);
    };
}

/// Declares the class of every field of a record type and implements
/// [`Classified`] and [`Project`] for it. `keep:` lists the fields that only
/// place the record; every other field names its [`DataClass`].
#[macro_export]
macro_rules! classify {
    ($ty:ident as $record:literal { keep: $($keep:ident),* ; $($field:ident : $class:ident),* $(,)? }) => {
        impl $crate::classes::Classified for $ty {
            const RECORD: &'static str = $record;
            const FIELDS: &'static [(&'static str, Option<$crate::classes::DataClass>)] = &[
                $((stringify!($keep), None),)*
                $((stringify!($field), Some($crate::classes::DataClass::$class)),)*
            ];
            fn withhold_classes(&mut self, permitted: $crate::classes::ClassSet) {
                // No `..`: a field added to the type without a class here does not compile.
                let $ty { $($keep: _,)* $($field,)* } = self;
                $(
                    if !permitted.contains($crate::classes::DataClass::$class) {
                        $crate::classes::Withhold::withhold($field);
                    }
                )*
            }
        }
        impl $crate::classes::Project for $ty {
            fn project(&mut self, permitted: $crate::classes::ClassSet) {
                $crate::classes::Classified::withhold_classes(self, permitted)
            }
        }
    };
}

/// A record kind's fields and their classes.
pub type FieldClasses = &'static [(&'static str, Option<DataClass>)];

/// Every classified record kind's declaration, for the access matrix and
/// the tests that hold the declarations to the serialised types.
pub fn declarations() -> Vec<(&'static str, FieldClasses)> {
    use crate::{
        anonymity::AnonymityOverride,
        breaches::{Breach, BreachAction, BreachPerson},
        capacity::{BestInterestsShare, CapacityAssessment, NotHeldRequest},
        cases::{Case, CaseEvent, CaseParty},
        consent::{ConsentRecord, ContactPreferences, Objection},
        contacts::{ContactEntry, FollowUp, MyFollowUp},
        documents::Document,
        needs::{Adjustment, Need, WarningFlag},
        people::{ContactPoint, IdentityEvidence, Person},
        recordings::CallRecording,
        rights::RightsRequest,
        sharing::DisclosureEntry,
    };
    fn d<T: Classified>() -> (&'static str, FieldClasses) {
        (T::RECORD, T::FIELDS)
    }
    vec![
        d::<Person>(),
        d::<IdentityEvidence>(),
        d::<ContactPoint>(),
        d::<Case>(),
        d::<CaseParty>(),
        d::<CaseEvent>(),
        d::<ContactEntry>(),
        d::<FollowUp>(),
        d::<MyFollowUp>(),
        d::<Need>(),
        d::<Adjustment>(),
        d::<WarningFlag>(),
        d::<Document>(),
        d::<CallRecording>(),
        d::<CapacityAssessment>(),
        d::<BestInterestsShare>(),
        d::<NotHeldRequest>(),
        d::<ConsentRecord>(),
        d::<Objection>(),
        d::<ContactPreferences>(),
        d::<RightsRequest>(),
        d::<Breach>(),
        d::<BreachPerson>(),
        d::<BreachAction>(),
        d::<DisclosureEntry>(),
        d::<AnonymityOverride>(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_class_set_holds_what_is_put_in_it() {
        let s = ClassSet::NONE.with(DataClass::Name).with(DataClass::Phone);
        assert!(s.contains(DataClass::Name) && s.contains(DataClass::Phone));
        assert!(!s.contains(DataClass::Identifiers));
        assert!(!s.without(DataClass::Name).contains(DataClass::Name) && s.without(DataClass::Name).contains(DataClass::Phone));
        assert!(ClassSet::all().is_all());
        assert_eq!(ClassSet::all().missing(), Vec::<DataClass>::new());
        assert_eq!(s.missing().len(), DataClass::ALL.len() - 2);
    }

    #[test]
    fn each_declared_field_is_named_once() {
        for (record, fields) in declarations() {
            let mut names: Vec<&str> = fields.iter().map(|f| f.0).collect();
            names.sort();
            let n = names.len();
            names.dedup();
            assert_eq!(n, names.len(), "{record} declares a field twice");
        }
    }
}
