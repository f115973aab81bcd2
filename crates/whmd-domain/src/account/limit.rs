//! Limits as WHM writes them: a number or `unlimited`.

use std::fmt;

/// The largest count (addresses, databases, domains…) a limit takes, as WHM documents it.
pub const MAX_COUNT: u64 = 999_999;

/// The largest size in MB a disk, bandwidth or mailbox limit takes: 4 PiB. WHM's description
/// of addpkg gives 1048576 MB as bwlimit's default, FOSSBilling's stock plans send it for
/// quota too, and cPanel takes any number there; this bound only keeps byte counts (and a
/// reseller's totals of them) far inside 64 bits.
pub const MAX_SIZE_MB: u64 = 4_294_967_296;

/// Whether a limit argument (any case) is a size in MB rather than a count.
pub fn is_size(arg: &str) -> bool {
    ["quota", "bwlimit", "max_emailacct_quota"]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(arg))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    Unlimited,
    Value(u64),
}

impl Limit {
    /// Reads a limit argument: digits, or `unlimited`; with `zero_is_unlimited`, 0 too (as
    /// quota, bwlimit and most maxima take it). Commas are ignored, as WHM strips them.
    pub fn parse(raw: &str, zero_is_unlimited: bool) -> Option<Self> {
        let text: String = raw.trim().chars().filter(|c| *c != ',').collect();
        if text.eq_ignore_ascii_case("unlimited") || text.eq_ignore_ascii_case("null") {
            return Some(Self::Unlimited);
        }
        if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        match text.parse::<u64>().ok()? {
            0 if zero_is_unlimited => Some(Self::Unlimited),
            n => Some(Self::Value(n)),
        }
    }

    pub fn value(self) -> Option<u64> {
        match self {
            Self::Unlimited => None,
            Self::Value(n) => Some(n),
        }
    }
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unlimited => f.write_str("unlimited"),
            Self::Value(n) => write!(f, "{n}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(Limit::parse("unlimited", false), Some(Limit::Unlimited));
        assert_eq!(Limit::parse("UNLIMITED", false), Some(Limit::Unlimited));
        assert_eq!(Limit::parse("1,000", false), Some(Limit::Value(1000)));
        assert_eq!(Limit::parse("0", true), Some(Limit::Unlimited));
        assert_eq!(Limit::parse("0", false), Some(Limit::Value(0)));
        for bad in ["", "-1", "1.5", "ten", "99999999999999999999999"] {
            assert_eq!(Limit::parse(bad, true), None, "{bad}");
        }
        assert_eq!(Limit::Value(5).to_string(), "5");
    }
}
