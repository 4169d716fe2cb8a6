//! The GOV.UK page shell and form components used by every page, so each
//! page states only its own content. Components follow the Design System's
//! markup (error summary, inline errors, date input, summary lists).

use crate::security::BODY_SNIPPET;
use hearth_domain::error::FieldError;
use hearth_gate::Actor;
use maud::{html, Markup, PreEscaped, DOCTYPE};

/// Who is signed in, for the header and forms.
pub struct Chrome<'a> {
    pub actor: Option<&'a Actor>,
    pub csrf: Option<&'a str>,
    /// Show the break-glass review list and the retention page in the navigation.
    pub reviewer: bool,
    /// Show the rights-request and breach registers (the DPO's) in the navigation.
    pub registers: bool,
    /// Show the staff accounts (the administrator's and the DPO's) in the navigation.
    pub staff: bool,
    /// Show the customer search box in the header (roles that may search).
    pub search: bool,
    /// The page's path, so the menu marks where the reader is.
    pub path: &'a str,
}

impl Chrome<'_> {
    /// The frame of a page nobody is signed in to.
    pub fn signed_out() -> Chrome<'static> {
        Chrome { actor: None, csrf: None, reviewer: false, registers: false, staff: false, search: false, path: "" }
    }
}

/// One menu item: `aria-current="page"` on the page itself, `"true"` within
/// its section (a case under "Cases"), with the Design System's active style.
fn nav_item(href: &str, label: &str, path: &str) -> Markup {
    let current = if path == href {
        Some("page")
    } else if href != "/" && path.starts_with(href) && path[href.len()..].starts_with('/') {
        Some("true")
    } else {
        None
    };
    html! {
        li class={ "govuk-service-navigation__item" @if current.is_some() { " govuk-service-navigation__item--active" } } {
            a class="govuk-service-navigation__link" href=(href) aria-current=[current] {
                @if current.is_some() { strong class="govuk-service-navigation__active-fallback" { (label) } } @else { (label) }
            }
        }
    }
}

/// Roles the policies keep from the front door (recording a request as it
/// arrives): supplier support, and the roles that touch no identified record.
const NO_FRONT_DOOR: &[hearth_domain::staff::StaffRole] = &[
    hearth_domain::staff::StaffRole::SupplierSupport,
    hearth_domain::staff::StaffRole::EdiAnalyst,
    hearth_domain::staff::StaffRole::SystemAdministrator,
];

/// Roles that review needs or warning flags, offered the "Reviews due" work list.
const REVIEWERS: &[hearth_domain::staff::StaffRole] = &[
    hearth_domain::staff::StaffRole::HousingOfficer,
    hearth_domain::staff::StaffRole::AsbOfficer,
    hearth_domain::staff::StaffRole::SafeguardingLead,
    hearth_domain::staff::StaffRole::IndependentLivingOfficer,
    hearth_domain::staff::StaffRole::Manager,
];

/// Roles that carry out the periodic access review.
const ACCESS_REVIEWERS: &[hearth_domain::staff::StaffRole] =
    &[hearth_domain::staff::StaffRole::Dpo, hearth_domain::staff::StaffRole::Manager];

pub fn page(title: &str, chrome: &Chrome, has_errors: bool, content: Markup) -> Markup {
    let full_title = if has_errors { format!("Error: {title} – Hearth") } else { format!("{title} – Hearth") };
    html! {
        (DOCTYPE)
        html lang="en" class="govuk-template" {
            head {
                meta charset="utf-8";
                title { (full_title) }
                meta name="viewport" content="width=device-width, initial-scale=1, viewport-fit=cover";
                link rel="icon" href="/assets/favicon.svg" type="image/svg+xml";
                link rel="stylesheet" href="/assets/govuk-frontend.min.css";
            }
            body class="govuk-template__body" {
                script { (PreEscaped(BODY_SNIPPET)) }
                a href="#main-content" class="govuk-skip-link" data-module="govuk-skip-link" { "Skip to main content" }
                header {
                    section aria-label="Service information" class="govuk-service-navigation" data-module="govuk-service-navigation" {
                        div class="govuk-width-container" {
                            div class="govuk-service-navigation__container" {
                                span class="govuk-service-navigation__service-name" {
                                    a href="/" class="govuk-service-navigation__link" { "Hearth" }
                                }
                                @if chrome.actor.is_some() {
                                    nav aria-label="Menu" class="govuk-service-navigation__wrapper" {
                                        button type="button" class="govuk-service-navigation__toggle govuk-js-service-navigation-toggle" aria-controls="navigation" hidden { "Menu" }
                                        ul class="govuk-service-navigation__list" id="navigation" {
                                            (nav_item("/", "Home", chrome.path))
                                            (nav_item("/search", "Find a customer", chrome.path))
                                            (nav_item("/people/new", "Add a person", chrome.path))
                                            (nav_item("/cases", "Cases", chrome.path))
                                            (nav_item("/notifications", "Notifications", chrome.path))
                                            @if chrome.actor.is_some_and(|a| !NO_FRONT_DOOR.contains(&a.role)) {
                                                (nav_item("/front-door", "Record a request", chrome.path))
                                            }
                                            (nav_item("/report-a-breach", "Report a breach", chrome.path))
                                            @if chrome.actor.is_some_and(|a| REVIEWERS.contains(&a.role)) {
                                                (nav_item("/reviews", "Reviews due", chrome.path))
                                            }
                                            @if chrome.actor.is_some_and(|a| a.role == hearth_domain::staff::StaffRole::EdiAnalyst) {
                                                (nav_item("/edi/coverage", "Equality coverage", chrome.path))
                                                (nav_item("/edi/equity", "Service equity", chrome.path))
                                            }
                                            @if chrome.reviewer {
                                                (nav_item("/break-glass", "Break-glass reviews", chrome.path))
                                                (nav_item("/retention", "Retention", chrome.path))
                                            }
                                            @if chrome.staff {
                                                (nav_item("/staff", "Staff accounts", chrome.path))
                                            }
                                            @if chrome.actor.is_some_and(|a| ACCESS_REVIEWERS.contains(&a.role)) {
                                                (nav_item("/access-review", "Access review", chrome.path))
                                            }
                                            @if chrome.registers {
                                                (nav_item("/rights", "Rights requests", chrome.path))
                                                (nav_item("/breaches", "Breaches", chrome.path))
                                                (nav_item("/disclosures", "Disclosures", chrome.path))
                                                (nav_item("/sharing-agreements", "Sharing agreements", chrome.path))
                                                (nav_item("/removals", "Removals", chrome.path))
                                                (nav_item("/anonymity-overrides", "Anonymity overrides", chrome.path))
                                                (nav_item("/support-grants", "Supplier access", chrome.path))
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                div class="govuk-width-container" {
                    @if let (Some(actor), Some(csrf)) = (chrome.actor, chrome.csrf) {
                        // Not on the search page itself, whose own field is the search (one box, one "Search" button).
                        @if chrome.search && chrome.path != "/search" {
                            // A GET form: it works without JavaScript and the results page can be bookmarked.
                            form method="get" action="/search" role="search" class="hearth-header-search govuk-!-margin-top-3" novalidate {
                                div class="govuk-form-group govuk-!-margin-bottom-2" {
                                    label class="govuk-label govuk-label--s" for="header-search" { "Find a customer" }
                                    input class="govuk-input govuk-input--width-20" id="header-search" name="q" type="search" spellcheck="false";
                                    " "
                                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" { "Search" }
                                }
                            }
                        }
                        div class="hearth-account govuk-!-margin-top-3" {
                            p class="govuk-body-s govuk-!-margin-bottom-1" {
                                "Signed in as " strong { (actor.display_name) } " (" (actor.role.label()) ") · "
                                a class="govuk-link" href="/account" { "Your account" }
                            }
                            div class="govuk-button-group govuk-!-margin-bottom-0" {
                                form method="post" action="/logout" novalidate {
                                    input type="hidden" name="_csrf" value=(csrf);
                                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" { "Sign out" }
                                }
                                form method="post" action="/logout-everywhere" novalidate {
                                    input type="hidden" name="_csrf" value=(csrf);
                                    button type="submit" class="govuk-button govuk-button--secondary govuk-!-margin-bottom-0" data-module="govuk-button" { "Sign out on all devices" }
                                }
                            }
                        }
                    }
                    main class="govuk-main-wrapper" id="main-content" {
                        (content)
                    }
                }
                footer class="govuk-footer" {
                    div class="govuk-width-container" {
                        div class="govuk-footer__meta" {
                            div class="govuk-footer__meta-item govuk-footer__meta-item--grow" {
                                p class="govuk-footer__meta-custom" { "Hearth: customer records for social housing landlords. Every view and change is recorded." }
                            }
                        }
                    }
                }
                script type="module" src="/assets/init.js" {}
            }
        }
    }
}

/// Fields rendered as a GOV.UK date input: the summary links to the day box.
const DATE_FIELDS: &[&str] = &[
    "date_of_birth",
    "received_on",
    "due_date",
    "discovered_at",
    "reported_at",
    "identity_on",
    "clarification_on",
    "told_on",
    "disclosed_on",
    "review_date",
    "incident_date",
    "person_told_on",
    "follow_up_due",
];

/// The anchor an error summary links to for a field, so keyboard users land
/// where they type.
fn anchor(field: &str) -> String {
    if DATE_FIELDS.contains(&field) {
        format!("{field}-day")
    } else {
        field.to_string()
    }
}

pub fn error_summary(errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="govuk-error-summary" data-module="govuk-error-summary" {
                div role="alert" {
                    h2 class="govuk-error-summary__title" { "There is a problem" }
                    div class="govuk-error-summary__body" {
                        ul class="govuk-list govuk-error-summary__list" {
                            @for e in errors {
                                li { a href={ "#" (anchor(&e.field)) } { (e.message) } }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn error_for<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a str> {
    errors.iter().find(|e| e.field == field).map(|e| e.message.as_str())
}

/// A text input with its label, optional hint and inline error.
pub struct Input<'a> {
    pub name: &'a str,
    pub label: &'a str,
    pub value: &'a str,
    pub hint: Option<&'a str>,
    pub kind: &'a str,
    pub autocomplete: Option<&'a str>,
    pub width: Option<&'a str>,
    pub spellcheck: bool,
}

impl<'a> Input<'a> {
    pub fn text(name: &'a str, label: &'a str, value: &'a str) -> Self {
        Input { name, label, value, hint: None, kind: "text", autocomplete: None, width: None, spellcheck: true }
    }
    pub fn hint(mut self, h: &'a str) -> Self {
        self.hint = Some(h);
        self
    }
    pub fn kind(mut self, k: &'a str) -> Self {
        self.kind = k;
        self
    }
    pub fn autocomplete(mut self, a: &'a str) -> Self {
        self.autocomplete = Some(a);
        self
    }
    pub fn width(mut self, w: &'a str) -> Self {
        self.width = Some(w);
        self
    }
    pub fn no_spellcheck(mut self) -> Self {
        self.spellcheck = false;
        self
    }

    pub fn render(&self, errors: &[FieldError]) -> Markup {
        let error = error_for(errors, self.name);
        let mut described = vec![];
        if self.hint.is_some() {
            described.push(format!("{}-hint", self.name));
        }
        if error.is_some() {
            described.push(format!("{}-error", self.name));
        }
        let class = format!(
            "govuk-input{}{}",
            self.width.map(|w| format!(" govuk-input--width-{w}")).unwrap_or_default(),
            if error.is_some() { " govuk-input--error" } else { "" }
        );
        html! {
            div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
                label class="govuk-label" for=(self.name) { (self.label) }
                @if let Some(h) = self.hint { div id={ (self.name) "-hint" } class="govuk-hint" { (h) } }
                @if let Some(e) = error {
                    p id={ (self.name) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                }
                input class=(class) id=(self.name) name=(self.name) type=(self.kind) value=(self.value)
                    aria-describedby=[(!described.is_empty()).then(|| described.join(" "))]
                    autocomplete=[self.autocomplete] spellcheck=[(!self.spellcheck).then_some("false")];
            }
        }
    }
}

/// GOV.UK date input: day, month and year boxes under one legend.
pub fn date_input(name: &str, legend: &str, hint: &str, (d, m, y): (&str, &str, &str), errors: &[FieldError]) -> Markup {
    let error = error_for(errors, name);
    let cls = |w: &str| {
        format!("govuk-input govuk-date-input__input govuk-input--width-{w}{}", if error.is_some() { " govuk-input--error" } else { "" })
    };
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" role="group" aria-describedby={ (name) "-hint" @if error.is_some() { " " (name) "-error" } } {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                div id={ (name) "-hint" } class="govuk-hint" { (hint) }
                @if let Some(e) = error {
                    p id={ (name) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
                }
                div class="govuk-date-input" id=(name) {
                    @for (part, label, value, w) in [("day", "Day", d, "2"), ("month", "Month", m, "2"), ("year", "Year", y, "4")] {
                        div class="govuk-date-input__item" {
                            div class="govuk-form-group" {
                                label class="govuk-label govuk-date-input__label" for={ (name) "-" (part) } { (label) }
                                input class=(cls(w)) id={ (name) "-" (part) } name={ (name) "_" (part) } type="text" inputmode="numeric" value=(value);
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn success_banner(heading: &str) -> Markup {
    html! {
        div class="govuk-notification-banner govuk-notification-banner--success" role="alert" aria-labelledby="govuk-notification-banner-title" data-module="govuk-notification-banner" {
            div class="govuk-notification-banner__header" {
                h2 class="govuk-notification-banner__title" id="govuk-notification-banner-title" { "Success" }
            }
            div class="govuk-notification-banner__content" {
                p class="govuk-notification-banner__heading" { (heading) }
            }
        }
    }
}

pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="_csrf" value=(csrf); }
}

/// A summary-list row with no actions.
pub fn row(key: &str, value: Markup) -> Markup {
    html! {
        div class="govuk-summary-list__row govuk-summary-list__row--no-actions" {
            dt class="govuk-summary-list__key" { (key) }
            dd class="govuk-summary-list__value" { (value) }
        }
    }
}

/// The inline error under a field's label, if it has one.
pub fn inline_error(id: &str, error: Option<&str>) -> Markup {
    html! {
        @if let Some(e) = error {
            p id={ (id) "-error" } class="govuk-error-message" { span class="govuk-visually-hidden" { "Error:" } " " (e) }
        }
    }
}

/// Radios for one field. The first input's id is the field's name, so the
/// error summary's link lands on it. `modifiers` adds GOV.UK radio classes
/// such as ` govuk-radios--inline`.
pub fn radios(
    name: &str,
    legend: &str,
    hint: Option<&str>,
    options: &[(&str, &str)],
    checked: &str,
    errors: &[FieldError],
    modifiers: &str,
) -> Markup {
    let error = error_for(errors, name);
    let mut described = vec![];
    if hint.is_some() {
        described.push(format!("{name}-hint"));
    }
    if error.is_some() {
        described.push(format!("{name}-error"));
    }
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[(!described.is_empty()).then(|| described.join(" "))] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                @if let Some(h) = hint { div id={ (name) "-hint" } class="govuk-hint" { (h) } }
                (inline_error(name, error))
                div class={ "govuk-radios" (modifiers) } data-module="govuk-radios" {
                    @for (i, (value, label)) in options.iter().enumerate() {
                        @let id = if i == 0 { name.to_string() } else { format!("{name}-{value}") };
                        div class="govuk-radios__item" {
                            input class="govuk-radios__input" id=(id) name=(name) type="radio" value=(value) checked[checked == *value];
                            label class="govuk-label govuk-radios__label" for=(id) { (label) }
                        }
                    }
                }
            }
        }
    }
}

/// Radios whose options may each reveal more questions when chosen. The
/// reveal is CSS alone (`.hearth-reveal` in web/hearth.scss): GOV.UK
/// Frontend's script would put `aria-expanded` on the radios, which axe
/// rightly refuses. A browser without `:has()` shows every question.
pub fn conditional_radios(
    name: &str,
    legend: &str,
    options: &[(&str, &str, Option<Markup>)],
    checked: &str,
    errors: &[FieldError],
) -> Markup {
    let error = error_for(errors, name);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            fieldset class="govuk-fieldset" aria-describedby=[error.is_some().then(|| format!("{name}-error"))] {
                legend class="govuk-fieldset__legend govuk-fieldset__legend--s" { (legend) }
                (inline_error(name, error))
                div class="govuk-radios hearth-reveal" {
                    @for (i, (value, label, more)) in options.iter().enumerate() {
                        @let id = if i == 0 { name.to_string() } else { format!("{name}-{value}") };
                        @let reveal = format!("conditional-{name}-{value}");
                        div class="govuk-radios__item" {
                            input class="govuk-radios__input" id=(id) name=(name) type="radio" value=(value) checked[checked == *value];
                            label class="govuk-label govuk-radios__label" for=(id) { (label) }
                        }
                        @if let Some(more) = more {
                            div class="govuk-radios__conditional" id=(reveal) {
                                (more)
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A textarea; `id` differs from `name` where one page has several forms.
pub fn textarea(id: &str, name: &str, label: &str, value: &str, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, id);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label govuk-label--s" for=(id) { (label) }
            (inline_error(id, error))
            textarea class={ "govuk-textarea" @if error.is_some() { " govuk-textarea--error" } } id=(id) name=(name) rows="3"
                aria-describedby=[error.is_some().then(|| format!("{id}-error"))] { (value) }
        }
    }
}

/// A select whose id and name are the field's name.
pub fn select(id: &str, label: &str, options: &[(&str, &str)], chosen: &str, errors: &[FieldError]) -> Markup {
    let error = error_for(errors, id);
    html! {
        div class={ "govuk-form-group" @if error.is_some() { " govuk-form-group--error" } } {
            label class="govuk-label govuk-label--s" for=(id) { (label) }
            (inline_error(id, error))
            select class={ "govuk-select" @if error.is_some() { " govuk-select--error" } } id=(id) name=(id)
                aria-describedby=[error.is_some().then(|| format!("{id}-error"))] {
                @for (value, text) in options { option value=(value) selected[chosen == *value] { (text) } }
            }
        }
    }
}
