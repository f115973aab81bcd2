//! Reading arguments the way WHM functions do.

use whmd_wire::{Args, WhmError};

/// A required argument: absent is `Provide the “KEY” parameter.`, empty is `The value of “KEY”
/// may not be empty.`
pub fn required<'a>(args: &'a Args, key: &'static str) -> Result<&'a str, WhmError> {
    match args.get(key) {
        None => Err(WhmError::MissingParameter(key)),
        Some("") => Err(WhmError::EmptyParameter(key.into())),
        Some(v) => Ok(v),
    }
}

/// An optional argument, `None` when absent or empty.
pub fn optional<'a>(args: &'a Args, key: &str) -> Option<&'a str> {
    args.get(key).filter(|v| !v.is_empty())
}

/// A 0/1 flag with a default when absent or empty; other values follow Perl truthiness.
pub fn flag(args: &Args, key: &str, default: bool) -> bool {
    match args.get(key) {
        None | Some("") => default,
        Some(_) => args.is_true(key),
    }
}

/// A `y`/`n` style flag (`y`, `yes`, `1` are true), with a default when absent.
pub fn yes_no(args: &Args, key: &str, default: bool) -> bool {
    match optional(args, key) {
        None => default,
        Some(v) => v.starts_with(['y', 'Y']) || v == "1",
    }
}
