//! Domain names in zones: owner names resolved against the zone's origin, and the targets
//! records point at. Names are kept lowercase and absolute, without the trailing dot.

use std::net::IpAddr;

/// Why a name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("“{0}” is not a valid domain name.")]
    Invalid(String),
    #[error("The name “{name}” is not within the zone “{zone}”.")]
    OutsideZone { name: String, zone: String },
}

/// How strictly a name's labels are checked. BIND refuses to load a zone whose address
/// records, mail exchangers or nameservers use names that are not hostnames (its
/// `check-names` default for primary zones), so those take [`Rule::Host`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Letters, digits and inner hyphens; a leading `*` label for wildcards.
    Host,
    /// Also underscores, as in `_dmarc` or `_sip._tcp`.
    Service,
}

/// The longest name, in presentation form without the final dot (RFC 1035 §2.3.4).
const MAX_NAME: usize = 253;

/// Resolves an owner name as written in a request or a zone file: `@` or empty is the
/// origin, a name ending in `.` is absolute, a name that already ends with the origin is taken
/// as absolute too (what users mean by `www.example.com` in zone `example.com`), and anything
/// else is relative to the origin. The result must lie within the zone.
pub fn owner(raw: &str, origin: &str, rule: Rule) -> Result<String, NameError> {
    let lower = raw.trim().to_ascii_lowercase();
    let name = if lower.is_empty() || lower == "@" {
        origin.to_owned()
    } else if let Some(absolute) = lower.strip_suffix('.') {
        absolute.to_owned()
    } else if within(&lower, origin) {
        lower
    } else {
        format!("{lower}.{origin}")
    };
    if !valid(&name, rule) {
        return Err(NameError::Invalid(raw.to_owned()));
    }
    if !within(&name, origin) {
        return Err(NameError::OutsideZone {
            name: format!("{name}."),
            zone: origin.to_owned(),
        });
    }
    Ok(name)
}

/// Resolves a name a record points at (a CNAME, an exchange, a nameserver, a target). These
/// are fully qualified whether or not they end in `.`; a bare label or an IP address is not a
/// name.
pub fn target(raw: &str, rule: Rule) -> Result<String, NameError> {
    let lower = raw.trim().to_ascii_lowercase();
    let name = lower.strip_suffix('.').unwrap_or(&lower);
    if !name.contains('.') || name.parse::<IpAddr>().is_ok() || !valid(name, rule) {
        return Err(NameError::Invalid(raw.to_owned()));
    }
    Ok(name.to_owned())
}

/// Whether `name` is `zone` or lies below it.
pub fn within(name: &str, zone: &str) -> bool {
    name == zone
        || name
            .strip_suffix(zone)
            .is_some_and(|head| head.ends_with('.'))
}

/// Whether an absolute name, without its trailing dot, is valid label by label.
pub fn valid(name: &str, rule: Rule) -> bool {
    if name.is_empty() || name.len() > MAX_NAME {
        return false;
    }
    for (i, label) in name.split('.').enumerate() {
        if label.is_empty() || label.len() > 63 {
            return false;
        }
        if label == "*" && i == 0 {
            continue;
        }
        let allowed = |b: u8| {
            b.is_ascii_lowercase()
                || b.is_ascii_digit()
                || b == b'-'
                || (b == b'_' && rule == Rule::Service)
        };
        if !label.bytes().all(allowed) || label.starts_with('-') || label.ends_with('-') {
            return false;
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_resolve_against_the_origin() {
        let o = |raw| owner(raw, "example.com", Rule::Service);
        assert_eq!(o("@").as_deref(), Ok("example.com"));
        assert_eq!(o("").as_deref(), Ok("example.com"));
        assert_eq!(o("www").as_deref(), Ok("www.example.com"));
        assert_eq!(o("WWW.Example.com").as_deref(), Ok("www.example.com"));
        assert_eq!(o("www.example.com.").as_deref(), Ok("www.example.com"));
        assert_eq!(o("*.example.com.").as_deref(), Ok("*.example.com"));
        assert_eq!(o("_dmarc").as_deref(), Ok("_dmarc.example.com"));
        assert_eq!(o("a.b").as_deref(), Ok("a.b.example.com"));
    }

    #[test]
    fn owners_outside_the_zone_or_malformed_are_refused() {
        let o = |raw| owner(raw, "example.com", Rule::Host);
        assert!(matches!(
            o("other.net."),
            Err(NameError::OutsideZone { .. })
        ));
        assert!(matches!(
            o("notexample.com."),
            Err(NameError::OutsideZone { .. })
        ));
        for bad in [
            "a..b", "-a", "a-", "_dmarc", "a b", "a;b", "a\nb", "$INCLUDE", "w*w", "a.*", "\"a\"",
            "a/b",
        ] {
            assert!(matches!(o(bad), Err(NameError::Invalid(_))), "{bad}");
        }
        let long = "a".repeat(64);
        assert!(o(&long).is_err());
        let many = vec!["abcdefghi"; 30].join(".");
        assert!(o(&many).is_err());
    }

    #[test]
    fn targets_are_fully_qualified_names() {
        assert_eq!(
            target("Mail.Example.com.", Rule::Host).as_deref(),
            Ok("mail.example.com")
        );
        assert_eq!(
            target("mail.example.com", Rule::Host).as_deref(),
            Ok("mail.example.com")
        );
        for bad in ["mail", "192.0.2.1", "", ".", "a..b", "x.example.com ; y"] {
            assert!(target(bad, Rule::Host).is_err(), "{bad}");
        }
        assert!(target("_sip.example.com", Rule::Host).is_err());
        assert!(target("_sip.example.com", Rule::Service).is_ok());
    }
}
