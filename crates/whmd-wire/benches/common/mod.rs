//! Listaccts-shaped records, shared by the benchmarks.

use serde_json::{Map, Value, json};

/// `{acct: [...]}` with `records` accounts, as listaccts answers.
pub fn listaccts(records: usize) -> Map<String, Value> {
    let acct: Vec<Value> = (0..records)
        .map(|i| {
            json!({
                "user": format!("user{i:06}"), "domain": format!("user{i:06}.example.com"), "ip": "192.0.2.10",
                "ipv6": [], "owner": if i % 10 == 0 { "reseller" } else { "root" }, "email": format!("u{i}@example.org"),
                "plan": "default", "theme": "jupiter", "shell": "/usr/local/cpanel/bin/noshell", "uid": 1001 + i,
                "partition": "home", "mailbox_format": "maildir", "startdate": "26 Dec 01 21:21",
                "unix_startdate": 1_796_160_112 + i, "suspended": i % 7 == 0, "suspendreason": "not suspended",
                "suspendtime": 0, "is_locked": 0, "outgoing_mail_suspended": 0, "outgoing_mail_hold": 0,
                "disklimit": "unlimited", "diskused": format!("{}M", i % 977), "inodeslimit": "unlimited", "inodesused": 0,
                "maxaddons": "0", "maxparked": "0", "maxftp": "unlimited", "maxlst": "unlimited",
                "maxpop": if i % 3 == 0 { "unlimited".to_owned() } else { (i % 500).to_string() },
                "maxsql": "unlimited", "maxsub": "unlimited", "max_emailacct_quota": "1024",
                "max_email_per_hour": "unlimited", "max_defer_fail_percentage": "unlimited",
                "min_defer_fail_to_trigger_protection": "5", "backup": 1, "legacy_backup": 0, "temporary": 0,
                "child_nodes": [], "has_backup": 0,
            })
        })
        .collect();
    let mut data = Map::new();
    data.insert("acct".into(), Value::Array(acct));
    data
}
