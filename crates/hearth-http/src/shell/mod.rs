//! The shell every web page is built in, shared by all of the UI's feature
//! modules and knowing none of them: the signed-in session and CSRF checks
//! ([`session`]), the GOV.UK page frame and form components ([`layout`]),
//! responses and error pages ([`respond`]), words for dates, times and
//! compartments ([`words`]), charts ([`charts`]) and the pickers that choose
//! a person, property or case without asking for its number ([`picker`]).

pub mod charts;
pub mod layout;
pub mod picker;
pub mod respond;
pub mod session;
pub mod words;
