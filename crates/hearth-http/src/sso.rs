//! Single sign-on with OpenID Connect: Hearth as a relying party of the
//! organisation's identity provider (Microsoft Entra ID or any certified
//! provider). Owns discovery, the authorization-code request with PKCE,
//! `state` and `nonce`, the code exchange, and the ID token's checks
//! (signature against the provider's published keys, issuer, audience,
//! expiry, nonce), all done by the `openidconnect` crate. What the verified
//! token says about the person goes to the gate, which decides whether they
//! get in and with what role; nothing here touches the store.
//!
//! Keys rotate: a token signed with a key Hearth has not seen makes it read
//! the provider's published keys again (at most every few seconds) before
//! deciding the signature is wrong.

use base64::Engine;
use hearth_domain::identity::OidcSettings;
use hearth_gate::auth::DirectoryIdentity;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EndpointMaybeSet, EndpointNotSet, EndpointSet,
    IssuerUrl, Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, SignatureVerificationError,
};
use std::time::{Duration, Instant};

/// The path the provider sends people back to.
pub const CALLBACK_PATH: &str = "/sign-in/sso/callback";
/// Where the provider sends people after signing out there.
pub const SIGNED_OUT_PATH: &str = "/signed-out";
/// How soon the provider's keys may be read again after an unknown key.
const REFRESH_AT_MOST_EVERY: Duration = Duration::from_secs(5);

type Rp = CoreClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointMaybeSet, EndpointMaybeSet>;

/// Why single sign-on did not finish. The words are for the log; the person
/// is told only that it failed, and to try again.
#[derive(Debug, thiserror::Error)]
pub enum SsoError {
    #[error("the identity provider cannot be reached or its discovery document is not right: {0}")]
    Unavailable(String),
    #[error("the provider's answer was refused: {0}")]
    Refused(String),
}

/// What the browser carries between the start of sign-in and the callback
/// (in a short-lived HttpOnly cookie): the `state` to compare, the `nonce`
/// the ID token must repeat, and the PKCE verifier for the code exchange.
#[derive(Debug, Clone)]
pub struct Pending {
    pub state: String,
    pub nonce: String,
    pub verifier: String,
}

impl Pending {
    /// The cookie value: three URL-safe base64 strings joined by dots.
    pub fn to_cookie(&self) -> String {
        format!("{}.{}.{}", self.state, self.nonce, self.verifier)
    }

    pub fn from_cookie(value: &str) -> Option<Pending> {
        let mut parts = value.split('.');
        let (state, nonce, verifier) = (parts.next()?, parts.next()?, parts.next()?);
        let url_safe = |s: &str| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        (parts.next().is_none() && url_safe(state) && url_safe(nonce) && url_safe(verifier)).then(|| Pending {
            state: state.into(),
            nonce: nonce.into(),
            verifier: verifier.into(),
        })
    }
}

struct Provider {
    client: Rp,
    /// The provider's published keys, for logout tokens (the client keeps its own copy for ID tokens).
    keys: openidconnect::core::CoreJsonWebKeySet,
    /// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0), if offered.
    end_session_endpoint: Option<String>,
    read_at: Instant,
}

/// The relying party: settings, an HTTP client, and the provider's metadata
/// and keys (read on first use, again on an unknown key).
pub struct Sso {
    settings: OidcSettings,
    secret: String,
    http: reqwest::Client,
    provider: tokio::sync::RwLock<Option<Provider>>,
}

impl Sso {
    pub fn new(settings: OidcSettings, secret: String) -> Sso {
        // No redirects: a provider's endpoint that redirects could be led to
        // make Hearth fetch from anywhere (the crate's own advice).
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .expect("an HTTP client with default TLS settings builds");
        Sso { settings, secret: secret.trim().to_string(), http, provider: tokio::sync::RwLock::new(None) }
    }

    pub fn settings(&self) -> &OidcSettings {
        &self.settings
    }

    fn public_url(&self) -> &str {
        self.settings.public_url.trim_end_matches('/')
    }

    /// Reads discovery and the keys, unless read already (or, with
    /// `refresh`, unless read only moments ago).
    async fn provider(&self, refresh: bool) -> Result<(), SsoError> {
        {
            let held = self.provider.read().await;
            if let Some(p) = held.as_ref() {
                if !refresh || p.read_at.elapsed() < REFRESH_AT_MOST_EVERY {
                    return Ok(());
                }
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone()).map_err(|e| SsoError::Unavailable(e.to_string()))?;
        let metadata =
            CoreProviderMetadata::discover_async(issuer, &self.http).await.map_err(|e| SsoError::Unavailable(error_chain(&e)))?;
        let keys = metadata.jwks().clone();
        let redirect =
            RedirectUrl::new(format!("{}{CALLBACK_PATH}", self.public_url())).map_err(|e| SsoError::Unavailable(e.to_string()))?;
        let client = CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.settings.client_id.clone()),
            Some(ClientSecret::new(self.secret.clone())),
        )
        .set_redirect_uri(redirect);
        let end_session_endpoint = self.end_session_endpoint().await;
        *self.provider.write().await = Some(Provider { client, keys, end_session_endpoint, read_at: Instant::now() });
        Ok(())
    }

    /// `end_session_endpoint` from the discovery document (the crate's
    /// metadata type does not carry it).
    async fn end_session_endpoint(&self) -> Option<String> {
        let url = format!("{}/.well-known/openid-configuration", self.settings.issuer.trim_end_matches('/'));
        let doc: serde_json::Value = self.http.get(url).send().await.ok()?.json().await.ok()?;
        doc.get("end_session_endpoint")?.as_str().filter(|u| u.starts_with("https://") || u.starts_with("http://")).map(str::to_string)
    }

    /// Starts a sign-in: where to send the browser, and what it must bring back.
    pub async fn start(&self) -> Result<(String, Pending), SsoError> {
        self.provider(false).await?;
        let held = self.provider.read().await;
        let p = held.as_ref().ok_or_else(|| SsoError::Unavailable("no provider".into()))?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = p.client.authorize_url(CoreAuthenticationFlow::AuthorizationCode, CsrfToken::new_random, Nonce::new_random);
        for scope in &self.settings.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        let pending = Pending { state: state.secret().clone(), nonce: nonce.secret().clone(), verifier: verifier.secret().clone() };
        Ok((url.to_string(), pending))
    }

    /// Finishes a sign-in: exchanges the code (with the PKCE verifier) and
    /// checks the ID token; what it says is returned for the gate to decide.
    pub async fn finish(&self, code: &str, pending: &Pending) -> Result<DirectoryIdentity, SsoError> {
        self.provider(false).await?;
        let response = {
            let held = self.provider.read().await;
            let p = held.as_ref().ok_or_else(|| SsoError::Unavailable("no provider".into()))?;
            let request =
                p.client.exchange_code(AuthorizationCode::new(code.to_string())).map_err(|e| SsoError::Unavailable(e.to_string()))?;
            request
                .set_pkce_verifier(PkceCodeVerifier::new(pending.verifier.clone()))
                .request_async(&self.http)
                .await
                .map_err(|e| SsoError::Refused(format!("code exchange: {}", error_chain(&e))))?
        };
        let id_token = openidconnect::TokenResponse::id_token(&response).ok_or_else(|| SsoError::Refused("no ID token".into()))?;
        let nonce = Nonce::new(pending.nonce.clone());
        let verified = {
            let held = self.provider.read().await;
            let p = held.as_ref().ok_or_else(|| SsoError::Unavailable("no provider".into()))?;
            let verifier = p.client.id_token_verifier();
            let subject = id_token.claims(&verifier, &nonce).map(|c| c.subject().to_string());
            subject
        };
        let subject = match verified {
            Ok(s) => s,
            Err(ClaimsVerificationError::SignatureVerification(SignatureVerificationError::NoMatchingKey)) => {
                // Perhaps the provider rotated its keys: read them again, once.
                self.provider(true).await?;
                let held = self.provider.read().await;
                let p = held.as_ref().ok_or_else(|| SsoError::Unavailable("no provider".into()))?;
                let verifier = p.client.id_token_verifier();
                let subject = id_token.claims(&verifier, &nonce).map(|c| c.subject().to_string());
                subject.map_err(|e| SsoError::Refused(format!("ID token: {e}")))?
            }
            Err(e) => return Err(SsoError::Refused(format!("ID token: {e}"))),
        };
        // The signature over these bytes was just checked: read the claims
        // the crate's standard set does not carry (groups, manager) from them.
        let claims = payload(&id_token.to_string()).ok_or_else(|| SsoError::Refused("ID token payload unreadable".into()))?;
        Ok(self.identity_from(&subject, &claims))
    }

    fn identity_from(&self, subject: &str, claims: &serde_json::Value) -> DirectoryIdentity {
        let text = |name: &str| claims.get(name).and_then(|v| v.as_str()).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let username = text(&self.settings.username_claim).or_else(|| text("email")).unwrap_or_default();
        let display_name = text("name")
            .or_else(|| {
                let both = format!("{} {}", text("given_name").unwrap_or_default(), text("family_name").unwrap_or_default());
                Some(both.trim().to_string()).filter(|s| !s.is_empty())
            })
            .unwrap_or_else(|| username.clone());
        let groups = match claims.get(&self.settings.groups_claim) {
            Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).map(str::to_string).collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => vec![],
        };
        let manager = self.settings.manager_claim.as_deref().and_then(text);
        DirectoryIdentity {
            subject: format!("{}|{subject}", self.settings.issuer.trim_end_matches('/')),
            username,
            display_name,
            groups,
            manager,
        }
    }

    /// Where to send a person signing out of Hearth so they leave the
    /// provider too, if it offers RP-initiated logout.
    pub async fn end_session_url(&self) -> Option<String> {
        self.provider(false).await.ok()?;
        let held = self.provider.read().await;
        let endpoint = held.as_ref()?.end_session_endpoint.clone()?;
        let mut url = reqwest::Url::parse(&endpoint).ok()?;
        url.query_pairs_mut()
            .append_pair("client_id", &self.settings.client_id)
            .append_pair("post_logout_redirect_uri", &format!("{}{SIGNED_OUT_PATH}", self.public_url()));
        Some(url.to_string())
    }
}

impl Sso {
    /// Checks a back-channel logout token (OpenID Connect Back-Channel
    /// Logout 1.0): signed by one of the provider's keys, from its issuer,
    /// for this client, recent, with the logout event and no nonce. Returns
    /// the subject (as [`DirectoryIdentity::subject`]) whose sessions end.
    pub async fn logout_subject(&self, token: &str) -> Result<String, SsoError> {
        use openidconnect::JsonWebKey;
        self.provider(false).await?;
        let refused = |why: &str| SsoError::Refused(format!("logout token: {why}"));
        let mut parts = token.trim().split('.');
        let (Some(h), Some(p), Some(sig), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
            return Err(refused("not a compact JWS"));
        };
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header: serde_json::Value =
            b64.decode(h).ok().and_then(|b| serde_json::from_slice(&b).ok()).ok_or_else(|| refused("unreadable header"))?;
        let alg: openidconnect::core::CoreJwsSigningAlgorithm =
            serde_json::from_value(header["alg"].clone()).map_err(|_| refused("unknown algorithm"))?;
        if matches!(alg, openidconnect::core::CoreJwsSigningAlgorithm::None)
            || matches!(
                alg,
                openidconnect::core::CoreJwsSigningAlgorithm::HmacSha256
                    | openidconnect::core::CoreJwsSigningAlgorithm::HmacSha384
                    | openidconnect::core::CoreJwsSigningAlgorithm::HmacSha512
            )
        {
            return Err(refused("not signed with the provider's keys"));
        }
        let signature = b64.decode(sig).map_err(|_| refused("unreadable signature"))?;
        let message = format!("{h}.{p}");
        let kid = header["kid"].as_str();
        let verify = |p: &Provider| {
            p.keys
                .keys()
                .iter()
                .filter(|k| kid.is_none() || k.key_id().map(|i| i.as_str()) == kid)
                .any(|k| k.verify_signature(&alg, message.as_bytes(), &signature).is_ok())
        };
        let mut ok = verify(self.provider.read().await.as_ref().ok_or_else(|| refused("no provider"))?);
        if !ok {
            self.provider(true).await?;
            ok = verify(self.provider.read().await.as_ref().ok_or_else(|| refused("no provider"))?);
        }
        if !ok {
            return Err(refused("bad signature"));
        }
        let claims = payload(token.trim()).ok_or_else(|| refused("unreadable claims"))?;
        let issuer = self.settings.issuer.trim_end_matches('/');
        if claims["iss"].as_str().map(|i| i.trim_end_matches('/')) != Some(issuer) {
            return Err(refused("wrong issuer"));
        }
        let for_us = match &claims["aud"] {
            serde_json::Value::String(a) => *a == self.settings.client_id,
            serde_json::Value::Array(all) => all.iter().any(|a| a.as_str() == Some(self.settings.client_id.as_str())),
            _ => false,
        };
        if !for_us {
            return Err(refused("wrong audience"));
        }
        let now = jiff::Timestamp::now().as_second();
        if claims["iat"].as_i64().is_none_or(|iat| (now - iat).abs() > 300) {
            return Err(refused("not recent"));
        }
        if claims.get("nonce").is_some() || claims["events"].get("http://schemas.openid.net/event/backchannel-logout").is_none() {
            return Err(refused("not a logout token"));
        }
        let sub = claims["sub"].as_str().filter(|s| !s.is_empty()).ok_or_else(|| refused("no subject"))?;
        Ok(format!("{issuer}|{sub}"))
    }
}

/// The JSON payload of a compact JWS.
fn payload(jwt: &str) -> Option<serde_json::Value> {
    let part = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// An error and its causes on one line, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cause = c.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pending_cookie_round_trips_and_refuses_anything_else() {
        let p = Pending { state: "s-1_A".into(), nonce: "n2".into(), verifier: "v3".into() };
        let back = Pending::from_cookie(&p.to_cookie()).unwrap();
        assert_eq!((back.state, back.nonce, back.verifier), ("s-1_A".into(), "n2".into(), "v3".into()));
        for bad in ["", "a.b", "a.b.c.d", "a.b.c;d", "a..c", "a.b.c=", "a.b.<script>"] {
            assert!(Pending::from_cookie(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn claims_become_a_directory_identity() {
        let settings = OidcSettings {
            issuer: "https://id.example/tenant/".into(),
            client_id: "c".into(),
            client_secret_file: "f".into(),
            public_url: "https://hearth.example".into(),
            groups_claim: "groups".into(),
            manager_claim: Some("manager".into()),
            username_claim: "preferred_username".into(),
            button: "b".into(),
            scopes: vec![],
        };
        let sso = Sso::new(settings, "secret".into());
        let claims = serde_json::json!({ "preferred_username": "Ada.Quill@Riverside.example", "given_name": "Ada",
            "family_name": "Quill", "groups": ["g1", "g2"], "manager": "bo.tern@riverside.example" });
        let who = sso.identity_from("abc", &claims);
        assert_eq!(who.subject, "https://id.example/tenant|abc");
        assert_eq!(who.username, "Ada.Quill@Riverside.example");
        assert_eq!(who.display_name, "Ada Quill");
        assert_eq!(who.groups, vec!["g1", "g2"]);
        assert_eq!(who.manager.as_deref(), Some("bo.tern@riverside.example"));
        let who = sso.identity_from("x", &serde_json::json!({ "email": "e@x.example", "groups": "only" }));
        assert_eq!((who.username.as_str(), who.display_name.as_str(), who.groups.len()), ("e@x.example", "e@x.example", 1));
    }

    #[test]
    fn a_payload_is_read_from_the_middle_part() {
        let body = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(br#"{"sub":"1"}"#);
        assert_eq!(payload(&format!("h.{body}.s")).unwrap()["sub"], "1");
        assert!(payload("nonsense").is_none());
    }
}
