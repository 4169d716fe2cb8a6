//! The staff web UI: GOV.UK pages rendered on the server, working without
//! JavaScript, one module per feature (named as the API's are), each built in
//! [`crate::shell`] and rendering files through [`crate::export`]. A feature
//! module may render another's section (the person page composes them all;
//! a case page shows its anonymity section), never the other way round:
//! `scripts/check-layers` fails on a cycle. Sign-in, sessions and CSRF
//! checks are the shell's ([`crate::shell::session`]).

mod account;
mod anonymity;
mod auth;
mod breaches;
mod bundle;
mod capacity;
mod cases;
mod consent;
mod contacts;
mod documents;
mod edi;
mod front_door;
mod grants;
mod history;
mod needs;
mod notifications;
mod people;
mod person;
mod representatives;
mod restrictions;
mod retention;
mod rights;
mod sharing;
mod sso;
mod staff;
mod work;

use crate::AppState;
use axum::routing::{get, post};
use axum::Router;

/// The UI's routes; `upload_limit` is the body limit for document uploads.
pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route("/", get(work::home))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/logout-everywhere", post(auth::logout_everywhere))
        .route("/sign-in/sso", get(sso::start))
        .route(crate::sso::CALLBACK_PATH, get(sso::callback))
        .route("/sign-in/sso/back-channel-logout", post(sso::back_channel_logout))
        .route(crate::sso::SIGNED_OUT_PATH, get(sso::signed_out))
        .route("/staff", get(staff::list).post(staff::create))
        .route("/staff/service-accounts", post(staff::create_service_account))
        .route("/staff/{id}", get(staff::show))
        .route("/staff/{id}/changes", post(staff::change))
        .route("/access-review", get(staff::access_review).post(staff::complete_access_review))
        .route("/account", get(account::show))
        .route("/account/two-step", get(account::setup).post(account::enable))
        .route("/account/two-step/off", post(account::disable))
        .route("/search", get(people::search))
        .route("/people/new", get(people::new_person_form))
        .route("/people", post(people::create_person))
        .route("/people/{id}", get(person::person_page))
        .route("/people/{id}/history", get(history::person_history_page))
        .route("/people/{id}/capacity", get(capacity::show))
        .route("/people/{id}/capacity-assessments", post(capacity::assess))
        .route("/people/{id}/best-interests-shares", post(capacity::share))
        .route("/removals", get(capacity::removals))
        .route("/removals/{id}", post(capacity::remove))
        .route("/people/{id}/consent", get(consent::show).post(consent::record))
        .route("/people/{id}/contact-preferences", post(consent::preferences))
        .route("/people/{id}/objections", post(consent::object))
        .route("/objections/{id}/withdraw", post(consent::withdraw))
        .route("/people/{id}/caller-check", get(representatives::check_page).post(representatives::record_check))
        .route("/people/{id}/memorable-word", get(representatives::word_form).post(representatives::set_word))
        .route("/people/{id}/representatives", post(representatives::add_rep))
        .route("/people/{id}/representatives/new", get(representatives::new_rep_form))
        .route("/representatives/{id}/end", post(representatives::end))
        .route("/people/{id}/restriction", post(restrictions::place))
        .route("/people/{id}/restriction/lift", post(restrictions::lift))
        .route("/people/{id}/edi/new", get(edi::new_form))
        .route("/people/{id}/edi", post(edi::record))
        .route("/edi/coverage", get(edi::coverage))
        .route("/edi/coverage.csv", get(edi::coverage_csv))
        .route("/edi/equity", get(edi::equity))
        .route("/edi/equity.csv", get(edi::equity_csv))
        .route("/people/{id}/contacts", get(contacts::list).post(contacts::log_contact))
        .route("/people/{id}/contacts/new", get(contacts::new_contact_form))
        .route("/people/{id}/follow-ups/{follow_up}/done", post(contacts::follow_up_done))
        .route("/people/{id}/contacts/{entry}/recording", get(contacts::new_recording_form).post(contacts::record_recording))
        .route("/people/{id}/documents", post(documents::upload).layer(axum::extract::DefaultBodyLimit::max(upload_limit)))
        .route("/people/{id}/documents/new", get(documents::new_document_form))
        .route("/documents/{id}/download", get(documents::download))
        .route("/notifications", get(notifications::list))
        .route("/people/{id}/edit", get(people::edit_person_form).post(people::edit_person))
        .route("/people/{id}/contact-points/new", get(people::new_contact_form).post(people::add_contact))
        .route("/contact-points/{id}/edit", get(people::edit_contact_form).post(people::edit_contact))
        .route("/people/{id}/break-glass", post(grants::break_glass))
        .route("/break-glass", get(grants::review_list))
        .route("/break-glass/{id}/review", post(grants::review))
        .route("/support-grants", get(grants::support_grants))
        .route("/pick/{kind}", get(crate::shell::picker::matches))
        .route("/cases", get(cases::list).post(cases::open_case))
        .route("/cases/new", get(cases::new_case_form))
        .route("/cases/{id}", get(cases::case_page))
        .route("/cases/{id}/changes", post(cases::change_case))
        .route("/cases/{id}/letters/{person_id}", get(anonymity::letter_page))
        .route("/cases/{id}/anonymity-overrides", post(cases::request_override))
        .route("/anonymity-overrides", get(anonymity::register))
        .route("/anonymity-overrides/{id}/approve", post(anonymity::approve))
        .route("/sharing-agreements", get(sharing::agreements).post(sharing::create_agreement))
        .route("/sharing-agreements/new", get(sharing::new_agreement_form))
        .route("/sharing-agreements/{id}/end", post(sharing::end_agreement))
        .route("/disclosures", get(sharing::register).post(sharing::record_request))
        .route("/disclosures/new", get(sharing::new_request_form))
        .route("/disclosures/{id}", get(sharing::disclosure_page))
        .route("/disclosures/{id}/decision", post(sharing::decide))
        .route("/disclosures/{id}/corrections", post(sharing::correct))
        .route("/rights", get(rights::list).post(rights::log_request))
        .route("/rights/new", get(rights::new_request_form))
        .route("/rights/{id}", get(rights::request_page))
        .route("/rights/{id}/changes", post(rights::change_request))
        .route("/rights/{id}/bundle", get(bundle::bundle_page))
        .route("/rights/{id}/bundle-drafts", post(bundle::create))
        .route("/rights/drafts/{id}", get(bundle::review))
        .route("/rights/drafts/{id}/preview", get(bundle::preview))
        .route("/rights/drafts/{id}/decide", post(bundle::decide))
        .route("/rights/drafts/{id}/redact", post(bundle::redact))
        .route("/rights/drafts/{id}/release", post(bundle::release))
        .route("/rights/{id}/bundle.json", get(bundle::bundle_json))
        .route("/rights/{id}/bundle.pdf", get(bundle::bundle_pdf_download))
        .route("/rights/{id}/bundle.zip", get(bundle::bundle_zip_download))
        .route("/rights/{id}/erasure", get(bundle::erasure_review_page).post(bundle::carry_out_erasure))
        .route("/rights/{id}/rectifications", get(bundle::rectifications))
        .route("/rights/{id}/portability.json", get(bundle::portability_json))
        .route("/rights/{id}/portability.csv", get(bundle::portability_csv))
        .route("/breaches", get(breaches::list).post(breaches::record_breach))
        .route("/breaches/new", get(breaches::new_breach_form))
        .route("/report-a-breach", get(breaches::report_form).post(breaches::report_breach))
        .route("/front-door", get(front_door::form).post(front_door::receive))
        .route("/breaches/{id}", get(breaches::breach_page))
        .route("/breaches/{id}/changes", post(breaches::change_breach))
        .route("/retention", get(retention::retention))
        .route("/retention/holds", post(retention::place_hold))
        .route("/retention/holds/{id}/release", post(retention::release_hold))
        .route("/retention/certificates.csv", get(retention::certificates_download))
        .route("/cases/{id}/job-sheet", get(needs::job_sheet))
        .route("/people/{id}/needs/new", get(needs::new_need_form))
        .route("/people/{id}/needs", post(needs::record_need))
        .route("/needs/{id}/consent", post(needs::record_consent))
        .route("/needs/{id}/reviewed", post(needs::mark_reviewed))
        .route("/needs/{id}/end", get(needs::end_need_form).post(needs::end_need))
        .route("/people/{id}/adjustments/new", get(needs::new_adjustment_form))
        .route("/people/{id}/adjustments", post(needs::add_adjustment))
        .route("/people/{id}/warning-flags/new", get(needs::new_flag_form))
        .route("/people/{id}/warning-flags", post(needs::add_flag))
        .route("/warning-flags/{id}/acknowledge", post(needs::acknowledge_flag))
        .route("/reviews", get(needs::reviews))
}
