//! What a restore did, module by module, in the spirit of cPanel's restore summary
//! (<https://api.docs.cpanel.net/openapi/whm/operation/restore_modules_summary/>): what was
//! restored, what was skipped and why, and what whmd does not host yet and kept aside.

use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Restored,
    /// Left out, for the reason in the notes.
    Skipped,
    /// What whmd does not host yet: kept with the rest of the archive, not applied.
    NotApplied,
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Restored => "restored",
            Self::Skipped => "skipped",
            Self::NotApplied => "not applied",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Module {
    pub module: &'static str,
    pub status: Status,
    pub notes: Vec<String>,
}

impl Module {
    pub fn new(module: &'static str, status: Status, note: impl Into<String>) -> Self {
        Self {
            module,
            status,
            notes: vec![note.into()],
        }
    }

    pub fn note(&mut self, note: impl Into<String>) {
        self.notes.push(note.into());
    }
}

/// The module an archive's section belongs to, for those whmd does not restore
/// (docs/compatibility.md, "Restoring an account").
pub fn section_module(section: &str) -> &'static str {
    match section {
        "mysql"
        | "mysql.sql"
        | "mysql.sql-auth.json"
        | "mysql-timestamps"
        | "mysql_host_notes.json" => "Mysql",
        "psql" | "psql_users.sql" | "psql_grants.sql" => "Postgresql",
        "va" | "vad" | "vf" => "Mail",
        "mm" | "mms" | "mma" => "Mailman",
        "proftpdpasswd" => "Ftp",
        "apache_tls" | "sslcerts" | "sslkeys" | "ssl" | "ssldomain" | "has_sslstorage"
        | "autossl.json" => "SSL",
        "domainkeys" => "DKIM",
        "dnssec_keys" => "DNSSEC",
        "cron" => "Cron",
        "logs"
        | "bandwidth"
        | "bandwidth_db"
        | "bandwidth_db.json"
        | "bandwidth_db_data.json"
        | "counters" => "Logs and bandwidth",
        "resellerconfig" | "resellerpackages" | "resellerfeatures" | "customizations" => "Reseller",
        "userdata" | "sds" | "sds2" | "pds" | "addons" | "httpfiles" => "Web sites",
        "api_tokens" | "authnlinks" => "API tokens",
        "digestshadow" | "webcalls.json" => "Web Disk",
        "suspended" | "suspendinfo" => "Suspension",
        _ => "Other",
    }
}

/// The not-applied modules for an archive's other sections (files in each, by section).
pub fn not_applied(sections: &BTreeMap<String, u64>, kept: &str) -> Vec<Module> {
    let mut by_module: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    for (section, files) in sections {
        let noun = if *files == 1 { "file" } else { "files" };
        by_module
            .entry(section_module(section))
            .or_default()
            .push(format!("{section} ({files} {noun})"));
    }
    by_module
        .into_iter()
        .map(|(module, sections)| {
            Module::new(
                module,
                Status::NotApplied,
                format!(
                    "whmd does not restore {}; kept in {kept}",
                    sections.join(", ")
                ),
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_grouped_by_module() {
        let sections: BTreeMap<String, u64> =
            [("mysql", 2), ("mysql.sql", 1), ("va", 1), ("zzz", 3)]
                .into_iter()
                .map(|(s, n)| (s.to_owned(), n))
                .collect();
        let modules = not_applied(&sections, "/kept");
        let names: Vec<_> = modules.iter().map(|m| m.module).collect();
        assert_eq!(names, ["Mail", "Mysql", "Other"]);
        assert_eq!(
            modules[1].notes,
            ["whmd does not restore mysql (2 files), mysql.sql (1 file); kept in /kept"]
        );
        assert!(modules.iter().all(|m| m.status == Status::NotApplied));
    }
}
