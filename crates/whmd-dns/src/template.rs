//! The zone templates adddns and createacct build new zones from: the
//! standard one, a simple one, and one with a separate FTP address record.

use crate::name;
use crate::record::{RData, Record, Soa};
use crate::zone::{Entry, Zone, ZoneError};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The `$TTL` of new zones, and the TTL of their ordinary records.
pub const DEFAULT_TTL: u32 = 14_400;
/// The TTL of the SOA and NS records of new zones.
pub const NS_TTL: u32 = 86_400;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Template {
    /// SOA, NS, the domain's addresses, `MX 0` to the domain, and `mail`, `www` and `ftp`
    /// as CNAMEs of the domain.
    Standard,
    /// SOA, NS, the domain's addresses and `www` as a CNAME of the domain: no mail.
    Simple,
    /// As `Standard`, with `ftp` as an address record of its own.
    StandardVirtualFtp,
}

impl Template {
    pub fn from_name(name: &str) -> Option<Template> {
        match name {
            "standard" => Some(Template::Standard),
            "simple" => Some(Template::Simple),
            "standardvirtualftp" => Some(Template::StandardVirtualFtp),
            _ => None,
        }
    }
}

/// What a template fills in.
#[derive(Debug, Clone)]
pub struct TemplateInput<'a> {
    pub domain: &'a str,
    pub ipv4: Ipv4Addr,
    pub ipv6: Option<Ipv6Addr>,
    /// At least one; the first is the SOA's primary.
    pub nameservers: &'a [String],
    /// The SOA's mailbox, as a name (`hostmaster.example.com`).
    pub rname: &'a str,
    pub serial: u32,
    /// The first line: a comment saying what wrote the zone.
    pub header: &'a str,
}

impl Template {
    /// The new zone. A nameserver inside the zone itself gets an address record with the
    /// domain's address, so that BIND can load the zone (it needs glue for it).
    pub fn zone(self, input: &TemplateInput<'_>) -> Result<Zone, ZoneError> {
        let domain = input.domain;
        let record = |owner: &str, ttl: u32, data: RData| {
            Entry::Record(Record {
                name: owner.to_owned(),
                ttl,
                data,
            })
        };
        let sub = |label: &str| format!("{label}.{domain}");
        let mut entries = vec![
            Entry::Comment(input.header.to_owned()),
            Entry::Comment(format!("; Zone file for {domain}")),
            Entry::Ttl(DEFAULT_TTL),
            record(
                domain,
                NS_TTL,
                RData::Soa(Soa {
                    mname: input.nameservers.first().cloned().unwrap_or_default(),
                    rname: input.rname.to_owned(),
                    serial: input.serial,
                    refresh: 3_600,
                    retry: 1_800,
                    expire: 1_209_600,
                    minimum: 86_400,
                }),
            ),
            Entry::Comment(String::new()),
        ];
        for ns in input.nameservers {
            entries.push(record(domain, NS_TTL, RData::Ns(ns.clone())));
        }
        entries.push(Entry::Comment(String::new()));
        for ns in input.nameservers {
            if name::within(ns, domain) && ns != domain {
                entries.push(record(ns, DEFAULT_TTL, RData::A(input.ipv4)));
            }
        }
        entries.push(record(domain, DEFAULT_TTL, RData::A(input.ipv4)));
        if let Some(ipv6) = input.ipv6 {
            entries.push(record(domain, DEFAULT_TTL, RData::Aaaa(ipv6)));
        }
        let cname = |label: &str| record(&sub(label), DEFAULT_TTL, RData::Cname(domain.to_owned()));
        match self {
            Template::Simple => entries.push(cname("www")),
            Template::Standard | Template::StandardVirtualFtp => {
                entries.push(Entry::Comment(String::new()));
                entries.push(record(
                    domain,
                    DEFAULT_TTL,
                    RData::Mx {
                        preference: 0,
                        exchange: domain.to_owned(),
                    },
                ));
                entries.push(Entry::Comment(String::new()));
                entries.push(cname("mail"));
                entries.push(cname("www"));
                entries.push(if self == Template::Standard {
                    cname("ftp")
                } else {
                    record(&sub("ftp"), DEFAULT_TTL, RData::A(input.ipv4))
                });
            }
        }
        Zone::new(domain, entries)
    }
}
