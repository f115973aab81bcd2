//! cPHulk's settings (docs/compatibility.md, "cPHulk"), with cPanel's defaults. whmd has no
//! firewall and sends no notifications, so the firewall, command and notification settings are kept
//! and reported but change nothing; commands are never run.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct HulkConfig {
    pub is_enabled: bool,
    /// Failures from one address within `ip_brute_force_period_mins` that block it for that
    /// long; 0 never blocks.
    pub max_failures_byip: u32,
    pub ip_brute_force_period_mins: u32,
    /// Failures against one user within `brute_force_period_mins` that lock it for that long;
    /// 0 never locks.
    pub max_failures: u32,
    pub brute_force_period_mins: u32,
    /// Failures from one address within `lookback_period_min` that block it for a day; 0
    /// never blocks.
    pub mark_as_brute: u32,
    pub lookback_period_min: u32,
    pub ip_based_protection: bool,
    pub username_based_protection: bool,
    pub username_based_protection_for_root: bool,
    pub username_based_protection_local_origin: bool,
    pub block_brute_force_with_firewall: bool,
    pub block_excessive_brute_force_with_firewall: bool,
    pub notify_on_brute: bool,
    pub notify_on_root_login: bool,
    pub notify_on_root_login_for_known_netblock: bool,
    pub command_to_run_on_brute_force: String,
    pub command_to_run_on_excessive_brute_force: String,
}

impl Default for HulkConfig {
    fn default() -> Self {
        Self {
            is_enabled: true,
            max_failures_byip: 5,
            ip_brute_force_period_mins: 15,
            max_failures: 15,
            brute_force_period_mins: 5,
            mark_as_brute: 30,
            lookback_period_min: 360,
            ip_based_protection: true,
            username_based_protection: false,
            username_based_protection_for_root: false,
            username_based_protection_local_origin: true,
            block_brute_force_with_firewall: false,
            block_excessive_brute_force_with_firewall: true,
            notify_on_brute: false,
            notify_on_root_login: false,
            notify_on_root_login_for_known_netblock: false,
            command_to_run_on_brute_force: String::new(),
            command_to_run_on_excessive_brute_force: String::new(),
        }
    }
}

/// How a setting is read by `save_cphulk_config`.
enum Kind {
    /// 0 or 1, strictly.
    Boolean,
    /// A whole number of at least this much.
    Number(u32),
    Text,
}

/// Every setting `save_cphulk_config` takes.
const SETTINGS: &[(&str, Kind)] = &[
    ("block_brute_force_with_firewall", Kind::Boolean),
    ("block_excessive_brute_force_with_firewall", Kind::Boolean),
    ("brute_force_period_mins", Kind::Number(1)),
    ("command_to_run_on_brute_force", Kind::Text),
    ("command_to_run_on_excessive_brute_force", Kind::Text),
    ("ip_based_protection", Kind::Boolean),
    ("ip_brute_force_period_mins", Kind::Number(1)),
    ("lookback_period_min", Kind::Number(0)),
    ("mark_as_brute", Kind::Number(0)),
    ("max_failures", Kind::Number(0)),
    ("max_failures_byip", Kind::Number(0)),
    ("notify_on_brute", Kind::Boolean),
    ("notify_on_root_login", Kind::Boolean),
    ("notify_on_root_login_for_known_netblock", Kind::Boolean),
    ("username_based_protection", Kind::Boolean),
    ("username_based_protection_for_root", Kind::Boolean),
    ("username_based_protection_local_origin", Kind::Boolean),
];

/// The longest command a setting holds.
const MAX_COMMAND: usize = 4096;

impl HulkConfig {
    /// The settings as `load_cphulk_config` reports them: 0/1 flags, numbers, and the periods
    /// also in seconds.
    pub fn to_map(&self) -> Map<String, Value> {
        let mut map = match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        for value in map.values_mut() {
            if let Value::Bool(b) = value {
                *value = json!(u8::from(*b));
            }
        }
        map.insert(
            "brute_force_period_sec".into(),
            json!(u64::from(self.brute_force_period_mins) * 60),
        );
        map.insert(
            "ip_brute_force_period_sec".into(),
            json!(u64::from(self.ip_brute_force_period_mins) * 60),
        );
        map.insert(
            "lookback_time".into(),
            json!(u64::from(self.lookback_period_min) * 60),
        );
        // No firewall to ban with.
        map.insert("can_temp_ban_firewall".into(), json!(0));
        map.sort_keys();
        map
    }

    /// Applies the settings among `given` (name, value); every invalid one is reported, and
    /// then none is applied.
    pub fn apply<'a>(
        &mut self,
        given: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<(), Vec<String>> {
        let mut map = match serde_json::to_value(&*self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let mut errors = Vec::new();
        for (name, raw) in given {
            let Some((_, kind)) = SETTINGS.iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let value = match kind {
                Kind::Boolean => match raw.trim() {
                    "0" => Some(json!(false)),
                    "1" => Some(json!(true)),
                    _ => None,
                },
                Kind::Number(min) => raw
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| n >= min)
                    .map(|n| json!(n)),
                Kind::Text => (raw.len() <= MAX_COMMAND && !raw.contains(['\n', '\r', '\0']))
                    .then(|| json!(raw)),
            };
            match value {
                Some(v) => {
                    map.insert(name.to_owned(), v);
                }
                None => errors.push(format!("Invalid value “{raw}” for “{name}”.")),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        match serde_json::from_value(Value::Object(map)) {
            Ok(config) => {
                *self = config;
                Ok(())
            }
            Err(e) => Err(vec![e.to_string()]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_as_reported() {
        let map = HulkConfig::default().to_map();
        assert_eq!(map["is_enabled"], json!(1));
        assert_eq!(map["max_failures_byip"], json!(5));
        assert_eq!(map["ip_brute_force_period_sec"], json!(900));
        assert_eq!(map["lookback_time"], json!(21_600));
        assert_eq!(map["username_based_protection_local_origin"], json!(1));
        assert_eq!(map["command_to_run_on_brute_force"], json!(""));
        assert_eq!(map["can_temp_ban_firewall"], json!(0));
    }

    #[test]
    fn applying_settings() {
        let mut config = HulkConfig::default();
        config
            .apply([
                ("max_failures_byip", "3"),
                ("ip_based_protection", "0"),
                ("other", "x"),
            ])
            .expect("valid");
        assert_eq!(config.max_failures_byip, 3);
        assert!(!config.ip_based_protection);
        let before = config.clone();
        let errors = config
            .apply([
                ("max_failures_byip", "9"),
                ("ip_based_protection", "yes"),
                ("brute_force_period_mins", "0"),
                ("command_to_run_on_brute_force", "a\nb"),
            ])
            .expect_err("invalid");
        assert_eq!(errors.len(), 3);
        assert_eq!(config, before, "nothing applied");
    }
}
