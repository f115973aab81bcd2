//! A zone as an ordered list of entries, numbered by the lines of the file whmd renders for
//! it, which is how WHM's functions name records (`Line`). Every zone this type holds is one
//! BIND will load: [`Zone::new`] refuses anything else.

use crate::name;
use crate::record::{RData, Record, Soa};
use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

/// The most entries a zone may have; a zone file of this size is already unusual.
pub const MAX_ENTRIES: usize = 20_000;

/// One line (or, for the SOA, several) of the zone file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A comment (starting with `;`) or an empty line, kept as written.
    Comment(String),
    /// A `$TTL` directive.
    Ttl(u32),
    Record(Record),
}

impl Entry {
    /// How many lines the entry takes in the rendered file.
    pub fn lines(&self) -> usize {
        match self {
            Entry::Record(Record {
                data: RData::Soa(_),
                ..
            }) => SOA_LINES,
            _ => 1,
        }
    }
}

/// The SOA is written over seven lines, as WHM writes it (dumpzone's `Lines: 7`).
pub const SOA_LINES: usize = 7;

/// Why a zone, or a change to one, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ZoneError {
    #[error("The zone “{0}” must begin with its one SOA record.")]
    Soa(String),
    #[error("You cannot remove the SOA record.")]
    RemoveSoa,
    #[error("The zone “{0}” must keep at least one NS record at its apex.")]
    NoNs(String),
    #[error("A CNAME record cannot share the name “{0}.” with other records.")]
    CnameConflict(String),
    #[error("The nameserver “{0}.” lies within the zone and needs an A or AAAA record there.")]
    NsWithoutAddress(String),
    #[error("A comment line must be empty or begin with “;”.")]
    Comment,
    #[error("The zone has more than {MAX_ENTRIES} lines.")]
    TooBig,
    #[error("Unable to find a record on specified line: {0}")]
    NoLine(usize),
    #[error("The name “{0}.” is too long for the renamed zone.")]
    RenamedTooLong(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    origin: String,
    entries: Vec<Entry>,
}

impl Zone {
    /// A zone of these entries, if BIND would load it: one SOA at the apex before any other
    /// record, at least one NS there, no CNAME beside other data, and an address for every
    /// nameserver inside the zone. Names are already checked by the records' own rules.
    pub fn new(origin: &str, entries: Vec<Entry>) -> Result<Zone, ZoneError> {
        let zone = Zone {
            origin: origin.to_owned(),
            entries,
        };
        zone.check()?;
        Ok(zone)
    }

    pub fn origin(&self) -> &str {
        &self.origin
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Each entry with the line it starts on, counting from 1.
    pub fn numbered(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.entries.iter().scan(1, |line, entry| {
            let at = *line;
            *line += entry.lines();
            Some((at, entry))
        })
    }

    /// The record that starts on `line`.
    pub fn record_at(&self, line: usize) -> Option<&Record> {
        self.numbered().find_map(|(at, entry)| match entry {
            Entry::Record(record) if at == line => Some(record),
            _ => None,
        })
    }

    pub fn records(&self) -> impl Iterator<Item = &Record> {
        self.entries.iter().filter_map(|entry| match entry {
            Entry::Record(record) => Some(record),
            _ => None,
        })
    }

    pub fn soa(&self) -> &Soa {
        self.records()
            .find_map(|record| match &record.data {
                RData::Soa(soa) => Some(soa),
                _ => None,
            })
            .expect("a checked zone has an SOA")
    }

    /// The TTL of records that name none: the first `$TTL`, else the SOA's minimum.
    pub fn default_ttl(&self) -> u32 {
        self.entries
            .iter()
            .find_map(|entry| match entry {
                Entry::Ttl(ttl) => Some(*ttl),
                _ => None,
            })
            .unwrap_or_else(|| self.soa().minimum)
    }

    /// Appends a record.
    pub fn add(&self, record: Record) -> Result<Zone, ZoneError> {
        let mut entries = self.entries.clone();
        entries.push(Entry::Record(record));
        Zone::new(&self.origin, entries)
    }

    /// Replaces the record that starts on `line`.
    pub fn replace(&self, line: usize, record: Record) -> Result<Zone, ZoneError> {
        let index = self.index_at(line)?;
        let mut entries = self.entries.clone();
        entries[index] = Entry::Record(record);
        Zone::new(&self.origin, entries)
    }

    /// Removes the record that starts on `line`; never the SOA.
    pub fn remove(&self, line: usize) -> Result<Zone, ZoneError> {
        let index = self.index_at(line)?;
        if matches!(&self.entries[index], Entry::Record(r) if matches!(r.data, RData::Soa(_))) {
            return Err(ZoneError::RemoveSoa);
        }
        let mut entries = self.entries.clone();
        entries.remove(index);
        Zone::new(&self.origin, entries)
    }

    /// Replaces every MX record by `records`, which take the place of the first one removed
    /// (or go at the end when there was none).
    pub fn replace_mx(&self, records: Vec<Record>) -> Result<Zone, ZoneError> {
        let is_mx =
            |entry: &Entry| matches!(entry, Entry::Record(r) if matches!(r.data, RData::Mx { .. }));
        let at = self.entries.iter().position(is_mx);
        let mut entries: Vec<Entry> = self.entries.iter().filter(|e| !is_mx(e)).cloned().collect();
        let at = at.unwrap_or(entries.len());
        entries.splice(at..at, records.into_iter().map(Entry::Record));
        Zone::new(&self.origin, entries)
    }

    /// The same zone with the next serial number: today's `YYYYMMDD00` when that is later,
    /// else one more than the current serial.
    pub fn with_next_serial(&self, today: u32) -> Zone {
        let mut zone = self.clone();
        for entry in &mut zone.entries {
            if let Entry::Record(Record {
                data: RData::Soa(soa),
                ..
            }) = entry
            {
                soa.serial = next_serial(soa.serial, today);
            }
        }
        zone
    }

    /// The zone moved to `origin`: every name in or below the old origin, owners and the
    /// names records point at alike, moves with it. Comments stay as written.
    pub fn renamed(&self, origin: &str) -> Result<Zone, ZoneError> {
        let old = self.origin.as_str();
        let moved = |name: &str| -> Result<String, ZoneError> {
            if !name::within(name, old) {
                return Ok(name.to_owned());
            }
            let head = &name[..name.len() - old.len()];
            let renamed = format!("{head}{origin}");
            if name::valid(&renamed, name::Rule::Service) {
                Ok(renamed)
            } else {
                Err(ZoneError::RenamedTooLong(renamed))
            }
        };
        let mut entries = Vec::with_capacity(self.entries.len());
        for entry in &self.entries {
            let Entry::Record(record) = entry else {
                entries.push(entry.clone());
                continue;
            };
            let data = match &record.data {
                RData::Soa(soa) => RData::Soa(Soa {
                    mname: moved(&soa.mname)?,
                    rname: moved(&soa.rname)?,
                    ..soa.clone()
                }),
                RData::Ns(t) => RData::Ns(moved(t)?),
                RData::Cname(t) => RData::Cname(moved(t)?),
                RData::Ptr(t) => RData::Ptr(moved(t)?),
                RData::Mx {
                    preference,
                    exchange,
                } => RData::Mx {
                    preference: *preference,
                    exchange: moved(exchange)?,
                },
                RData::Srv {
                    priority,
                    weight,
                    port,
                    target,
                } => RData::Srv {
                    priority: *priority,
                    weight: *weight,
                    port: *port,
                    target: moved(target)?,
                },
                other => other.clone(),
            };
            entries.push(Entry::Record(Record {
                name: moved(&record.name)?,
                ttl: record.ttl,
                data,
            }));
        }
        Zone::new(origin, entries)
    }

    /// The zone with every A record that points at `old` pointing at `new` (an account moved
    /// to another address); `None` when none did.
    pub fn readdressed(&self, old: Ipv4Addr, new: Ipv4Addr) -> Option<Zone> {
        let mut changed = false;
        let entries = self
            .entries
            .iter()
            .map(|entry| match entry {
                Entry::Record(r) if r.data == RData::A(old) => {
                    changed = true;
                    Entry::Record(Record {
                        data: RData::A(new),
                        ..r.clone()
                    })
                }
                other => other.clone(),
            })
            .collect();
        changed.then(|| Zone {
            origin: self.origin.clone(),
            entries,
        })
    }

    fn index_at(&self, line: usize) -> Result<usize, ZoneError> {
        let mut at = 1;
        for (index, entry) in self.entries.iter().enumerate() {
            if at == line && matches!(entry, Entry::Record(_)) {
                return Ok(index);
            }
            at += entry.lines();
        }
        Err(ZoneError::NoLine(line))
    }

    fn check(&self) -> Result<(), ZoneError> {
        if self.entries.len() > MAX_ENTRIES {
            return Err(ZoneError::TooBig);
        }
        for entry in &self.entries {
            if let Entry::Comment(text) = entry {
                let shaped = text.is_empty() || text.starts_with(';');
                if !shaped || text.contains(['\n', '\r']) {
                    return Err(ZoneError::Comment);
                }
            }
        }
        let mut records = self.records();
        let first_is_apex_soa = records
            .next()
            .is_some_and(|r| matches!(r.data, RData::Soa(_)) && r.name == self.origin);
        if !first_is_apex_soa || records.any(|r| matches!(r.data, RData::Soa(_))) {
            return Err(ZoneError::Soa(self.origin.clone()));
        }
        let mut kinds: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut cnames: BTreeMap<&str, usize> = BTreeMap::new();
        for record in self.records() {
            kinds
                .entry(&record.name)
                .or_default()
                .insert(record.data.kind());
            if matches!(record.data, RData::Cname(_)) {
                *cnames.entry(&record.name).or_default() += 1;
            }
        }
        for (name, count) in &cnames {
            if *count > 1 || kinds.get(name).is_some_and(|k| k.len() > 1) {
                return Err(ZoneError::CnameConflict((*name).to_owned()));
            }
        }
        if !kinds
            .get(self.origin.as_str())
            .is_some_and(|k| k.contains("NS"))
        {
            return Err(ZoneError::NoNs(self.origin.clone()));
        }
        for record in self.records() {
            if let RData::Ns(target) = &record.data
                && name::within(target, &self.origin)
                && !kinds
                    .get(target.as_str())
                    .is_some_and(|k| k.contains("A") || k.contains("AAAA"))
            {
                return Err(ZoneError::NsWithoutAddress(target.clone()));
            }
        }
        Ok(())
    }
}

/// Today's `YYYYMMDD00` when that is later than `old`, else `old + 1` (skipping 0, which
/// some secondaries treat as unset).
pub fn next_serial(old: u32, today: u32) -> u32 {
    let base = today.saturating_mul(100);
    if base > old {
        base
    } else {
        old.wrapping_add(1).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::{Template, TemplateInput};

    fn zone() -> Zone {
        Template::Standard
            .zone(&TemplateInput {
                domain: "example.com",
                ipv4: "192.0.2.10".parse().expect("ip"),
                ipv6: None,
                nameservers: &["ns1.example.net".to_owned(), "ns2.example.net".to_owned()],
                rname: "hostmaster.example.com",
                serial: 2026120300,
                header: "; test zone",
            })
            .expect("template")
    }

    fn record(name: &str, data: RData) -> Record {
        Record {
            name: name.to_owned(),
            ttl: 300,
            data,
        }
    }

    #[test]
    fn lines_count_the_soa_as_seven() {
        let zone = zone();
        let soa_line = zone
            .numbered()
            .find(|(_, e)| matches!(e, Entry::Record(r) if matches!(r.data, RData::Soa(_))))
            .map(|(line, _)| line)
            .expect("soa");
        let next = zone
            .numbered()
            .find(|(line, _)| *line > soa_line)
            .expect("after");
        assert_eq!(next.0, soa_line + 7);
        assert_eq!(zone.record_at(soa_line + 1), None);
    }

    #[test]
    fn the_soa_stays_and_stays_first() {
        let zone = zone();
        let soa_line = zone
            .numbered()
            .find(|(_, e)| matches!(e, Entry::Record(_)))
            .expect("r")
            .0;
        assert_eq!(zone.remove(soa_line), Err(ZoneError::RemoveSoa));
        let second = record("example.com", RData::Soa(zone.soa().clone()));
        assert_eq!(zone.add(second), Err(ZoneError::Soa("example.com".into())));
        assert_eq!(zone.remove(9999), Err(ZoneError::NoLine(9999)));
    }

    #[test]
    fn readdressing_moves_only_the_old_address() {
        let zone = zone();
        let old: Ipv4Addr = "192.0.2.10".parse().expect("ip");
        let new: Ipv4Addr = "198.51.100.7".parse().expect("ip");
        let moved = zone
            .readdressed(old, new)
            .expect("some A record pointed at it");
        assert!(moved.records().all(|r| r.data != RData::A(old)));
        assert!(moved.records().any(|r| r.data == RData::A(new)));
        assert_eq!(
            moved.records().count(),
            zone.records().count(),
            "nothing else changes"
        );
        assert!(zone.readdressed(new, old).is_none());
    }

    #[test]
    fn cname_stands_alone() {
        let zone = zone();
        let beside = record(
            "www.example.com",
            RData::A("192.0.2.1".parse().expect("ip")),
        );
        assert_eq!(
            zone.add(beside),
            Err(ZoneError::CnameConflict("www.example.com".into()))
        );
        let apex = record("example.com", RData::Cname("other.example.net".into()));
        assert!(matches!(zone.add(apex), Err(ZoneError::CnameConflict(_))));
        let fresh = record("new.example.com", RData::Cname("other.example.net".into()));
        assert!(zone.add(fresh).is_ok());
    }

    #[test]
    fn nameservers_stay_loadable() {
        let zone = zone();
        let inside = record("example.com", RData::Ns("ns3.example.com".into()));
        assert_eq!(
            zone.add(inside.clone()),
            Err(ZoneError::NsWithoutAddress("ns3.example.com".into()))
        );
        let glue = record(
            "ns3.example.com",
            RData::A("192.0.2.3".parse().expect("ip")),
        );
        assert!(zone.add(glue).and_then(|z| z.add(inside)).is_ok());

        let mut zone = zone;
        loop {
            let line = zone
                .numbered()
                .find(|(_, e)| matches!(e, Entry::Record(r) if matches!(r.data, RData::Ns(_))))
                .map(|(line, _)| line)
                .expect("an NS record is left");
            match zone.remove(line) {
                Ok(next) => zone = next,
                Err(e) => {
                    assert_eq!(e, ZoneError::NoNs("example.com".into()));
                    return;
                }
            }
        }
    }

    #[test]
    fn renaming_moves_names_inside_the_zone_only() {
        let zone = zone()
            .add(record(
                "_sip._tcp.example.com",
                RData::Srv {
                    priority: 1,
                    weight: 1,
                    port: 5060,
                    target: "sip.example.com".into(),
                },
            ))
            .expect("srv");
        let renamed = zone.renamed("example.org").expect("renamed");
        assert_eq!(renamed.origin(), "example.org");
        assert_eq!(renamed.soa().rname, "hostmaster.example.org");
        assert_eq!(renamed.soa().mname, "ns1.example.net", "outside names stay");
        let names: Vec<&str> = renamed.records().map(|r| r.name.as_str()).collect();
        assert!(
            names.iter().all(|n| n.ends_with("example.org")),
            "{names:?}"
        );
        assert!(renamed.records().any(|r| r.data
            == RData::Srv {
                priority: 1,
                weight: 1,
                port: 5060,
                target: "sip.example.org".into(),
            }));
        let long = format!("{}.com", "a".repeat(63));
        let long = format!(
            "{}.{}.{}.{long}",
            "b".repeat(63),
            "c".repeat(63),
            "d".repeat(50)
        );
        assert!(matches!(
            zone.renamed(&long),
            Err(ZoneError::RenamedTooLong(_))
        ));
    }

    #[test]
    fn serials_follow_the_date_then_count() {
        assert_eq!(next_serial(5, 20261203), 2026120300);
        assert_eq!(next_serial(2026120300, 20261203), 2026120301);
        assert_eq!(next_serial(2026120399, 20261203), 2026120400);
        assert_eq!(next_serial(u32::MAX, 20261203), 1);
        let zone = zone();
        assert_eq!(zone.with_next_serial(20261203).soa().serial, 2026120301);
    }
}
