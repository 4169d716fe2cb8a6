//! Customer communications as one capability: templates as files operators
//! edit ([`templates`]), a rendered template laid out as a letter
//! ([`letter`]) and set as PDF ([`pdf`], from the shared document model in
//! [`doc`]), and the transports that send email and texts ([`transport`]).
//!
//! Owns rendering and delivery only. It knows nothing of storage, access
//! rules or HTTP: the gate decides who may send what to whom, picks the
//! channel and format with `hearth_domain::comms::route`, and records every
//! communication; this crate turns the result into bytes and sends them.

pub mod doc;
pub mod letter;
pub mod pdf;
pub mod templates;
pub mod transport;
