//! Which requests the development server answers: those addressed to it by a name no other
//! web site can make a browser use (the Host check), and, for the live-reload endpoints, those
//! from its own pages (the Origin check).
//!
//! DNS rebinding: a page at `http://attacker.example:1111/` points its name at 127.0.0.1 once
//! loaded; its scripts can then read `http://attacker.example:1111/` as their own origin, and
//! so this server's pages and build errors. The browser still sends
//! `Host: attacker.example:1111`, so the server refuses hosts it does not know (Vite did the
//! same for CVE-2025-24010). An IP literal cannot be rebound, and localhost names resolve only
//! to this machine.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::middleware::Next;
use axum::response::IntoResponse;

/// Requests under this path are the live-reload stream and its script.
const OWN_PREFIX: &str = "/__gen/";

/// A host as a Host header or an Origin names it, without its port.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Host {
    Ip(IpAddr),
    /// Lower case, without a trailing dot.
    Name(String),
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Host::Ip(IpAddr::V6(ip)) => write!(f, "[{ip}]"),
            Host::Ip(ip) => write!(f, "{ip}"),
            Host::Name(name) => f.write_str(name),
        }
    }
}

/// The hosts the server answers for: localhost, loopback, the bind address, and those given
/// with `--allowed-host` (`.example.test` allows `example.test` and its subdomains).
#[derive(Debug)]
pub(crate) struct AllowedHosts {
    bind: IpAddr,
    exact: Vec<Host>,
    domains: Vec<String>,
}

impl AllowedHosts {
    /// Fails with the first of `extra` that is not a host name or IP address.
    pub(crate) fn new(bind: IpAddr, extra: &[String]) -> Result<Self, String> {
        let mut allowed = AllowedHosts {
            bind,
            exact: Vec::new(),
            domains: Vec::new(),
        };
        for text in extra {
            match text.strip_prefix('.').map(parse_host) {
                Some(Some(Host::Name(domain))) => allowed.domains.push(domain),
                Some(_) => return Err(text.clone()),
                None => allowed
                    .exact
                    .push(parse_host(text).ok_or_else(|| text.clone())?),
            }
        }
        Ok(allowed)
    }

    fn allows(&self, host: &Host) -> bool {
        let built_in = match host {
            Host::Ip(ip) => ip.to_canonical().is_loopback() || *ip == self.bind,
            Host::Name(name) => name == "localhost" || name.ends_with(".localhost"),
        };
        let in_a_domain = |name: &str| {
            self.domains.iter().any(|d| {
                name.strip_suffix(d.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
            })
        };
        built_in
            || self.exact.contains(host)
            || matches!(host, Host::Name(name) if in_a_domain(name))
    }
}

/// `host[:port]`, as in a Host header (RFC 9110 section 7.2): a name, an IPv4 address or a
/// bracketed IPv6 address, then an optional port of digits. Anything else (user info, paths,
/// spaces, several colons) is not a host.
fn parse_host(text: &str) -> Option<Host> {
    let (host, port) = if let Some(rest) = text.strip_prefix('[') {
        let (inside, after) = rest.split_once(']')?;
        let ip: Ipv6Addr = inside.parse().ok()?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        (Host::Ip(IpAddr::V6(ip)), port)
    } else {
        let (name, port) = match text.split_once(':') {
            Some((name, port)) => (name, Some(port)),
            None => (text, None),
        };
        let name = name.strip_suffix('.').unwrap_or(name).to_ascii_lowercase();
        let valid = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.' || b == b'_');
        if !valid {
            return None;
        }
        match name.parse::<std::net::Ipv4Addr>() {
            Ok(ip) => (Host::Ip(IpAddr::V4(ip)), port),
            Err(_) => (Host::Name(name), port),
        }
    };
    match port {
        Some(p) if p.len() > 5 || !p.bytes().all(|b| b.is_ascii_digit()) => None,
        _ => Some(host),
    }
}

/// The host of an `Origin` header's value (`scheme://host[:port]`); `None` for `null` (an
/// opaque origin: a sandboxed frame, a file) and anything that is not an origin.
fn origin_host(origin: &str) -> Option<Host> {
    let (scheme, authority) = origin.split_once("://")?;
    if !scheme.eq_ignore_ascii_case("http") && !scheme.eq_ignore_ascii_case("https") {
        return None;
    }
    parse_host(authority)
}

/// Why a request is refused.
#[derive(Debug, PartialEq, Eq)]
enum Refusal {
    /// No Host header, from another machine.
    NoHost,
    /// A Host header (or a request target's authority) that is not a host, or several.
    BadHost,
    UnknownHost(Host),
    /// A live-reload request from a page of another site.
    CrossOrigin(Option<Host>),
}

/// Checks one request's Host (and absolute target) and, for the live-reload endpoints, its
/// Origin.
///
/// A request without a Host header (HTTP/1.0 allows that) is answered only from loopback:
/// browsers always send Host, so it cannot come from a rebound page; from another machine
/// (with `--bind 0.0.0.0`) nothing says it was meant for this server, so it is refused.
fn check(
    allowed: &AllowedHosts,
    headers: &HeaderMap,
    target_authority: Option<&str>,
    path: &str,
    peer: Option<IpAddr>,
) -> Result<(), Refusal> {
    let mut hosts = headers.get_all(header::HOST).iter();
    match (hosts.next(), hosts.next()) {
        (None, _) if peer.is_some_and(|p| p.to_canonical().is_loopback()) => {}
        (None, _) => return Err(Refusal::NoHost),
        (Some(value), None) => admit(allowed, value.to_str().ok())?,
        (Some(_), Some(_)) => return Err(Refusal::BadHost),
    }
    // `GET http://other.example/ HTTP/1.1` names its host in the target, which overrides
    // the Host header (RFC 9112 section 3.2.2).
    if let Some(authority) = target_authority {
        admit(allowed, Some(authority))?;
    }
    if path.starts_with(OWN_PREFIX)
        && let Some(origin) = headers.get(header::ORIGIN)
    {
        let host = origin.to_str().ok().and_then(origin_host);
        if !host.as_ref().is_some_and(|h| allowed.allows(h)) {
            return Err(Refusal::CrossOrigin(host));
        }
    }
    Ok(())
}

fn admit(allowed: &AllowedHosts, value: Option<&str>) -> Result<(), Refusal> {
    match value.and_then(parse_host) {
        Some(host) if allowed.allows(&host) => Ok(()),
        Some(host) => Err(Refusal::UnknownHost(host)),
        None => Err(Refusal::BadHost),
    }
}

/// Refuses requests for unknown hosts and cross-origin live-reload requests with 403, and
/// makes sure no response lets another origin read it.
pub(crate) async fn guard(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response<Body> {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    let uri = request.uri();
    if let Err(refusal) = check(
        &allowed,
        request.headers(),
        uri.authority().map(|a| a.as_str()),
        uri.path(),
        peer,
    ) {
        return forbidden(&refusal);
    }
    let mut response = next.run(request).await;
    response
        .headers_mut()
        .remove(header::ACCESS_CONTROL_ALLOW_ORIGIN);
    response
}

/// A 403 saying what was refused and how to allow it. The host shown has passed
/// [`parse_host`], so it holds no markup (and the body is plain text anyway).
fn forbidden(refusal: &Refusal) -> Response<Body> {
    let why = "gen watch answers only requests addressed to localhost, a loopback address or \
               the address it listens on, so that no other web site can read it through a DNS \
               name of its own (DNS rebinding).";
    let text = match refusal {
        Refusal::NoHost => format!("Forbidden: a request without a Host header.\n\n{why}\n"),
        Refusal::BadHost => format!("Forbidden: the Host header is not a host name.\n\n{why}\n"),
        Refusal::UnknownHost(host) => format!(
            "Forbidden: the host {host} is not allowed.\n\n{why}\n\nTo allow it, start \
             the server with:\n\n    gen watch --allowed-host {host}\n"
        ),
        Refusal::CrossOrigin(Some(host)) => format!(
            "Forbidden: the live-reload stream does not answer pages of {host}.\n\nIf that is \
             this site, start the server with:\n\n    gen watch --allowed-host {host}\n"
        ),
        Refusal::CrossOrigin(None) => "Forbidden: the live-reload stream answers only pages \
                                       of this site, and this request's Origin is not one.\n"
            .to_owned(),
    };
    let mut response = (StatusCode::FORBIDDEN, text).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(bind: &str, extra: &[&str]) -> AllowedHosts {
        let extra: Vec<String> = extra.iter().map(|s| (*s).to_owned()).collect();
        AllowedHosts::new(bind.parse().unwrap(), &extra).unwrap()
    }

    fn allows(a: &AllowedHosts, header: &str) -> bool {
        parse_host(header).is_some_and(|h| a.allows(&h))
    }

    #[test]
    fn loopback_localhost_and_the_bind_address_are_allowed_with_or_without_a_port() {
        let a = allowed("127.0.0.1", &[]);
        for host in [
            "localhost",
            "localhost:1111",
            "LocalHost.:80",
            "app.localhost:5",
            "127.0.0.1",
            "127.0.0.1:1111",
            "127.9.8.7:1",
            "[::1]",
            "[::1]:1111",
            "[::ffff:127.0.0.1]:1111",
        ] {
            assert!(allows(&a, host), "{host}");
        }
        let lan = allowed("192.168.1.5", &[]);
        assert!(allows(&lan, "192.168.1.5:1111"));
        assert!(allows(&lan, "192.168.1.5"));
        assert!(allows(&allowed("0.0.0.0", &[]), "0.0.0.0:1111"));
    }

    #[test]
    fn other_hosts_are_refused_unless_allowed() {
        let a = allowed("0.0.0.0", &[]);
        for host in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "evilocalhost",
            "192.168.1.5:1111",
            "127.0.0.1.evil.example",
            "my-laptop",
            "[::2]:1111",
        ] {
            assert!(!allows(&a, host), "{host}");
        }
        let b = allowed("127.0.0.1", &["my-laptop", ".dev.test", "192.168.1.5"]);
        assert!(allows(&b, "my-laptop:1111"));
        assert!(allows(&b, "MY-LAPTOP"));
        assert!(allows(&b, "dev.test"));
        assert!(allows(&b, "a.b.dev.test:1"));
        assert!(allows(&b, "192.168.1.5:1111"));
        assert!(!allows(&b, "xdev.test"));
        assert!(!allows(&b, "my-laptop.evil.example"));
    }

    #[test]
    fn what_is_not_a_host_is_refused() {
        for text in [
            "",
            ":80",
            "user@localhost",
            "localhost:80:80",
            "localhost:abc",
            "localhost:123456",
            "localhost/x",
            "local host",
            "[::1",
            "[::1]x",
            "::1",
            "[localhost]",
            "<script>",
        ] {
            assert_eq!(parse_host(text), None, "{text:?}");
        }
        assert!(AllowedHosts::new("127.0.0.1".parse().unwrap(), &["a b".to_owned()]).is_err());
        assert!(AllowedHosts::new("127.0.0.1".parse().unwrap(), &[".".to_owned()]).is_err());
    }

    fn headers(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(name, HeaderValue::from_str(value).unwrap());
        }
        map
    }

    #[test]
    fn requests_without_a_host_are_answered_only_from_loopback() {
        let a = allowed("0.0.0.0", &[]);
        let none = HeaderMap::new();
        let local = Some("127.0.0.1".parse().unwrap());
        let remote = Some("192.168.1.9".parse().unwrap());
        assert_eq!(check(&a, &none, None, "/", local), Ok(()));
        assert_eq!(check(&a, &none, None, "/", remote), Err(Refusal::NoHost));
        assert_eq!(check(&a, &none, None, "/", None), Err(Refusal::NoHost));
        let two = headers(&[(header::HOST, "localhost"), (header::HOST, "localhost")]);
        assert_eq!(check(&a, &two, None, "/", local), Err(Refusal::BadHost));
    }

    #[test]
    fn an_absolute_target_must_name_an_allowed_host_too() {
        let a = allowed("127.0.0.1", &[]);
        let h = headers(&[(header::HOST, "localhost")]);
        assert!(check(&a, &h, Some("evil.example"), "/", None).is_err());
        assert_eq!(check(&a, &h, Some("localhost:1"), "/", None), Ok(()));
    }

    #[test]
    fn live_reload_requests_from_other_origins_are_refused() {
        let a = allowed("127.0.0.1", &["my-laptop"]);
        let with_origin =
            |origin: &str| headers(&[(header::HOST, "127.0.0.1:1111"), (header::ORIGIN, origin)]);
        for origin in [
            "http://127.0.0.1:1111",
            "http://localhost:3000",
            "https://my-laptop",
        ] {
            assert_eq!(
                check(&a, &with_origin(origin), None, "/__gen/live", None),
                Ok(()),
                "{origin}"
            );
        }
        for origin in [
            "http://evil.example",
            "null",
            "file://",
            "http://127.0.0.1.evil.example",
        ] {
            assert!(
                check(&a, &with_origin(origin), None, "/__gen/live", None).is_err(),
                "{origin}"
            );
            assert!(
                check(&a, &with_origin(origin), None, "/__gen/live.js", None).is_err(),
                "{origin}"
            );
            // Pages are not for reading cross-origin either, but the browser enforces that
            // (no response allows it); only the live-reload endpoints check Origin.
            assert_eq!(
                check(&a, &with_origin(origin), None, "/timeline/", None),
                Ok(())
            );
        }
        let no_origin = headers(&[(header::HOST, "localhost")]);
        assert_eq!(check(&a, &no_origin, None, "/__gen/live", None), Ok(()));
    }
}
