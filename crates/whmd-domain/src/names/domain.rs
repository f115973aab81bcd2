//! Main domains of new accounts, with WHM's reasons.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use std::borrow::Cow;
use std::net::IpAddr;

/// Endings WHM refuses as a top-level label.
const REFUSED_TLDS: &[&str] = &[
    "bkup",
    "bkup2",
    "cache",
    "json",
    "lock",
    "mbox",
    "offset",
    "stor",
    "yaml",
    "invalid",
    "localhost",
];

/// What the domain is checked against beyond its syntax.
#[derive(Debug, Clone, Copy)]
pub struct DomainContext<'a> {
    pub username: &'a str,
    pub hostname: &'a str,
    pub caller_is_root: bool,
}

/// A domain a new account may have as far as the name alone can tell: lowercased, without a
/// trailing dot, a host name of at least two labels that is not an address, a public suffix,
/// a `www.` name or cPanel's. Read from a request, a name that is not one is refused there with
/// WHM's reason; [`NewDomain::check`] adds what depends on the call.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "String")]
pub struct NewDomain {
    /// As sent, for the reasons that quote it.
    raw: String,
    name: String,
}

impl NewDomain {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let domain = raw.trim().to_ascii_lowercase();
        let domain = domain.strip_suffix('.').unwrap_or(&domain).to_owned();
        let cannot = |why: &str| Err(cannot_accept(raw, why));
        if domain.is_empty() {
            return cannot("it is empty");
        }
        if domain.len() > 254 {
            return cannot("it is longer than 254 characters");
        }
        if domain.parse::<IpAddr>().is_ok() {
            return cannot("it is an IP address");
        }
        if !domain.contains('.') {
            return cannot("it has only one label");
        }
        for label in domain.split('.') {
            if label.is_empty() || label.len() > 63 {
                return cannot("each label must have between 1 and 63 characters");
            }
            if !label
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            {
                return cannot("labels may contain only letters, digits and hyphens");
            }
            if label.starts_with('-') || label.ends_with('-') {
                return cannot("labels may not begin or end with a hyphen");
            }
        }
        let tld = domain.rsplit('.').next().unwrap_or_default();
        if !(tld.starts_with("xn--") || tld.bytes().all(|b| b.is_ascii_alphanumeric())) {
            return cannot("the last label must be letters and digits");
        }
        if REFUSED_TLDS.contains(&tld) {
            return cannot(&format!("it may not end in “.{tld}”"));
        }
        if psl::suffix_str(&domain).is_some_and(|suffix| suffix.len() == domain.len()) {
            return cannot("it is a public suffix");
        }
        if domain.starts_with("www.") {
            return cannot("it may not begin with “www.”");
        }
        if ["cpanel.net", "cpanel.com"]
            .iter()
            .any(|c| domain == *c || domain.ends_with(&format!(".{c}")))
        {
            return cannot("it belongs to cPanel");
        }
        Ok(Self {
            raw: raw.to_owned(),
            name: domain,
        })
    }

    /// What depends on the call: not the username, not the server's hostname, and (for all
    /// but root) not a name under it. Returns the domain, or the reason it is refused.
    pub fn check(&self, ctx: DomainContext<'_>) -> Result<String, String> {
        let domain = &self.name;
        if *domain == ctx.username {
            return Err(cannot_accept(
                &self.raw,
                "it may not be the same as the username",
            ));
        }
        let hostname = ctx.hostname.to_ascii_lowercase();
        if *domain == hostname {
            return Err(
                "You may not create a domain with a name that is the server’s hostname.".to_owned(),
            );
        }
        if !ctx.caller_is_root && domain.ends_with(&format!(".{hostname}")) {
            return Err(cannot_accept(
                &self.raw,
                "it is a subdomain of the server’s hostname",
            ));
        }
        Ok(domain.clone())
    }
}

impl TryFrom<String> for NewDomain {
    type Error = String;

    fn try_from(raw: String) -> Result<Self, String> {
        Self::parse(&raw)
    }
}

impl JsonSchema for NewDomain {
    fn schema_name() -> Cow<'static, str> {
        "NewDomain".into()
    }

    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "hostname",
            "description": "A domain name of two labels or more, read in lower case.",
        })
    }
}

fn cannot_accept(raw: &str, why: &str) -> String {
    format!("The system cannot accept “{raw}” as a domain name ({why}).")
}

/// Checks a new main domain and returns it lowercased, or the reason it is refused. Whether the
/// domain is already taken is the store's to say.
pub fn check_new_domain(raw: &str, ctx: DomainContext<'_>) -> Result<String, String> {
    NewDomain::parse(raw)?.check(ctx)
}

pub fn exists_reason(domain: &str) -> String {
    format!("The domain “{domain}” already exists in the userdata.")
}

#[cfg(test)]
mod tests {
    use super::*;

    const CTX: DomainContext<'static> = DomainContext {
        username: "bob",
        hostname: "host.example.net",
        caller_is_root: false,
    };

    #[test]
    fn accepts_and_lowercases() {
        assert_eq!(
            check_new_domain("Example.COM", CTX),
            Ok("example.com".into())
        );
        assert_eq!(
            check_new_domain("a-b.xn--p1ai", CTX),
            Ok("a-b.xn--p1ai".into())
        );
        assert_eq!(
            check_new_domain("example.com.", CTX),
            Ok("example.com".into())
        );
    }

    #[test]
    fn refusals() {
        for bad in [
            "",
            "localhost",
            "1.2.3.4",
            "::1",
            "-a.com",
            "a-.com",
            "a..com",
            "a_b.com",
            "a.c-m",
            "x.lock",
            "www.example.com",
            "cpanel.net",
            "x.cpanel.com",
            "host.example.net",
            "sub.host.example.net",
            "a b.com",
            "ex\"ample.com",
        ] {
            assert!(check_new_domain(bad, CTX).is_err(), "{bad}");
        }
        let long = format!("{}.com", "a".repeat(64));
        assert!(check_new_domain(&long, CTX).is_err());
        let longest = format!("{}.com", vec!["a".repeat(63); 4].join("."));
        assert!(check_new_domain(&longest, CTX).is_err());
        assert_eq!(
            check_new_domain("host.example.net", CTX),
            Err("You may not create a domain with a name that is the server’s hostname.".into())
        );
        for suffix in ["co.uk", "github.io", "com.au"] {
            assert_eq!(
                check_new_domain(suffix, CTX),
                Err(format!(
                    "The system cannot accept “{suffix}” as a domain name (it is a public suffix)."
                ))
            );
        }
        assert!(check_new_domain("example.co.uk", CTX).is_ok());
        let root = DomainContext {
            caller_is_root: true,
            ..CTX
        };
        assert!(check_new_domain("sub.host.example.net", root).is_ok());
    }
}
