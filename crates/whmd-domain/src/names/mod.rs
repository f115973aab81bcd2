//! Name rules shared by authentication and the functions.

pub mod catalog;
pub mod domain;
pub mod username;

/// Whether `name` can be a system user name at all: what an `Authorization` header may name
/// before any lookup happens (docs/compatibility.md, "Authentication").
pub fn is_system_username(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 32
        && (bytes[0].is_ascii_lowercase() || bytes[0] == b'_')
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
}

/// Whether `value` can name a setting's choice (a theme, a locale): 1 to `max` letters,
/// digits, `_` and `-`.
pub fn is_setting_name(value: &str, max: usize) -> bool {
    !value.is_empty()
        && value.len() <= max
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The longest theme name.
pub const MAX_THEME_LEN: usize = 64;
/// The longest locale name.
pub const MAX_LOCALE_LEN: usize = 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_usernames() {
        for ok in ["root", "bob", "a1", "_x", "a.b-c_d"] {
            assert!(is_system_username(ok), "{ok}");
        }
        for bad in ["", "Root", "1a", "-a", "a b", "a:b", &"a".repeat(33), "ä"] {
            assert!(!is_system_username(bad), "{bad}");
        }
    }

    #[test]
    fn setting_names() {
        assert!(is_setting_name("jupiter", MAX_THEME_LEN));
        assert!(is_setting_name("pt_br", MAX_LOCALE_LEN));
        for bad in ["", "a b", "../x", "a/b", "<x>"] {
            assert!(!is_setting_name(bad, MAX_THEME_LEN), "{bad}");
        }
        assert!(!is_setting_name(&"a".repeat(17), MAX_LOCALE_LEN));
    }
}
