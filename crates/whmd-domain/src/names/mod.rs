//! Name rules shared by authentication and the functions.

pub mod catalog;
pub mod domain;
pub mod username;

/// Whether `name` can be a system user name at all: what an `Authorization` header may name
/// before any lookup happens (PROTOCOL.md §2.1).
pub fn is_system_username(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 32
        && (bytes[0].is_ascii_lowercase() || bytes[0] == b'_')
        && bytes.iter().all(|b| {
            b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'_' | b'.' | b'-')
        })
}

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
}
