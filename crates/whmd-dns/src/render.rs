//! The zone file whmd writes for BIND: absolute names everywhere (no `$ORIGIN` to get
//! wrong), the SOA over seven lines as WHM writes it, and quoted strings escaped so that no
//! value can end its line or start a directive.

use crate::record::{RData, Record};
use crate::zone::{Entry, Zone};
use std::fmt::Write;

/// The zone as BIND reads it. Parsing the result gives the same zone back.
pub fn render(zone: &Zone) -> String {
    let mut out = String::new();
    for entry in zone.entries() {
        match entry {
            Entry::Comment(text) => out.push_str(text),
            Entry::Ttl(ttl) => {
                let _ = write!(out, "$TTL {ttl}");
            }
            Entry::Record(record) => record_text(&mut out, record),
        }
        out.push('\n');
    }
    out
}

fn record_text(out: &mut String, record: &Record) {
    let _ = write!(
        out,
        "{}.\t{}\tIN\t{}\t",
        record.name,
        record.ttl,
        record.data.kind()
    );
    let _ = match &record.data {
        RData::Soa(soa) => {
            const PAD: &str = "\t\t\t\t\t\t";
            write!(
                out,
                "{}.\t{}.\t(\n{PAD}{}\t;Serial Number\n{PAD}{}\t;refresh\n{PAD}{}\t;retry\n\
                 {PAD}{}\t;expire\n{PAD}{}\t;minimum\n{PAD})",
                soa.mname, soa.rname, soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum
            )
        }
        RData::Ns(target) | RData::Cname(target) | RData::Ptr(target) => write!(out, "{target}."),
        RData::A(ip) => write!(out, "{ip}"),
        RData::Aaaa(ip) => write!(out, "{ip}"),
        RData::Mx {
            preference,
            exchange,
        } => write!(out, "{preference}\t{exchange}."),
        RData::Txt(chunks) => {
            for (i, chunk) in chunks.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                quoted(out, chunk);
            }
            Ok(())
        }
        RData::Srv {
            priority,
            weight,
            port,
            target,
        } => {
            let dot = if target == "." { "" } else { "." };
            write!(out, "{priority}\t{weight}\t{port}\t{target}{dot}")
        }
        RData::Caa { flag, tag, value } => {
            let _ = write!(out, "{flag}\t{tag}\t");
            quoted(out, value);
            Ok(())
        }
    };
}

/// A character-string in quotes: `"` and `\` escaped, and every byte outside printable
/// ASCII as `\DDD`, so that the line stays one line of plain ASCII.
fn quoted(out: &mut String, text: &str) {
    out.push('"');
    for byte in text.bytes() {
        match byte {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(byte));
            }
            0x20..=0x7e => out.push(char::from(byte)),
            _ => {
                let _ = write!(out, "\\{byte:03}");
            }
        }
    }
    out.push('"');
}
