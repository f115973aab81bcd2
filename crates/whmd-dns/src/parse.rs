//! Reads a BIND zone file (RFC 1035 §5): comments and blank lines, `$TTL`, `$ORIGIN`,
//! parentheses over several lines, quoted strings with escapes, relative names, omitted
//! owners and TTLs. It reads back every file [`crate::render`] writes, and imports the zones
//! other tools wrote as long as they hold only the types whmd keeps. `$INCLUDE` and
//! `$GENERATE` are refused: a zone is one self-contained file.

use crate::name::{self, Rule};
use crate::record::{self, MAX_CHUNK, RData, Record, RecordError, Soa};
use crate::zone::{Entry, Zone, ZoneError};
use std::collections::HashMap;

/// Why a zone file could not be read, and on which line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseError {
    #[error("Line {line}: {message}")]
    Line { line: usize, message: String },
    #[error(transparent)]
    Zone(#[from] ZoneError),
}

/// Parses the zone file of `origin` (absolute, lowercase, without the trailing dot).
pub fn parse(origin: &str, text: &str) -> Result<Zone, ParseError> {
    let mut reader = Reader {
        zone: origin.to_owned(),
        origin: origin.to_owned(),
        owner: None,
        ttl: None,
        last_ttl: None,
    };
    let mut entries = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((index, line)) = lines.next() {
        let number = index + 1;
        let fail = |message: String| ParseError::Line {
            line: number,
            message,
        };
        let mut tokens = Vec::new();
        let mut depth = 0;
        lex(line, &mut tokens, &mut depth).map_err(fail)?;
        if tokens.is_empty() && depth == 0 {
            entries.push(Entry::Comment(line.trim().to_owned()));
            continue;
        }
        while depth > 0 {
            let (_, more) = lines
                .next()
                .ok_or_else(|| fail("A parenthesis is never closed.".to_owned()))?;
            lex(more, &mut tokens, &mut depth).map_err(fail)?;
        }
        let indented = line.starts_with([' ', '\t']);
        if let Some(entry) = reader.entry(indented, &tokens).map_err(fail)? {
            entries.push(entry);
        }
    }
    Ok(Zone::new(origin, entries)?)
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Token {
    text: String,
    quoted: bool,
}

/// Splits one physical line into tokens, tracking parentheses across lines.
fn lex(line: &str, tokens: &mut Vec<Token>, depth: &mut u32) -> Result<(), String> {
    let bytes = line.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b' ' | b'\t' | b'\r' => i += 1,
            b';' => break,
            b'(' => {
                *depth += 1;
                i += 1;
            }
            b')' => {
                *depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| "A parenthesis closes that was never opened.".to_owned())?;
                i += 1;
            }
            b'"' => {
                let (text, end) = word(bytes, i + 1, true)?;
                tokens.push(Token { text, quoted: true });
                i = end;
            }
            _ => {
                let (text, end) = word(bytes, i, false)?;
                tokens.push(Token {
                    text,
                    quoted: false,
                });
                i = end;
            }
        }
    }
    Ok(())
}

/// Reads a word or the inside of a quoted string from `start`, decoding `\X` and `\DDD`;
/// returns it and where reading stopped (after the closing quote).
fn word(bytes: &[u8], start: usize, quoted: bool) -> Result<(String, usize), String> {
    let mut out = Vec::new();
    let mut i = start;
    loop {
        let Some(&byte) = bytes.get(i) else {
            if quoted {
                return Err("A quoted string does not end on its line.".to_owned());
            }
            break;
        };
        match byte {
            b'"' if quoted => {
                i += 1;
                break;
            }
            b' ' | b'\t' | b'\r' | b';' | b'(' | b')' | b'"' if !quoted => break,
            b'\\' => {
                let digits = bytes
                    .get(i + 1..i + 4)
                    .filter(|d| d.iter().all(u8::is_ascii_digit));
                if let Some(digits) = digits {
                    let value = digits
                        .iter()
                        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
                    out.push(u8::try_from(value).map_err(|_| "An escape is above \\255.")?);
                    i += 4;
                } else {
                    out.push(*bytes.get(i + 1).ok_or("A line ends in a backslash.")?);
                    i += 2;
                }
            }
            _ => {
                out.push(byte);
                i += 1;
            }
        }
    }
    let text = String::from_utf8(out).map_err(|_| "The text is not UTF-8.".to_owned())?;
    Ok((text, i))
}

/// What the file has said so far that later lines rely on.
struct Reader {
    /// The zone's name; every owner must lie within it.
    zone: String,
    /// The current `$ORIGIN`, against which relative names resolve.
    origin: String,
    owner: Option<String>,
    /// The last `$TTL`.
    ttl: Option<u32>,
    /// The last record's TTL, the default before any `$TTL` (RFC 1035 §5.1).
    last_ttl: Option<u32>,
}

impl Reader {
    fn entry(&mut self, indented: bool, tokens: &[Token]) -> Result<Option<Entry>, String> {
        let first = &tokens[0];
        if !indented && !first.quoted && first.text.starts_with('$') {
            return self.directive(tokens);
        }
        let mut rest = tokens;
        let owner = if indented {
            self.owner
                .clone()
                .ok_or("The first record has no owner name.")?
        } else {
            rest = &tokens[1..];
            self.absolute(&first.text)
        };
        let mut ttl = None;
        for _ in 0..2 {
            match rest.first() {
                Some(t) if !t.quoted && t.text.starts_with(|c: char| c.is_ascii_digit()) => {
                    ttl = Some(
                        record::ttl(&t.text)
                            .ok_or_else(|| format!("“{}” is not a valid TTL.", t.text))?,
                    );
                    rest = &rest[1..];
                }
                Some(t) if !t.quoted && t.text.eq_ignore_ascii_case("IN") => rest = &rest[1..],
                Some(t)
                    if !t.quoted
                        && ["CH", "HS", "CS", "ANY"].contains(&&*t.text.to_ascii_uppercase()) =>
                {
                    return Err(RecordError::Class.to_string());
                }
                _ => break,
            }
        }
        let (kind, data) = rest.split_first().ok_or("A record has no type.")?;
        let kind = kind.text.to_ascii_uppercase();
        let ttl = ttl
            .or(self.ttl)
            .or(self.last_ttl)
            .ok_or("A record has no TTL and no $TTL is in force.")?;
        let record = self.record(&owner, ttl, &kind, data)?;
        self.owner = Some(owner);
        self.last_ttl = Some(ttl);
        Ok(Some(Entry::Record(record)))
    }

    fn directive(&mut self, tokens: &[Token]) -> Result<Option<Entry>, String> {
        let name = tokens[0].text.to_ascii_uppercase();
        if name != "$TTL" && name != "$ORIGIN" {
            return Err(format!("The directive “{name}” is not supported."));
        }
        let argument = match tokens {
            [_, argument] => &argument.text,
            _ => return Err(format!("“{name}” takes one argument.")),
        };
        if name == "$TTL" {
            let ttl =
                record::ttl(argument).ok_or_else(|| format!("“{argument}” is not a valid TTL."))?;
            self.ttl = Some(ttl);
            return Ok(Some(Entry::Ttl(ttl)));
        }
        let origin = self.absolute(argument);
        if !name::valid(&origin, Rule::Service) {
            return Err(format!("“{argument}” is not a valid origin."));
        }
        self.origin = origin;
        Ok(None)
    }

    /// A name as written in the file, made absolute (without the trailing dot).
    fn absolute(&self, written: &str) -> String {
        let lower = written.to_ascii_lowercase();
        if lower == "@" {
            self.origin.clone()
        } else if let Some(absolute) = lower.strip_suffix('.') {
            absolute.to_owned()
        } else {
            format!("{lower}.{}", self.origin)
        }
    }

    fn record(&self, owner: &str, ttl: u32, kind: &str, data: &[Token]) -> Result<Record, String> {
        let count = |n: usize| {
            if data.len() == n {
                Ok(())
            } else {
                Err(format!(
                    "A {kind} record takes {n} values, not {}.",
                    data.len()
                ))
            }
        };
        let target = |token: &Token| format!("{}.", self.absolute(&token.text));
        let mut fields: HashMap<&str, String> = HashMap::new();
        match kind {
            "SOA" => {
                count(7)?;
                let number = |token: &Token| {
                    record::ttl(&token.text)
                        .ok_or_else(|| format!("“{}” is not a valid SOA value.", token.text))
                };
                let soa = Soa {
                    mname: name::target(&target(&data[0]), Rule::Host)
                        .map_err(|e| e.to_string())?,
                    rname: name::target(&target(&data[1]), Rule::Service)
                        .map_err(|e| e.to_string())?,
                    serial: data[2]
                        .text
                        .parse()
                        .map_err(|_| format!("“{}” is not a valid serial number.", data[2].text))?,
                    refresh: number(&data[3])?,
                    retry: number(&data[4])?,
                    expire: number(&data[5])?,
                    minimum: number(&data[6])?,
                };
                let name = name::owner(&format!("{owner}."), &self.zone, Rule::Host)
                    .map_err(|e| e.to_string())?;
                return Ok(Record {
                    name,
                    ttl,
                    data: RData::Soa(soa),
                });
            }
            "TXT" => {
                if data.is_empty() {
                    return Err(RecordError::NoTxt.to_string());
                }
                let mut chunks = Vec::with_capacity(data.len());
                for token in data {
                    if token.text.len() > MAX_CHUNK {
                        return Err(format!("A TXT string is longer than {MAX_CHUNK} bytes."));
                    }
                    if token.text.chars().any(char::is_control) {
                        return Err(RecordError::Control("TXT").to_string());
                    }
                    chunks.push(token.text.clone());
                }
                if chunks.iter().map(|c| c.len() + 1).sum::<usize>() > 65_535 {
                    return Err(RecordError::TooLong.to_string());
                }
                let name = name::owner(&format!("{owner}."), &self.zone, Rule::Service)
                    .map_err(|e| e.to_string())?;
                return Ok(Record {
                    name,
                    ttl,
                    data: RData::Txt(chunks),
                });
            }
            "A" | "AAAA" => {
                count(1)?;
                fields.insert("address", data[0].text.clone());
            }
            "NS" => {
                count(1)?;
                fields.insert("nsdname", target(&data[0]));
            }
            "CNAME" => {
                count(1)?;
                fields.insert("cname", target(&data[0]));
            }
            "PTR" => {
                count(1)?;
                fields.insert("ptrdname", target(&data[0]));
            }
            "MX" => {
                count(2)?;
                fields.insert("preference", data[0].text.clone());
                fields.insert("exchange", target(&data[1]));
            }
            "SRV" => {
                count(4)?;
                fields.insert("priority", data[0].text.clone());
                fields.insert("weight", data[1].text.clone());
                fields.insert("port", data[2].text.clone());
                let t = if data[3].text == "." {
                    ".".to_owned()
                } else {
                    target(&data[3])
                };
                fields.insert("target", t);
            }
            "CAA" => {
                count(3)?;
                fields.insert("flag", data[0].text.clone());
                fields.insert("tag", data[1].text.clone());
                fields.insert("value", data[2].text.clone());
            }
            _ => return Err(RecordError::UnsupportedType(kind.to_owned()).to_string()),
        }
        fields.insert("type", kind.to_owned());
        fields.insert("name", format!("{owner}."));
        fields.insert("ttl", ttl.to_string());
        Record::from_fields(&self.zone, ttl, |k| fields.get(k).map(String::as_str))
            .map_err(|e| e.to_string())
    }
}
