//! The allowlist of remote-control backend origins a payload may target.
//!
//! An origin is accepted only when written as its own ASCII serialization (lower case, no
//! trailing slash, no userinfo, no default port, canonical IP literals), because these bytes
//! are signed and a verifier compares them as they are.

use std::fmt;

/// A parsed origin in its canonical serialization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: Scheme,
    host: String,
    port: Option<u16>,
}

/// The two schemes a backend origin may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scheme {
    /// `http`, default port 80.
    Http,
    /// `https`, default port 443.
    Https,
}

impl Scheme {
    fn parse(text: &str) -> Option<Self> {
        match text {
            "http" => Some(Scheme::Http),
            "https" => Some(Scheme::Https),
            _ => None,
        }
    }

    const fn as_str(self) -> &'static str {
        match self {
            Scheme::Http => "http",
            Scheme::Https => "https",
        }
    }

    const fn default_port(self) -> u16 {
        match self {
            Scheme::Http => 80,
            Scheme::Https => 443,
        }
    }
}

impl Origin {
    /// Parses `text` if, and only if, it is already an origin's canonical ASCII serialization:
    /// `http` or `https`, `://`, a domain as the URL standard writes it, canonical IPv4 address
    /// or bracketed canonical IPv6 address, an optional non-default port, and nothing after it
    /// (the `origin` format).
    pub fn parse_serialized(text: &str) -> Option<Origin> {
        // The schema's `origin` format is the one definition of "canonical"; this only splits.
        if !devicekey_protocol::formats::is_origin(text) {
            return None;
        }
        let (scheme, rest) = text.split_once("://")?;
        let scheme = Scheme::parse(scheme)?;
        let (host, port) = split_host_port(rest)?;
        let port = match port {
            None => None,
            Some(digits) => {
                let port = parse_port(digits)?;
                if port == scheme.default_port() {
                    return None;
                }
                Some(port)
            }
        };
        Some(Origin {
            scheme,
            host: host.to_owned(),
            port,
        })
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The host as serialized (IPv6 addresses with their brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The explicit port, absent when it is the scheme's default.
    pub fn port(&self) -> Option<u16> {
        self.port
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme.as_str(), self.host)?;
        if let Some(port) = self.port {
            write!(f, ":{port}")?;
        }
        Ok(())
    }
}

fn split_host_port(rest: &str) -> Option<(&str, Option<&str>)> {
    if rest.starts_with('[') {
        let end = rest.find(']')?;
        let (host, after) = rest.split_at(end + 1);
        match after {
            "" => Some((host, None)),
            _ => Some((host, Some(after.strip_prefix(':')?))),
        }
    } else {
        match rest.split_once(':') {
            None => Some((rest, None)),
            Some((host, port)) => Some((host, Some(port))),
        }
    }
}

/// Decimal digits without leading zeros, 0..=65535.
fn parse_port(digits: &str) -> Option<u16> {
    let well_formed = !digits.is_empty()
        && digits.bytes().all(|byte| byte.is_ascii_digit())
        && (digits == "0" || !digits.starts_with('0'));
    if well_formed {
        digits.parse().ok()
    } else {
        None
    }
}

/// How a rule matches hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostMatch {
    /// Exactly this host.
    Exact(String),
    /// Any strict subdomain of this host (not the host itself).
    Subdomains(String),
}

/// How a rule matches ports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PortMatch {
    /// Only the scheme's default port (no explicit port).
    Default,
    /// Any port, explicit or not.
    Any,
    /// Exactly this explicit port.
    Exact(u16),
}

/// One allowed pattern: a scheme, a host and a port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginRule {
    scheme: Scheme,
    host: HostMatch,
    port: PortMatch,
}

/// A rule string that [`OriginRule::parse`] could not read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidOriginRule {
    rule: String,
}

impl fmt::Display for InvalidOriginRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid origin rule {:?}: expected http(s)://host, http(s)://*.host, with an optional :port or :*", self.rule)
    }
}

impl std::error::Error for InvalidOriginRule {}

impl OriginRule {
    /// A rule from its parts.
    pub fn new(scheme: Scheme, host: HostMatch, port: PortMatch) -> Self {
        OriginRule { scheme, host, port }
    }

    /// Parses a rule string: `https://example.com` (that host, default port),
    /// `https://*.example.com` (its subdomains), with `:8443` for one port or `:*` for any.
    pub fn parse(rule: &str) -> Result<Self, InvalidOriginRule> {
        let invalid = || InvalidOriginRule {
            rule: rule.to_owned(),
        };
        let (scheme, rest) = rule.split_once("://").ok_or_else(invalid)?;
        let scheme = Scheme::parse(scheme).ok_or_else(invalid)?;
        let (host, port) = split_host_port(rest).ok_or_else(invalid)?;
        let port = match port {
            None => PortMatch::Default,
            Some("*") => PortMatch::Any,
            Some(digits) => match parse_port(digits) {
                Some(port) if port == scheme.default_port() => PortMatch::Default,
                Some(port) => PortMatch::Exact(port),
                None => return Err(invalid()),
            },
        };
        let host = match host.strip_prefix("*.") {
            Some(parent) => HostMatch::Subdomains(parent.to_owned()),
            None => HostMatch::Exact(host.to_owned()),
        };
        let (HostMatch::Exact(name) | HostMatch::Subdomains(name)) = &host;
        if !devicekey_protocol::formats::is_origin(&format!("{}://{name}", scheme.as_str())) {
            return Err(invalid());
        }
        Ok(OriginRule { scheme, host, port })
    }

    /// Whether `origin` matches this rule.
    pub fn matches(&self, origin: &Origin) -> bool {
        let host_matches = match &self.host {
            HostMatch::Exact(host) => origin.host == *host,
            // One or more labels and a dot before the parent. The `origin` format takes empty
            // labels as the URL standard does (`a..chatgpt.com`); no rule matches them here.
            HostMatch::Subdomains(parent) => origin
                .host
                .strip_suffix(parent.as_str())
                .and_then(|prefix| prefix.strip_suffix('.'))
                .is_some_and(|labels| labels.split('.').all(|label| !label.is_empty())),
        };
        let port_matches = match self.port {
            PortMatch::Default => origin.port.is_none(),
            PortMatch::Any => true,
            PortMatch::Exact(port) => origin.port == Some(port),
        };
        self.scheme == origin.scheme && host_matches && port_matches
    }
}

/// The backend origins a payload may target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginAllowlist {
    rules: Vec<OriginRule>,
}

/// The codex defaults as rule strings.
pub const CODEX_DEFAULT_ORIGIN_RULES: &[&str] = &[
    "https://chatgpt.com",
    "https://*.chatgpt.com",
    "https://chatgpt-staging.com",
    "https://*.chatgpt-staging.com",
    "http://localhost:*",
    "https://localhost:*",
    "http://127.0.0.1:*",
    "https://127.0.0.1:*",
    "http://[::1]:*",
    "https://[::1]:*",
];

impl OriginAllowlist {
    /// An allowlist of exactly these rules.
    pub fn new(rules: Vec<OriginRule>) -> Self {
        OriginAllowlist { rules }
    }

    /// An allowlist from rule strings (see [`OriginRule::parse`]).
    pub fn from_rules<S: AsRef<str>>(rules: &[S]) -> Result<Self, InvalidOriginRule> {
        let rules = rules
            .iter()
            .map(|rule| OriginRule::parse(rule.as_ref()))
            .collect::<Result<_, _>>()?;
        Ok(OriginAllowlist { rules })
    }

    /// codex's default backend origins ([`CODEX_DEFAULT_ORIGIN_RULES`]).
    pub fn codex_defaults() -> Self {
        Self::from_rules(CODEX_DEFAULT_ORIGIN_RULES).expect("the default origin rules parse")
    }

    /// Whether `origin` is a canonical origin serialization that some rule allows.
    pub fn allows(&self, origin: &str) -> bool {
        Origin::parse_serialized(origin)
            .is_some_and(|origin| self.rules.iter().any(|rule| rule.matches(&origin)))
    }
}

impl Default for OriginAllowlist {
    fn default() -> Self {
        Self::codex_defaults()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codex_accepts_these_origins() {
        let allowlist = OriginAllowlist::codex_defaults();
        for origin in [
            "https://chatgpt.com",
            "https://chatgpt-staging.com",
            "https://ab.chatgpt.com",
            "https://ab.chatgpt-staging.com",
            "http://localhost:8080",
            "https://localhost:8443",
            "http://127.0.0.1:8080",
            "http://[::1]:8080",
            "http://localhost",
            "https://a.b.chatgpt.com",
        ] {
            assert!(allowlist.allows(origin), "{origin} should be allowed");
        }
    }

    #[test]
    fn codex_rejects_these_origins() {
        let allowlist = OriginAllowlist::codex_defaults();
        for origin in [
            "http://chatgpt.com",
            "https://chat.openai.com",
            "https://api.openai.com",
            "https://chatgpt.com.evil.com",
            "https://evilchatgpt.com",
            "https://foo.localhost",
            "https://localhost.evil.com",
            "https://192.168.1.2",
            "https://chatgpt.com/backend-api",
            "https://chatgpt.com?query=1",
        ] {
            assert!(!allowlist.allows(origin), "{origin} should be rejected");
        }
    }

    #[test]
    fn only_the_canonical_serialization_is_accepted() {
        let allowlist = OriginAllowlist::codex_defaults();
        for origin in [
            "https://chatgpt.com/",
            "https://ChatGPT.com",
            "HTTPS://chatgpt.com",
            "https://chatgpt.com:443",
            "http://localhost:80",
            "https://user@chatgpt.com",
            "https://user:pw@chatgpt.com",
            "https://chatgpt.com#frag",
            "https://chatgpt.com.",
            "https://.chatgpt.com",
            "https://a..chatgpt.com",
            "https://..chatgpt.com",
            "https://a.chatgpt.com.",
            "http://localhost:08080",
            "http://localhost:",
            "http://localhost:65536",
            "http://127.000.0.1:8080",
            "http://127.1:8080",
            "http://0x7f.0.0.1:8080",
            "http://[0:0:0:0:0:0:0:1]:8080",
            "http://[::1]8080",
            "http://[::ffff:127.0.0.1]",
            "https://chatgpt.com\\@evil.com",
            "https:/chatgpt.com",
            "https://ch\u{e4}tgpt.com",
            " https://chatgpt.com",
            "",
        ] {
            assert!(!allowlist.allows(origin), "{origin:?} should be rejected");
        }
    }

    #[test]
    fn parsed_origins_print_back_unchanged() {
        for origin in [
            "https://chatgpt.com",
            "http://[::1]:8080",
            "http://127.0.0.1:1",
            "http://x-y.z:0",
            "https://a_b.example",
            "https://-a.example:8443",
            "https://example.com.",
            "http://a..b",
            "https://xn--bcher-kva.example",
        ] {
            assert_eq!(
                Origin::parse_serialized(origin).unwrap().to_string(),
                origin
            );
        }
    }

    #[test]
    fn configured_rules_replace_the_defaults() {
        let allowlist =
            OriginAllowlist::from_rules(&["https://backend.example", "http://*.test.example:8080"])
                .unwrap();
        assert!(allowlist.allows("https://backend.example"));
        assert!(!allowlist.allows("https://backend.example:8443"));
        assert!(allowlist.allows("http://a.test.example:8080"));
        assert!(!allowlist.allows("http://test.example:8080"));
        assert!(!allowlist.allows("http://a.test.example:8081"));
        assert!(!allowlist.allows("https://chatgpt.com"));
        assert_eq!(
            OriginRule::parse("https://example.com:443").unwrap(),
            OriginRule::parse("https://example.com").unwrap()
        );
        for bad in [
            "example.com",
            "ftp://example.com",
            "https://Example.com",
            "https://example.com/",
            "https://example.com:x",
        ] {
            assert!(OriginRule::parse(bad).is_err(), "{bad}");
        }
    }
}
