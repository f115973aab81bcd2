//! The cpuser settings createacct and modifyacct both take: limits, flags, theme, locale,
//! feature list and contact address, each validated the same way.

use super::super::featurelists;
use crate::registry::Call;
use schemars::JsonSchema;
use serde::Deserialize;
use std::collections::BTreeMap;
use whmd_domain::account::{Limit, MAX_COUNT, MAX_SIZE_MB, is_size};
use whmd_domain::names::{MAX_LOCALE_LEN, MAX_THEME_LEN, is_setting_name};
use whmd_wire::WhmError;
use whmd_wire::args::perl_true;

/// The settings createacct takes beside (and over) its package's. Read as part of
/// createacct's arguments (`#[serde(flatten)]`), so an empty value arrives as `Some("")`:
/// [`given`] reads it as absent.
#[derive(Debug, Deserialize, JsonSchema)]
pub struct SettingArgs {
    /// Disk quota in MB; 0 or `unlimited` for none.
    pub quota: Option<String>,
    /// Bandwidth a month in MB; 0 or `unlimited` for none.
    pub bwlimit: Option<String>,
    pub maxftp: Option<String>,
    pub maxsql: Option<String>,
    pub maxpop: Option<String>,
    pub maxlst: Option<String>,
    pub maxsub: Option<String>,
    pub maxpark: Option<String>,
    pub maxaddon: Option<String>,
    pub max_email_per_hour: Option<String>,
    pub max_defer_fail_percentage: Option<String>,
    /// MB.
    pub max_emailacct_quota: Option<String>,
    /// 0 to 7.
    pub max_team_users: Option<String>,
    /// 1 gives the account a shell (which a reseller needs `allow-shell` for).
    pub hasshell: Option<String>,
    /// 1 or 0.
    pub cgi: Option<String>,
    /// 1 or 0.
    pub dkim: Option<String>,
    /// 1 or 0.
    pub spf: Option<String>,
    /// The theme.
    pub cpmod: Option<String>,
    /// The locale.
    pub language: Option<String>,
    /// `local`, `secondary`, `remote` or `auto`.
    pub mxcheck: Option<String>,
    /// A feature list the caller may use.
    pub featurelist: Option<String>,
}

/// An optional argument read through a flattened struct: `None` when absent or empty.
pub fn given(value: &Option<String>) -> Option<&str> {
    value.as_deref().filter(|v| !v.is_empty())
}

impl SettingArgs {
    /// The first setting given that a package would otherwise decide (in WHM's order).
    pub fn first_custom(&self) -> Option<&'static str> {
        let custom: [(&'static str, &Option<String>); 16] = [
            ("quota", &self.quota),
            ("bwlimit", &self.bwlimit),
            ("maxftp", &self.maxftp),
            ("maxsql", &self.maxsql),
            ("maxpop", &self.maxpop),
            ("maxlst", &self.maxlst),
            ("maxsub", &self.maxsub),
            ("maxpark", &self.maxpark),
            ("maxaddon", &self.maxaddon),
            ("max_email_per_hour", &self.max_email_per_hour),
            ("max_defer_fail_percentage", &self.max_defer_fail_percentage),
            ("max_emailacct_quota", &self.max_emailacct_quota),
            ("max_team_users", &self.max_team_users),
            ("hasshell", &self.hasshell),
            ("cgi", &self.cgi),
            ("featurelist", &self.featurelist),
        ];
        custom
            .into_iter()
            .find(|(_, value)| given(value).is_some())
            .map(|(name, _)| name)
    }

    /// Whether a shell was asked for.
    pub fn shell(&self) -> Option<bool> {
        given(&self.hasshell).map(|v| perl_true(Some(v)))
    }
}

/// A limit argument, the cpuser key it sets, and whether 0 means unlimited.
struct LimitKey {
    arg: &'static str,
    key: &'static str,
    zero_is_unlimited: bool,
    value: fn(&SettingArgs) -> &Option<String>,
}

const LIMITS: &[LimitKey] = &[
    LimitKey {
        arg: "maxftp",
        key: "MAXFTP",
        zero_is_unlimited: true,
        value: |s| &s.maxftp,
    },
    LimitKey {
        arg: "maxsql",
        key: "MAXSQL",
        zero_is_unlimited: true,
        value: |s| &s.maxsql,
    },
    LimitKey {
        arg: "maxpop",
        key: "MAXPOP",
        zero_is_unlimited: true,
        value: |s| &s.maxpop,
    },
    LimitKey {
        arg: "maxlst",
        key: "MAXLST",
        zero_is_unlimited: true,
        value: |s| &s.maxlst,
    },
    LimitKey {
        arg: "maxsub",
        key: "MAXSUB",
        zero_is_unlimited: false,
        value: |s| &s.maxsub,
    },
    LimitKey {
        arg: "maxpark",
        key: "MAXPARK",
        zero_is_unlimited: false,
        value: |s| &s.maxpark,
    },
    LimitKey {
        arg: "maxaddon",
        key: "MAXADDON",
        zero_is_unlimited: false,
        value: |s| &s.maxaddon,
    },
    LimitKey {
        arg: "max_email_per_hour",
        key: "MAX_EMAIL_PER_HOUR",
        zero_is_unlimited: true,
        value: |s| &s.max_email_per_hour,
    },
    LimitKey {
        arg: "max_defer_fail_percentage",
        key: "MAX_DEFER_FAIL_PERCENTAGE",
        zero_is_unlimited: true,
        value: |s| &s.max_defer_fail_percentage,
    },
    LimitKey {
        arg: "max_emailacct_quota",
        key: "MAX_EMAILACCT_QUOTA",
        zero_is_unlimited: false,
        value: |s| &s.max_emailacct_quota,
    },
];

const BYTES_PER_MB: u64 = 1_048_576;

pub struct Settings<'a> {
    cpuser: &'a mut BTreeMap<String, String>,
}

impl<'a> Settings<'a> {
    pub fn new(cpuser: &'a mut BTreeMap<String, String>) -> Self {
        Self { cpuser }
    }

    pub fn set(&mut self, key: &str, value: impl Into<String>) {
        self.cpuser.insert(key.to_owned(), value.into());
    }

    /// What a new account gets beyond its package's settings (`Package::apply_to`).
    pub fn defaults(&mut self, whm_version: &str, now: i64) {
        for (key, value) in [
            ("BACKUP", "1"),
            ("CONTACTEMAIL", ""),
            ("CONTACTEMAIL2", ""),
            ("DEMO", "0"),
            ("HASDKIM", "1"),
            ("HASSPF", "1"),
            ("LEGACY_BACKUP", "0"),
            ("MAILBOX_FORMAT", "maildir"),
            // The legacy Ruby application limit, which cPanel still writes beside
            // MAXPASSENGERAPPS; WHM's modifyacct example shows it as 4, their default.
            ("MAXMONGREL", "4"),
        ] {
            self.set(key, value);
        }
        self.set("STARTDATE", now.to_string());
        self.set("CREATED_IN_VERSION", whm_version);
        self.set("UUID", uuid());
    }

    /// cgi, dkim, spf (0/1), cpmod, language, mailbox_format, mxcheck. The feature list, which
    /// must be looked up, is the caller's to check (see `featurelist`).
    pub fn flags_from(
        &mut self,
        args: &SettingArgs,
        mailbox_format: Option<&str>,
    ) -> Result<(), WhmError> {
        for (value, key) in [
            (&args.cgi, "HASCGI"),
            (&args.dkim, "HASDKIM"),
            (&args.spf, "HASSPF"),
        ] {
            if let Some(v) = given(value) {
                self.set(key, if perl_true(Some(v)) { "1" } else { "0" });
            }
        }
        if let Some(theme) = given(&args.cpmod) {
            self.theme(theme)?;
        }
        if let Some(locale) = given(&args.language) {
            self.locale(locale)?;
        }
        if let Some(format) = mailbox_format {
            if !matches!(format, "maildir" | "mdbox") {
                return Err(WhmError::Reason(format!(
                    "The mailbox format “{format}” is not valid."
                )));
            }
            self.set("MAILBOX_FORMAT", format);
        }
        if let Some(mx) = given(&args.mxcheck)
            && !matches!(mx, "local" | "secondary" | "remote" | "auto")
        {
            return Err(WhmError::Reason(format!(
                "The mail exchanger type “{mx}” is not valid."
            )));
        }
        Ok(())
    }

    pub fn theme(&mut self, theme: &str) -> Result<(), WhmError> {
        self.set("RS", check_theme(theme)?);
        Ok(())
    }

    pub fn locale(&mut self, locale: &str) -> Result<(), WhmError> {
        self.set("LOCALE", check_locale(locale)?);
        Ok(())
    }

    pub fn contact_email(&mut self, email: &str) -> Result<(), WhmError> {
        let valid = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, host)| {
                !local.is_empty()
                    && host.contains('.')
                    && !host.starts_with('.')
                    && !host.ends_with('.')
            })
            && !email.contains(|c: char| {
                c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '<' | '>' | '"')
            });
        if !valid {
            return Err(WhmError::Reason(format!(
                "“{email}” is not a valid email address."
            )));
        }
        self.set("CONTACTEMAIL", email);
        Ok(())
    }

    /// The bandwidth limit, given in MB, stored in bytes as cPanel's BWLIMIT is.
    pub fn bwlimit_mb(&mut self, limit: Limit) {
        match limit {
            Limit::Unlimited => self.set("BWLIMIT", "unlimited"),
            Limit::Value(mb) => self.set("BWLIMIT", (mb * BYTES_PER_MB).to_string()),
        }
    }
}

/// Sets the feature list `name` if the caller may use it.
pub async fn featurelist(
    call: &Call,
    settings: &mut Settings<'_>,
    name: &str,
) -> Result<(), WhmError> {
    if !featurelists::usable(call, name).await? {
        return Err(WhmError::Reason(format!(
            "The feature list “{name}” does not exist."
        )));
    }
    settings.set("FEATURELIST", name);
    Ok(())
}

/// A theme name, or `The theme “X” is not valid.`
pub fn check_theme(theme: &str) -> Result<&str, WhmError> {
    if is_setting_name(theme, MAX_THEME_LEN) {
        Ok(theme)
    } else {
        Err(WhmError::Reason(format!(
            "The theme “{theme}” is not valid."
        )))
    }
}

/// A locale name, or `The locale “X” is not valid.`
pub fn check_locale(locale: &str) -> Result<&str, WhmError> {
    if is_setting_name(locale, MAX_LOCALE_LEN) {
        Ok(locale)
    } else {
        Err(WhmError::Reason(format!(
            "The locale “{locale}” is not valid."
        )))
    }
}

/// Applies the limit arguments present in `args`. Returns the quota, when one was given:
/// `Some(None)` for unlimited.
pub fn apply_limits(
    args: &SettingArgs,
    settings: &mut Settings<'_>,
) -> Result<Option<Option<u64>>, WhmError> {
    for l in LIMITS {
        if let Some(raw) = given((l.value)(args)) {
            let limit = parse_limit(raw, l.arg, l.zero_is_unlimited)?;
            settings.set(l.key, limit.to_string());
        }
    }
    if let Some(raw) = given(&args.max_team_users) {
        match raw.parse::<u8>() {
            Ok(n) if n <= 7 => settings.set("MAX_TEAM_USERS", n.to_string()),
            _ => return Err(invalid(raw, "max_team_users")),
        }
    }
    if let Some(raw) = given(&args.bwlimit) {
        settings.bwlimit_mb(parse_limit(raw, "bwlimit", true)?);
    }
    given(&args.quota)
        .map(|raw| parse_limit(raw, "quota", true).map(Limit::value))
        .transpose()
}

/// A limit argument within WHM's range, or `Invalid value “X” for the “ARG” setting.`
pub fn parse_limit(raw: &str, arg: &str, zero_is_unlimited: bool) -> Result<Limit, WhmError> {
    match Limit::parse(raw, zero_is_unlimited) {
        Some(Limit::Value(n)) if n > if is_size(arg) { MAX_SIZE_MB } else { MAX_COUNT } => {
            Err(invalid(raw, arg))
        }
        Some(limit) => Ok(limit),
        None => Err(invalid(raw, arg)),
    }
}

fn invalid(raw: &str, arg: &str) -> WhmError {
    WhmError::Reason(format!("Invalid value “{raw}” for the “{arg}” setting."))
}

/// A random identifier in UUID form, as cpuser UUID holds.
fn uuid() -> String {
    let b: [u8; 16] = rand::random();
    let h = |r: std::ops::Range<usize>| b[r].iter().map(|x| format!("{x:02x}")).collect::<String>();
    format!(
        "{}-{}-{}-{}-{}",
        h(0..4),
        h(4..6),
        h(6..8),
        h(8..10),
        h(10..16)
    )
}
