//! Resource records: the types whmd keeps, their fields by WHM's names, and the checks a
//! record passes before it goes into a zone, with WHM's reasons.

use crate::name::{self, NameError, Rule};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The largest TTL (RFC 2181 §8).
pub const MAX_TTL: u32 = 2_147_483_647;
/// The longest character-string in a TXT or CAA record.
pub const MAX_CHUNK: usize = 255;
/// The largest record data.
const MAX_RDATA: usize = 65_535;

/// One record; its class is always IN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Absolute, lowercase, without the trailing dot.
    pub name: String,
    pub ttl: u32,
    pub data: RData,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RData {
    Soa(Soa),
    Ns(String),
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Cname(String),
    Mx {
        preference: u16,
        exchange: String,
    },
    /// The character-strings, each at most [`MAX_CHUNK`] bytes.
    Txt(Vec<String>),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
    Caa {
        flag: u8,
        tag: String,
        value: String,
    },
    Ptr(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Soa {
    pub mname: String,
    pub rname: String,
    pub serial: u32,
    pub refresh: u32,
    pub retry: u32,
    pub expire: u32,
    pub minimum: u32,
}

/// Why a record was refused; the text is the reason WHM gives where it has one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("You must specify a record type.")]
    NoType,
    #[error("The record type “{0}” is not supported.")]
    UnsupportedType(String),
    #[error("Only records of class “IN” are supported.")]
    Class,
    #[error("The TTL “{0}” is not a number of seconds between 0 and 2147483647.")]
    Ttl(String),
    #[error("Supplied address for {0} record is invalid")]
    Address(&'static str),
    #[error("CNAMEs must point a FQDN (Fully Qualified Domain Name).")]
    Cname,
    #[error("IP addresses are not allowable exchange values.")]
    ExchangeIp,
    #[error("Supplied preference for MX record is out of range.")]
    Preference,
    #[error("No value supplied for TXT record.")]
    NoTxt,
    #[error("{0} records may not contain line breaks or other control characters.")]
    Control(&'static str),
    #[error("Records may not exceed 65535 bytes")]
    TooLong,
    #[error("Supplied {field} for {kind} record is out of range.")]
    Range {
        field: &'static str,
        kind: &'static str,
    },
    #[error("Provide the “{0}” parameter.")]
    Missing(&'static str),
    #[error("The CAA tag “{0}” is not valid.")]
    CaaTag(String),
    #[error(transparent)]
    Name(#[from] NameError),
}

impl RData {
    /// The type's name as zone files and WHM write it.
    pub fn kind(&self) -> &'static str {
        match self {
            RData::Soa(_) => "SOA",
            RData::Ns(_) => "NS",
            RData::A(_) => "A",
            RData::Aaaa(_) => "AAAA",
            RData::Cname(_) => "CNAME",
            RData::Mx { .. } => "MX",
            RData::Txt(_) => "TXT",
            RData::Srv { .. } => "SRV",
            RData::Caa { .. } => "CAA",
            RData::Ptr(_) => "PTR",
        }
    }
}

/// The types a request may add (the SOA comes with the zone).
pub const TYPES: &[&str] = &["A", "AAAA", "CNAME", "MX", "NS", "TXT", "SRV", "CAA", "PTR"];

impl Record {
    /// The record's fields by WHM's names, all as strings (dumpzone's shape): `name` with its
    /// trailing dot, `class`, `ttl`, `type`, then the type's own.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("name", format!("{}.", self.name)),
            ("class", "IN".to_owned()),
            ("ttl", self.ttl.to_string()),
            ("type", self.data.kind().to_owned()),
        ];
        match &self.data {
            RData::Soa(soa) => out.extend([
                ("mname", soa.mname.clone()),
                ("rname", soa.rname.clone()),
                ("serial", soa.serial.to_string()),
                ("refresh", soa.refresh.to_string()),
                ("retry", soa.retry.to_string()),
                ("expire", soa.expire.to_string()),
                ("minimum", soa.minimum.to_string()),
            ]),
            RData::Ns(target) => out.push(("nsdname", target.clone())),
            RData::A(ip) => out.push(("address", ip.to_string())),
            RData::Aaaa(ip) => out.push(("address", ip.to_string())),
            RData::Cname(target) => out.push(("cname", target.clone())),
            RData::Mx {
                preference,
                exchange,
            } => out.extend([
                ("preference", preference.to_string()),
                ("exchange", exchange.clone()),
            ]),
            RData::Txt(chunks) => out.push(("txtdata", chunks.concat())),
            RData::Srv {
                priority,
                weight,
                port,
                target,
            } => out.extend([
                ("priority", priority.to_string()),
                ("weight", weight.to_string()),
                ("port", port.to_string()),
                ("target", target.clone()),
            ]),
            RData::Caa { flag, tag, value } => out.extend([
                ("flag", flag.to_string()),
                ("tag", tag.clone()),
                ("value", value.clone()),
            ]),
            RData::Ptr(target) => out.push(("ptrdname", target.clone())),
        }
        out
    }

    /// Builds a record from fields by WHM's names (`name`, `ttl`, `class`, `type` and the
    /// type's own), as addzonerecord and editzonerecord take them. `get` answers a field or
    /// `None`; `default_ttl` stands in for a missing `ttl`. The SOA is not built here.
    pub fn from_fields<'a>(
        origin: &str,
        default_ttl: u32,
        get: impl Fn(&str) -> Option<&'a str>,
    ) -> Result<Record, RecordError> {
        let kind = get("type")
            .map(|t| t.trim().to_ascii_uppercase())
            .filter(|t| !t.is_empty())
            .ok_or(RecordError::NoType)?;
        if let Some(class) = get("class")
            && !class.trim().is_empty()
            && !class.trim().eq_ignore_ascii_case("IN")
        {
            return Err(RecordError::Class);
        }
        let ttl = match get("ttl").map(str::trim).filter(|t| !t.is_empty()) {
            None => default_ttl,
            Some(raw) => ttl(raw).ok_or_else(|| RecordError::Ttl(raw.to_owned()))?,
        };
        let need = |field: &'static str| {
            get(field)
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .ok_or(RecordError::Missing(field))
        };
        let host_owner = matches!(kind.as_str(), "A" | "AAAA" | "MX");
        let rule = if host_owner {
            Rule::Host
        } else {
            Rule::Service
        };
        let name = name::owner(get("name").unwrap_or(""), origin, rule)?;
        let data = match kind.as_str() {
            "A" => RData::A(
                need("address")?
                    .parse()
                    .map_err(|_| RecordError::Address("A"))?,
            ),
            "AAAA" => RData::Aaaa(
                need("address")?
                    .parse()
                    .map_err(|_| RecordError::Address("AAAA"))?,
            ),
            "CNAME" => RData::Cname(
                get("cname")
                    .and_then(|c| name::target(c, Rule::Service).ok())
                    .ok_or(RecordError::Cname)?,
            ),
            "MX" => {
                let exchange = need("exchange")?;
                if exchange.parse::<std::net::IpAddr>().is_ok() {
                    return Err(RecordError::ExchangeIp);
                }
                RData::Mx {
                    preference: need("preference")?
                        .parse()
                        .map_err(|_| RecordError::Preference)?,
                    exchange: name::target(exchange, Rule::Host)?,
                }
            }
            "NS" => RData::Ns(name::target(need("nsdname")?, Rule::Host)?),
            "PTR" => RData::Ptr(name::target(need("ptrdname")?, Rule::Service)?),
            "TXT" => {
                let text = get("txtdata").filter(|t| !t.is_empty());
                RData::Txt(txt_chunks(text.ok_or(RecordError::NoTxt)?)?)
            }
            "SRV" => {
                let number = |field: &'static str| {
                    need(field)?
                        .parse::<u16>()
                        .map_err(|_| RecordError::Range { field, kind: "SRV" })
                };
                let target = need("target")?;
                RData::Srv {
                    priority: number("priority")?,
                    weight: number("weight")?,
                    port: number("port")?,
                    target: if target == "." {
                        ".".to_owned()
                    } else {
                        name::target(target, Rule::Host)?
                    },
                }
            }
            "CAA" => {
                let flag = need("flag")?
                    .parse::<u8>()
                    .map_err(|_| RecordError::Range {
                        field: "flag",
                        kind: "CAA",
                    })?;
                let tag = need("tag")?.to_ascii_lowercase();
                if tag.len() > 15 || !tag.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err(RecordError::CaaTag(tag));
                }
                let value = get("value").unwrap_or("");
                if value.len() > MAX_RDATA - 2 - tag.len() {
                    return Err(RecordError::TooLong);
                }
                if value.chars().any(char::is_control) {
                    return Err(RecordError::Control("CAA"));
                }
                RData::Caa {
                    flag,
                    tag,
                    value: value.to_owned(),
                }
            }
            _ => return Err(RecordError::UnsupportedType(kind)),
        };
        Ok(Record { name, ttl, data })
    }
}

/// A TTL in seconds, or BIND's units (`1h30m`, `2d`, `1w`).
pub fn ttl(raw: &str) -> Option<u32> {
    if raw.is_empty() {
        return None;
    }
    if let Ok(seconds) = raw.parse::<u32>() {
        return (seconds <= MAX_TTL).then_some(seconds);
    }
    let mut total: u64 = 0;
    let mut number: Option<u64> = None;
    for c in raw.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(u64::from(d))?,
            );
            continue;
        }
        let unit = match c.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() {
        return None;
    }
    u32::try_from(total).ok().filter(|t| *t <= MAX_TTL)
}

/// Splits TXT data into character-strings of at most [`MAX_CHUNK`] bytes, at character
/// boundaries. Line breaks and other control characters are refused: they have no place in a
/// TXT record and are how zone-file injection would start.
pub fn txt_chunks(text: &str) -> Result<Vec<String>, RecordError> {
    if text.chars().any(char::is_control) {
        return Err(RecordError::Control("TXT"));
    }
    if text.len() + text.len() / MAX_CHUNK + 1 > MAX_RDATA {
        return Err(RecordError::TooLong);
    }
    let mut chunks = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let mut end = rest.len().min(MAX_CHUNK);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        chunks.push(rest[..end].to_owned());
        rest = &rest[end..];
    }
    Ok(chunks)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn build(pairs: &[(&str, &str)]) -> Result<Record, RecordError> {
        let map: HashMap<&str, &str> = pairs.iter().copied().collect();
        Record::from_fields("example.com", 14400, |k| map.get(k).copied())
    }

    #[test]
    fn each_type_builds_from_whm_fields_and_gives_them_back() {
        let cases: &[&[(&str, &str)]] = &[
            &[("type", "A"), ("name", "www"), ("address", "192.0.2.1")],
            &[("type", "AAAA"), ("name", "v6"), ("address", "2001:db8::1")],
            &[("type", "CNAME"), ("name", "ftp"), ("cname", "example.com")],
            &[
                ("type", "MX"),
                ("name", "@"),
                ("exchange", "mail.example.com"),
                ("preference", "10"),
            ],
            &[
                ("type", "NS"),
                ("name", "sub"),
                ("nsdname", "ns1.example.net"),
            ],
            &[
                ("type", "TXT"),
                ("name", "_dmarc"),
                ("txtdata", "v=DMARC1; p=none; \"quoted\""),
            ],
            &[
                ("type", "SRV"),
                ("name", "_sip._tcp"),
                ("priority", "1"),
                ("weight", "2"),
                ("port", "5060"),
                ("target", "sip.example.com"),
            ],
            &[
                ("type", "CAA"),
                ("name", "@"),
                ("flag", "0"),
                ("tag", "issue"),
                ("value", "letsencrypt.org"),
            ],
            &[
                ("type", "PTR"),
                ("name", "1"),
                ("ptrdname", "host.example.net"),
            ],
        ];
        for case in cases {
            let record = build(case).expect("builds");
            let fields = record.fields();
            let back = Record::from_fields("example.com", 1, |k| {
                fields
                    .iter()
                    .find(|(f, _)| *f == k)
                    .map(|(_, v)| v.as_str())
            });
            assert_eq!(back, Ok(record.clone()), "{case:?}");
            assert_eq!(record.ttl, 14400);
        }
    }

    #[test]
    fn bad_fields_get_whm_reasons() {
        let reason = |pairs: &[(&str, &str)]| build(pairs).expect_err("refused").to_string();
        assert_eq!(
            reason(&[("type", "A"), ("address", "300.1.1.1")]),
            "Supplied address for A record is invalid"
        );
        assert_eq!(
            reason(&[("type", "CNAME"), ("name", "x"), ("cname", "nodots")]),
            "CNAMEs must point a FQDN (Fully Qualified Domain Name)."
        );
        assert_eq!(
            reason(&[
                ("type", "MX"),
                ("exchange", "192.0.2.1"),
                ("preference", "1")
            ]),
            "IP addresses are not allowable exchange values."
        );
        assert_eq!(
            reason(&[
                ("type", "MX"),
                ("exchange", "m.example.com"),
                ("preference", "70000")
            ]),
            "Supplied preference for MX record is out of range."
        );
        assert_eq!(
            reason(&[("type", "TXT"), ("txtdata", "")]),
            "No value supplied for TXT record."
        );
        assert_eq!(
            reason(&[("type", "TXT"), ("txtdata", "a\nb")]),
            "TXT records may not contain line breaks or other control characters."
        );
        assert_eq!(
            reason(&[("type", "TXT"), ("txtdata", &"x".repeat(70_000))]),
            "Records may not exceed 65535 bytes"
        );
        assert_eq!(
            reason(&[("type", "HINFO")]),
            "The record type “HINFO” is not supported."
        );
        assert_eq!(
            reason(&[("type", "SOA")]),
            "The record type “SOA” is not supported."
        );
        assert_eq!(reason(&[]), "You must specify a record type.");
        assert_eq!(
            reason(&[("type", "A"), ("class", "CH"), ("address", "192.0.2.1")]),
            "Only records of class “IN” are supported."
        );
        assert_eq!(
            reason(&[("type", "A"), ("ttl", "-1"), ("address", "192.0.2.1")]),
            "The TTL “-1” is not a number of seconds between 0 and 2147483647."
        );
        assert_eq!(
            reason(&[("type", "A"), ("name", "_x"), ("address", "192.0.2.1")]),
            "“_x” is not a valid domain name."
        );
        assert_eq!(
            reason(&[
                ("type", "A"),
                ("name", "x.other.net."),
                ("address", "192.0.2.1")
            ]),
            "The name “x.other.net.” is not within the zone “example.com”."
        );
        assert_eq!(
            reason(&[
                ("type", "CAA"),
                ("flag", "0"),
                ("tag", "is\"sue"),
                ("value", "x")
            ]),
            "The CAA tag “is\"sue” is not valid."
        );
    }

    #[test]
    fn long_txt_is_split_at_255_bytes_on_character_boundaries() {
        let chunks = txt_chunks(&"é".repeat(200)).expect("fits");
        assert!(chunks.iter().all(|c| c.len() <= MAX_CHUNK));
        assert_eq!(chunks.concat(), "é".repeat(200));
        assert_eq!(txt_chunks(&"a".repeat(600)).expect("fits").len(), 3);
    }

    #[test]
    fn ttls_take_bind_units() {
        assert_eq!(ttl("3600"), Some(3600));
        assert_eq!(ttl("1h30m"), Some(5400));
        assert_eq!(ttl("1W"), Some(604_800));
        for bad in ["", "h", "1x", "-1", "99999999999", "4294967295"] {
            assert_eq!(ttl(bad), None, "{bad}");
        }
    }
}
