//! Names of packages, feature lists and ACL lists.
//!
//! cPanel keeps each of these as a file named after it, so its rules keep a name a safe file
//! name: no `/`, no NUL or line breaks, not `.` or `..`. whmd adds what a name shown in HTML and
//! written to logs must not hold (`<`, `>`, `&`, quotes, other control characters) and a length
//! bound, and refuses such names rather than encoding them.

/// The longest name whmd accepts.
pub const MAX_LEN: usize = 128;

/// What kind of object a name is for; packages reserve a few names of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Catalog {
    Package,
    FeatureList,
    AclList,
}

/// Why a name was refused, for the caller's reason text.
pub fn check(kind: Catalog, name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name.len() > MAX_LEN {
        return Err("it is too long");
    }
    if name.trim() != name {
        return Err("it begins or ends with a space");
    }
    if name
        .chars()
        .any(|c| c.is_control() || matches!(c, '/' | '\\' | '<' | '>' | '&' | '"' | '\'' | '`'))
    {
        return Err("it contains a character that is not allowed");
    }
    if name.contains("..") || name == "." {
        return Err("it contains “..”");
    }
    if kind == Catalog::Package && (name == "extensions" || name.ends_with(".cache")) {
        return Err("that name is reserved");
    }
    if kind == Catalog::AclList && name.contains(['(', ')']) {
        return Err("it contains a character that is not allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_names() {
        for name in ["gold", "Mail Only", "bob_gold-2", "a.b", "ünïcode"] {
            assert_eq!(check(Catalog::Package, name), Ok(()), "{name}");
            assert_eq!(check(Catalog::FeatureList, name), Ok(()), "{name}");
        }
    }

    #[test]
    fn bad_names() {
        let long = "x".repeat(MAX_LEN + 1);
        for name in [
            "",
            " x",
            "x ",
            "a/b",
            "..",
            ".",
            "a..b",
            "a\0b",
            "a\nb",
            "a\rb",
            "<b>",
            "a&b",
            "a\"b",
            "a'b",
            "a\\b",
            long.as_str(),
        ] {
            assert!(check(Catalog::Package, name).is_err(), "{name:?}");
            assert!(check(Catalog::FeatureList, name).is_err(), "{name:?}");
            assert!(check(Catalog::AclList, name).is_err(), "{name:?}");
        }
        assert!(check(Catalog::Package, "extensions").is_err());
        assert!(check(Catalog::Package, "x.cache").is_err());
        assert!(check(Catalog::FeatureList, "extensions").is_ok());
        assert!(check(Catalog::AclList, "a(b)").is_err());
    }
}
