//! cPHulk, brute-force protection (docs/compatibility.md, "cPHulk"): failed logins are counted per
//! address and per user; too many within a period block the address (for the period, or for a day
//! after very many) or lock the user. A blocked caller is refused before its credentials are looked
//! at. Whitelisted addresses are never counted or blocked; blacklisted ones are always refused.
//! Everything lives in the store, so every replica enforces the same blocks.

mod config;
mod guard;

pub use config::HulkConfig;
pub use guard::HulkGuard;

use crate::ip;
use ipnet::IpNet;
use std::net::IpAddr;

/// How long a block after very many failures lasts.
pub const EXCESSIVE_BLOCK_SECS: i64 = 86_400;

/// cPHulk's two lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HulkList {
    White,
    Black,
}

impl HulkList {
    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "white" => Some(Self::White),
            "black" => Some(Self::Black),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::White => "white",
            Self::Black => "black",
        }
    }
}

/// An address or range on a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HulkRecord {
    pub range: IpNet,
    pub comment: String,
}

/// What a block stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockKind {
    /// An address, for the address period.
    Brute,
    /// An address, for a day.
    Excessive,
    /// A user, from any address, for the user period.
    User,
}

impl BlockKind {
    pub fn name(self) -> &'static str {
        match self {
            Self::Brute => "brute",
            Self::Excessive => "excessive",
            Self::User => "user",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        match name {
            "brute" => Some(Self::Brute),
            "excessive" => Some(Self::Excessive),
            "user" => Some(Self::User),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    pub kind: BlockKind,
    /// The address (as text) or the username.
    pub key: String,
    pub since: i64,
    pub until: i64,
    pub notes: String,
}

/// One failed login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub time: i64,
    pub user: String,
    pub ip: IpAddr,
    /// What was logged in to (`whostmgr`).
    pub service: String,
    /// How (`api_token`, `password`, `session`, `access_hash`).
    pub authservice: String,
}

/// From when failures count towards each limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Windows {
    pub ip_since: i64,
    pub lookback_since: i64,
    pub user_since: i64,
}

/// The failures recorded within each window, the new one included.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FailureCounts {
    pub by_ip: u64,
    pub by_ip_lookback: u64,
    pub by_user: u64,
}

impl HulkConfig {
    pub fn windows(&self, now: i64) -> Windows {
        let mins = |m: u32| now - i64::from(m) * 60;
        Windows {
            ip_since: mins(self.ip_brute_force_period_mins),
            lookback_since: mins(self.lookback_period_min),
            user_since: mins(self.brute_force_period_mins),
        }
    }

    /// Whether failures against `user` from `peer` may lock the user: with user protection on,
    /// or on for logins from this machine; root only when allowed.
    pub fn protects_user(&self, user: &str, peer: IpAddr) -> bool {
        let on = self.username_based_protection
            || (self.username_based_protection_local_origin && ip::canonical(peer).is_loopback());
        on && (user != "root" || self.username_based_protection_for_root)
    }

    /// The blocks a failure with these counts earns.
    pub fn blocks_after(&self, failure: &Failure, counts: &FailureCounts) -> Vec<Block> {
        let now = failure.time;
        let address = failure.ip.to_string();
        let mut blocks = Vec::new();
        let reached = |limit: u32, count: u64| limit > 0 && count >= u64::from(limit);
        if self.ip_based_protection {
            if reached(self.mark_as_brute, counts.by_ip_lookback) {
                blocks.push(Block {
                    kind: BlockKind::Excessive,
                    key: address.clone(),
                    since: now,
                    until: now + EXCESSIVE_BLOCK_SECS,
                    notes: format!("{} failed logins", counts.by_ip_lookback),
                });
            } else if reached(self.max_failures_byip, counts.by_ip) {
                blocks.push(Block {
                    kind: BlockKind::Brute,
                    key: address,
                    since: now,
                    until: now + i64::from(self.ip_brute_force_period_mins) * 60,
                    notes: format!("{} failed logins", counts.by_ip),
                });
            }
        }
        if self.protects_user(&failure.user, failure.ip)
            && reached(self.max_failures, counts.by_user)
        {
            blocks.push(Block {
                kind: BlockKind::User,
                key: failure.user.clone(),
                since: now,
                until: now + i64::from(self.brute_force_period_mins) * 60,
                notes: format!("{} failed logins", counts.by_user),
            });
        }
        blocks
    }
}

/// What a caller's address and name meet at the door.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// Not known: check the credentials, and count a failure.
    Open,
    /// On the whitelist: check the credentials, never count.
    Whitelisted,
    /// Refused without looking at the credentials, for this reason.
    Refused(String),
}

/// Everything the door needs, read from the store in one go.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HulkState {
    pub config: HulkConfig,
    pub white: Vec<IpNet>,
    pub black: Vec<IpNet>,
    /// Blocks in force when this was read.
    pub blocks: Vec<Block>,
}

impl HulkState {
    /// What a login as `user` from `peer` meets at the time `now` reads, which is read only
    /// when a block is in the state.
    pub fn gate(&self, peer: IpAddr, user: &str, now: impl FnOnce() -> i64) -> Gate {
        if !self.config.is_enabled {
            return Gate::Open;
        }
        if ip::is_in(peer, &self.white) {
            return Gate::Whitelisted;
        }
        if ip::is_in(peer, &self.black) {
            return Gate::Refused("the address is blacklisted".into());
        }
        if self.blocks.is_empty() {
            return Gate::Open;
        }
        let now = now();
        let in_force = |b: &&Block| b.until > now;
        if !self.blocks.iter().any(|b| in_force(&b)) {
            return Gate::Open;
        }
        let address = ip::canonical(peer).to_string();
        if let Some(block) = self.blocks.iter().filter(in_force).find(|b| {
            (b.kind != BlockKind::User && b.key == address)
                || (b.kind == BlockKind::User && b.key == user)
        }) {
            return Gate::Refused(format!("{} block until {}", block.kind.name(), block.until));
        }
        Gate::Open
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failure(user: &str, ip: &str, time: i64) -> Failure {
        Failure {
            time,
            user: user.into(),
            ip: ip.parse().expect("ip"),
            service: "whostmgr".into(),
            authservice: "password".into(),
        }
    }

    #[test]
    fn blocks_follow_the_limits() {
        let config = HulkConfig::default();
        let f = failure("bob", "192.0.2.7", 1000);
        let counts = |by_ip, by_ip_lookback, by_user| FailureCounts {
            by_ip,
            by_ip_lookback,
            by_user,
        };
        assert!(config.blocks_after(&f, &counts(4, 4, 4)).is_empty());
        let brute = config.blocks_after(&f, &counts(5, 5, 5));
        assert_eq!(brute.len(), 1);
        assert_eq!(
            (brute[0].kind, brute[0].key.as_str(), brute[0].until),
            (BlockKind::Brute, "192.0.2.7", 1000 + 15 * 60)
        );
        let excessive = config.blocks_after(&f, &counts(5, 30, 30));
        assert_eq!(excessive[0].kind, BlockKind::Excessive);
        assert_eq!(excessive[0].until, 1000 + EXCESSIVE_BLOCK_SECS);
        // User protection is on only for logins from this machine by default, never root.
        let local = failure("bob", "127.0.0.1", 1000);
        let locked = config.blocks_after(&local, &counts(0, 0, 15));
        assert_eq!(
            (locked[0].kind, locked[0].key.as_str()),
            (BlockKind::User, "bob")
        );
        assert!(
            config
                .blocks_after(&failure("root", "127.0.0.1", 1000), &counts(0, 0, 99))
                .is_empty()
        );
        let off = HulkConfig {
            max_failures_byip: 0,
            mark_as_brute: 0,
            ..HulkConfig::default()
        };
        assert!(
            off.blocks_after(&f, &counts(99, 99, 0)).is_empty(),
            "0 never blocks"
        );
    }

    #[test]
    fn the_gate() {
        let white = ip::parse_range("10.0.0.0/8").expect("range");
        let black = ip::parse_range("192.0.2.66").expect("address");
        let state = HulkState {
            config: HulkConfig::default(),
            white: vec![white],
            black: vec![black],
            blocks: vec![
                Block {
                    kind: BlockKind::Brute,
                    key: "192.0.2.7".into(),
                    since: 0,
                    until: 100,
                    notes: String::new(),
                },
                Block {
                    kind: BlockKind::User,
                    key: "bob".into(),
                    since: 0,
                    until: 100,
                    notes: String::new(),
                },
            ],
        };
        let at = |ip: &str, user: &str, now| state.gate(ip.parse().expect("ip"), user, || now);
        assert_eq!(
            at("10.1.2.3", "bob", 50),
            Gate::Whitelisted,
            "whitelisted beats a lock"
        );
        assert!(matches!(at("192.0.2.66", "amy", 50), Gate::Refused(_)));
        assert!(matches!(at("192.0.2.7", "amy", 50), Gate::Refused(_)));
        assert!(matches!(
            at("::ffff:192.0.2.7", "amy", 50),
            Gate::Refused(_)
        ));
        assert!(matches!(at("192.0.2.8", "bob", 50), Gate::Refused(_)));
        assert_eq!(at("192.0.2.7", "amy", 100), Gate::Open, "the block is over");
        assert_eq!(at("192.0.2.8", "amy", 50), Gate::Open);
        let off = HulkState {
            config: HulkConfig {
                is_enabled: false,
                ..HulkConfig::default()
            },
            ..state.clone()
        };
        assert_eq!(
            off.gate("192.0.2.66".parse().expect("ip"), "amy", || 50),
            Gate::Open
        );
    }
}
