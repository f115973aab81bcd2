//! What each destination type takes (`backup_destination_add`'s parameters,
//! <https://api.docs.cpanel.net/openapi/whm/operation/backup_destination_add/>), how given
//! values are checked and kept, and how a stored destination is shown. whmd copies backups to
//! `Local` and `SFTP` destinations; the other types cPanel knows are refused as not supported
//! yet.

use indexmap::IndexMap;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use whmd_domain::destination::Destination;

/// Every type cPanel knows.
pub const TYPES: &[&str] = &[
    "FTP",
    "SFTP",
    "Rsync",
    "Local",
    "AmazonS3",
    "S3Compatible",
    "Backblaze",
    "GoogleDrive",
    "WebDAV",
    "Custom",
];

/// The types whmd copies backups to.
pub const SUPPORTED: &[&str] = &["Local", "SFTP"];

/// The settings kept beside the stored ones that are not cPanel's: the SFTP server's trusted
/// host key.
pub const HOST_KEY: &str = "host_key";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    Text,
    /// An absolute path.
    Path,
    /// A host name or an IP address.
    Host,
    /// A name to log in with.
    Login,
    /// A whole number within bounds.
    Number(u32, u32),
    /// `1` or `0`.
    Flag,
    /// One of these words.
    Word(&'static [&'static str]),
    /// Kept only sealed, never shown.
    Secret,
}

/// A setting: its name, its form, its default (`None`: required, unless a rule below says
/// otherwise).
type Field = (&'static str, Form, Option<&'static str>);

const COMMON: &[Field] = &[
    ("disabled", Form::Flag, Some("0")),
    ("upload_system_backup", Form::Flag, Some("0")),
    ("only_used_for_logs", Form::Flag, Some("0")),
];

const LOCAL: &[Field] = &[
    ("path", Form::Path, None),
    ("mount", Form::Flag, Some("0")),
    ("no_mount_fail", Form::Flag, Some("0")),
];

const SFTP: &[Field] = &[
    ("host", Form::Host, None),
    ("port", Form::Number(1, 65535), Some("22")),
    ("path", Form::Text, Some("")),
    ("username", Form::Login, None),
    ("authtype", Form::Word(&["password", "key"]), None),
    ("password", Form::Secret, Some("")),
    ("privatekey", Form::Path, Some("")),
    ("passphrase", Form::Secret, Some("")),
    ("timeout", Form::Number(30, 300), Some("30")),
];

fn fields(kind: &str) -> &'static [Field] {
    match kind {
        "Local" => LOCAL,
        _ => SFTP,
    }
}

/// A destination's settings as given and checked: the plain ones and the secrets (not yet
/// sealed).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Checked {
    pub disabled: bool,
    pub settings: BTreeMap<String, String>,
    pub secrets: BTreeMap<String, String>,
}

/// Checks the settings of a destination of type `kind` (one of [`SUPPORTED`]): `given` lays
/// over `current` (a stored destination's settings and which secrets it has), defaults fill
/// the rest. The reason names every missing and every invalid parameter, in cPanel's words.
pub fn check(
    kind: &str,
    given: &IndexMap<String, String>,
    current: &BTreeMap<String, String>,
    current_secrets: &[&str],
) -> Result<Checked, String> {
    let mut checked = Checked::default();
    let (mut missing, mut invalid) = (Vec::new(), Vec::new());
    for &(name, form, default) in COMMON.iter().chain(fields(kind)) {
        let value = given
            .get(name)
            .map(|v| v.trim())
            .or(current.get(name).map(String::as_str))
            .or(default);
        let Some(value) = value else {
            missing.push(name);
            continue;
        };
        if form == Form::Secret {
            if let Some(v) = given.get(name).filter(|v| !v.is_empty()) {
                checked.secrets.insert(name.to_owned(), v.clone());
            }
            continue;
        }
        match normalise(form, value) {
            Some(v) if name == "disabled" => checked.disabled = v == "1",
            Some(v) => {
                checked.settings.insert(name.to_owned(), v);
            }
            None => invalid.push(name),
        }
    }
    if kind == "SFTP" {
        let has = |secret: &str| {
            checked.secrets.contains_key(secret)
                || (!given.contains_key(secret) && current_secrets.contains(&secret))
        };
        match checked.settings.get("authtype").map(String::as_str) {
            Some("password") if !has("password") => missing.push("password"),
            Some("key")
                if checked
                    .settings
                    .get("privatekey")
                    .is_none_or(String::is_empty) =>
            {
                missing.push("privatekey");
            }
            _ => {}
        }
    }
    if !missing.is_empty() {
        return Err(format!(
            "The following parameters were missing:  {}",
            missing.join(" ")
        ));
    }
    if !invalid.is_empty() {
        return Err(format!(
            "The following parameters were invalid:  {}",
            invalid.join(" ")
        ));
    }
    Ok(checked)
}

fn normalise(form: Form, value: &str) -> Option<String> {
    let printable = |v: &str| !v.chars().any(char::is_control);
    let ok = match form {
        Form::Text | Form::Secret => printable(value),
        Form::Path => value.is_empty() || (value.starts_with('/') && printable(value)),
        Form::Host => {
            value.parse::<std::net::IpAddr>().is_ok()
                || (!value.is_empty()
                    && value.len() <= 253
                    && value.split('.').all(|label| {
                        !label.is_empty()
                            && label.len() <= 63
                            && !label.starts_with('-')
                            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    }))
        }
        Form::Login => {
            !value.is_empty()
                && value.len() <= 256
                && !value.chars().any(|c| c.is_control() || c.is_whitespace())
        }
        Form::Number(low, high) => {
            return value
                .parse::<u32>()
                .ok()
                .filter(|n| (low..=high).contains(n))
                .map(|n| n.to_string());
        }
        Form::Flag => {
            return match value {
                "1" => Some("1".into()),
                "0" | "" => Some("0".into()),
                _ => None,
            };
        }
        Form::Word(words) => words.contains(&value),
    };
    ok.then(|| value.to_owned())
}

/// How a destination is shown: `list` shows cPanel's listing quirk (the flags `mount`,
/// `no_mount_fail` and `ssl` as `1` or an empty string).
pub fn show(destination: &Destination, list: bool) -> Map<String, Value> {
    let mut shown = Map::new();
    shown.insert("id".into(), destination.id.as_str().into());
    shown.insert("name".into(), destination.name.as_str().into());
    shown.insert("type".into(), destination.kind.as_str().into());
    shown.insert("disabled".into(), u8::from(destination.disabled).into());
    if !destination.disable_reason.is_empty() {
        shown.insert(
            "disable_reason".into(),
            destination.disable_reason.as_str().into(),
        );
    }
    let known = COMMON.iter().chain(fields(&destination.kind));
    for &(name, form, _) in known {
        let Some(value) = destination.settings.get(name) else {
            continue;
        };
        let value = match form {
            Form::Flag if list && matches!(name, "mount" | "no_mount_fail" | "ssl") => {
                Value::from(if value == "1" { "1" } else { "" })
            }
            Form::Flag | Form::Number(..) => value
                .parse::<u32>()
                .map_or_else(|_| Value::from(value.as_str()), Value::from),
            _ => Value::from(value.as_str()),
        };
        shown.insert(name.to_owned(), value);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn given(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn sftp_settings_are_checked_and_defaulted() {
        let checked = check(
            "SFTP",
            &given(&[
                ("host", "backups.example.com"),
                ("username", "keeper"),
                ("authtype", "password"),
                ("password", "s3cret"),
            ]),
            &BTreeMap::new(),
            &[],
        )
        .expect("valid");
        assert_eq!(checked.settings["port"], "22");
        assert_eq!(checked.settings["timeout"], "30");
        assert!(!checked.settings.contains_key("password"));
        assert_eq!(checked.secrets["password"], "s3cret");

        let missing = check(
            "SFTP",
            &given(&[("authtype", "key")]),
            &BTreeMap::new(),
            &[],
        )
        .expect_err("missing");
        assert_eq!(
            missing,
            "The following parameters were missing:  host username privatekey"
        );
        let invalid = check(
            "SFTP",
            &given(&[
                ("host", "bad host"),
                ("username", "u"),
                ("authtype", "telepathy"),
                ("port", "70000"),
                ("timeout", "5"),
                ("disabled", "2"),
            ]),
            &BTreeMap::new(),
            &[],
        )
        .expect_err("invalid");
        assert_eq!(
            invalid,
            "The following parameters were invalid:  disabled host port authtype timeout"
        );
    }

    #[test]
    fn a_change_keeps_what_it_does_not_name() {
        let first = check(
            "Local",
            &given(&[("path", "/backup2"), ("mount", "1")]),
            &BTreeMap::new(),
            &[],
        )
        .expect("valid");
        let next = check("Local", &given(&[("mount", "0")]), &first.settings, &[]).expect("valid");
        assert_eq!(next.settings["path"], "/backup2");
        assert_eq!(next.settings["mount"], "0");
        assert!(
            check(
                "Local",
                &given(&[("path", "relative")]),
                &BTreeMap::new(),
                &[]
            )
            .is_err()
        );
        // A stored password stands when a change does not give one.
        let sftp = [("host", "h"), ("username", "u"), ("authtype", "password")];
        let stored = check("SFTP", &given(&sftp), &BTreeMap::new(), &["password"])
            .expect("the stored password stands");
        assert!(stored.secrets.is_empty());
    }

    #[test]
    fn listings_show_cpanels_flag_quirk() {
        let destination = Destination {
            id: "x".into(),
            name: "n".into(),
            kind: "Local".into(),
            disabled: false,
            disable_reason: String::new(),
            settings: [("path", "/b"), ("mount", "0"), ("no_mount_fail", "1")]
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            sealed: BTreeMap::new(),
            revision: 0,
        };
        let listed = show(&destination, true);
        assert_eq!(listed["mount"], "");
        assert_eq!(listed["no_mount_fail"], "1");
        let got = show(&destination, false);
        assert_eq!(got["mount"], 0);
        assert_eq!(got["disabled"], 0);
    }
}
