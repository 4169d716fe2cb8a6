//! Per-address counters against guessing and flooding: failed sign-ins per
//! client address (the account lock in the gate covers one account; this
//! covers one address trying many accounts) and API requests per minute.
//!
//! Counts live in memory, per process: a restart forgets them, which is
//! acceptable for throttling (accounts still lock in the database). Behind a
//! reverse proxy every client shares the proxy's address, so set the limits
//! with that in mind.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts, Request};
use axum::http::request::Parts;

/// Fixed-window counter per client address.
#[derive(Debug)]
pub struct Throttle {
    limit: u32,
    window: Duration,
    counts: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

/// Above this many tracked addresses, expired windows are swept out, so a
/// flood from many addresses cannot grow the map without bound.
const SWEEP_AT: usize = 10_000;

impl Throttle {
    /// `limit` events per `window`; a limit of 0 never throttles.
    pub fn new(limit: u32, window: Duration) -> Self {
        Throttle { limit, window, counts: Mutex::new(HashMap::new()) }
    }

    /// If the address is over its limit, how long until it may try again.
    pub fn blocked(&self, ip: IpAddr) -> Option<Duration> {
        if self.limit == 0 {
            return None;
        }
        let counts = self.counts.lock().expect("throttle lock");
        let (start, n) = *counts.get(&ip)?;
        let elapsed = start.elapsed();
        (elapsed < self.window && n >= self.limit).then(|| self.window - elapsed)
    }

    /// Counts one event for the address.
    pub fn hit(&self, ip: IpAddr) {
        if self.limit == 0 {
            return;
        }
        let mut counts = self.counts.lock().expect("throttle lock");
        if counts.len() >= SWEEP_AT {
            let window = self.window;
            counts.retain(|_, (start, _)| start.elapsed() < window);
        }
        let entry = counts.entry(ip).or_insert((Instant::now(), 0));
        if entry.0.elapsed() >= self.window {
            *entry = (Instant::now(), 0);
        }
        entry.1 = entry.1.saturating_add(1);
    }
}

/// The client's address as the listener saw it (unspecified when the router
/// runs without connection info, e.g. in-process).
pub fn client_ip(req_extensions: &axum::http::Extensions) -> IpAddr {
    req_extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()).unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Shorthand for middleware that has the whole request.
pub fn request_ip(req: &Request) -> IpAddr {
    client_ip(req.extensions())
}

/// Extractor for the client's address; never fails.
pub struct ClientIp(pub IpAddr);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(&parts.extensions)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_is_blocked_after_its_limit_and_others_are_not() {
        let t = Throttle::new(3, Duration::from_secs(60));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(t.blocked(a).is_none());
            t.hit(a);
        }
        assert!(t.blocked(a).is_some_and(|d| d <= Duration::from_secs(60)));
        assert!(t.blocked(b).is_none());
    }

    #[test]
    fn the_window_resets_and_zero_means_no_limit() {
        let t = Throttle::new(1, Duration::from_millis(20));
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        t.hit(a);
        assert!(t.blocked(a).is_some());
        std::thread::sleep(Duration::from_millis(30));
        assert!(t.blocked(a).is_none());
        let off = Throttle::new(0, Duration::from_secs(60));
        for _ in 0..100 {
            off.hit(a);
        }
        assert!(off.blocked(a).is_none());
    }
}
