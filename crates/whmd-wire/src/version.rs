//! API version selection: `api.version=1` is WHM API 1, its absence API 0; any later integer is
//! API 1 too (docs/compatibility.md, "Requests").

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiVersion {
    V0,
    V1,
    /// Any other value. No function exists for it, so every call answers "Unknown app".
    Other(String),
}

impl ApiVersion {
    /// Reads the raw `api.version` value; absent or empty means API 0. WHM API 1 is the newest
    /// WHM API, so any integer from 1 up selects it: FOSSBilling asks for `api.version=2` and
    /// reads an API 1 reply.
    pub fn from_arg(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            None | Some("" | "0") => Self::V0,
            Some(v)
                if v.bytes().all(|b| b.is_ascii_digit())
                    && !v.trim_start_matches('0').is_empty() =>
            {
                Self::V1
            }
            Some(other) => Self::Other(other.to_owned()),
        }
    }

    /// Whether replies use the API 1 `{data, metadata}` envelope. Unknown versions answer in
    /// that envelope too, since only API 0 has per-function shapes.
    pub fn uses_metadata(&self) -> bool {
        !matches!(self, Self::V0)
    }

    /// The version as text: `0`, `1`, or the value given.
    pub fn as_str(&self) -> &str {
        match self {
            Self::V0 => "0",
            Self::V1 => "1",
            Self::Other(v) => v,
        }
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection() {
        assert_eq!(ApiVersion::from_arg(None), ApiVersion::V0);
        assert_eq!(ApiVersion::from_arg(Some("")), ApiVersion::V0);
        assert_eq!(ApiVersion::from_arg(Some("1")), ApiVersion::V1);
        for later in ["2", "3", "01", "12345678901234567890123"] {
            assert_eq!(ApiVersion::from_arg(Some(later)), ApiVersion::V1, "{later}");
        }
        for other in ["00", "-1", "1.5", "abc", "1a"] {
            assert_eq!(
                ApiVersion::from_arg(Some(other)),
                ApiVersion::Other(other.into())
            );
        }
        assert_eq!(ApiVersion::from_arg(Some("abc")).to_string(), "abc");
    }
}
