//! API version selection: `api.version=1` is WHM API 1, its absence API 0 (PROTOCOL.md §1.2).

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiVersion {
    V0,
    V1,
    /// Any other value. No function exists for it, so every call answers "Unknown app".
    Other(String),
}

impl ApiVersion {
    /// Reads the raw `api.version` value; absent or empty means API 0.
    pub fn from_arg(value: Option<&str>) -> Self {
        match value.map(str::trim) {
            None | Some("" | "0") => Self::V0,
            Some("1") => Self::V1,
            Some(other) => Self::Other(other.to_owned()),
        }
    }

    /// Whether replies use the API 1 `{data, metadata}` envelope. Unknown versions answer in
    /// that envelope too, since only API 0 has per-function shapes.
    pub fn uses_metadata(&self) -> bool {
        !matches!(self, Self::V0)
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::V0 => f.write_str("0"),
            Self::V1 => f.write_str("1"),
            Self::Other(v) => f.write_str(v),
        }
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
        assert_eq!(
            ApiVersion::from_arg(Some("2")),
            ApiVersion::Other("2".into())
        );
        assert_eq!(ApiVersion::from_arg(Some("2")).to_string(), "2");
    }
}
