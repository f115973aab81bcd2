//! Resellers: accounts that hold WHM privileges and own other accounts, within the limits root
//! sets (and setresellerpackagelimit).

use crate::account::Account;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use whmd_wire::AclSet;

/// What makes an account a reseller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reseller {
    pub acls: AclSet,
    pub limits: ResellerLimits,
}

impl Reseller {
    pub fn new(acls: AclSet) -> Self {
        Self {
            acls,
            limits: ResellerLimits::default(),
        }
    }
}

/// The limits on what a reseller's accounts may add up to. Each switch keeps its number while
/// off, so turning it on again restores it, as `setresellerlimits` does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ResellerLimits {
    pub account_limit_enabled: bool,
    pub account_limit: u64,
    pub resource_limits_enabled: bool,
    /// The disk space the reseller's accounts' quotas may add up to, in MB.
    pub disk_mb: u64,
    /// The bandwidth the reseller's accounts' limits may add up to, in MB.
    pub bandwidth_mb: u64,
    /// Overselling lets the quotas (or bandwidth limits) add up to more than the limit.
    pub overselling: bool,
    pub oversell_disk: bool,
    pub oversell_bandwidth: bool,
    /// Only packages marked allowed in `packages` may be used.
    pub package_limits: bool,
    /// A package with a number in `packages` may be used by at most that many accounts.
    pub package_limit_numbers: bool,
    pub packages: BTreeMap<String, PackageLimit>,
}

/// One package's entry in a reseller's package limits.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PackageLimit {
    pub allowed: bool,
    /// At most this many accounts; `None` for no limit.
    pub number: Option<u64>,
}

/// What a reseller's accounts already add up to, read with the write that would add one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OwnerUsage {
    /// Accounts the reseller owns (the account being written excluded).
    pub accounts: u64,
    /// Their disk quotas, in MB (unlimited ones add nothing).
    pub disk_mb: u64,
    /// Their bandwidth limits, in bytes (unlimited ones add nothing).
    pub bandwidth_bytes: u64,
    /// Those on the package of the account being written.
    pub on_plan: u64,
}

/// Why a reseller's limits refuse an account. The texts are what the caller reads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitViolation {
    #[error("You have reached your limit of {0} accounts: you cannot have more.")]
    Accounts(u64),
    #[error(
        "The disk quotas of your accounts may not add up to more than your disk space limit ({0} MB)."
    )]
    Disk(u64),
    #[error(
        "Your disk space is limited, so each of your accounts needs a disk quota (not “unlimited”)."
    )]
    UnlimitedDisk,
    #[error(
        "The bandwidth limits of your accounts may not add up to more than your bandwidth limit ({0} MB)."
    )]
    Bandwidth(u64),
    #[error(
        "Your bandwidth is limited, so each of your accounts needs a bandwidth limit (not “unlimited”)."
    )]
    UnlimitedBandwidth,
    #[error("You may not use the package “{0}”.")]
    PackageNotAllowed(String),
    // The text changepackage documents.
    #[error("Sorry you may not create any more accounts with the package {0}.")]
    PackageCount(String),
}

const BYTES_PER_MB: u64 = 1_048_576;

impl ResellerLimits {
    /// Whether the package limits let the reseller use `package` at all.
    pub fn allows_package(&self, package: &str) -> bool {
        !self.package_limits || self.packages.get(package).is_some_and(|p| p.allowed)
    }

    /// Whether `account`, owned by the reseller, may be written beside what its other
    /// accounts already hold.
    pub fn admit(&self, usage: &OwnerUsage, account: &Account) -> Result<(), LimitViolation> {
        if self.account_limit_enabled && usage.accounts >= self.account_limit {
            return Err(LimitViolation::Accounts(self.account_limit));
        }
        if self.resource_limits_enabled {
            if !(self.overselling && self.oversell_disk) {
                let quota = account.quota_mb.ok_or(LimitViolation::UnlimitedDisk)?;
                if usage.disk_mb.saturating_add(quota) > self.disk_mb {
                    return Err(LimitViolation::Disk(self.disk_mb));
                }
            }
            if !(self.overselling && self.oversell_bandwidth) {
                let bytes = account
                    .bwlimit_bytes()
                    .ok_or(LimitViolation::UnlimitedBandwidth)?;
                let limit = self.bandwidth_mb.saturating_mul(BYTES_PER_MB);
                if usage.bandwidth_bytes.saturating_add(bytes) > limit {
                    return Err(LimitViolation::Bandwidth(self.bandwidth_mb));
                }
            }
        }
        if !self.allows_package(&account.plan) {
            return Err(LimitViolation::PackageNotAllowed(account.plan.clone()));
        }
        if self.package_limit_numbers
            && let Some(number) = self.packages.get(&account.plan).and_then(|p| p.number)
            && usage.on_plan >= number
        {
            return Err(LimitViolation::PackageCount(account.plan.clone()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(quota: Option<u64>, bw_bytes: Option<u64>, plan: &str) -> Account {
        let mut a = crate::account::sample("a");
        a.owner = "res".into();
        a.plan = plan.into();
        a.quota_mb = quota;
        a.set(
            "BWLIMIT",
            bw_bytes.map_or("unlimited".to_owned(), |b| b.to_string()),
        );
        a
    }

    #[test]
    fn no_limits_admit_anything() {
        let limits = ResellerLimits::default();
        let usage = OwnerUsage {
            accounts: 10_000,
            ..OwnerUsage::default()
        };
        assert_eq!(limits.admit(&usage, &account(None, None, "x")), Ok(()));
    }

    #[test]
    fn account_limit() {
        let limits = ResellerLimits {
            account_limit_enabled: true,
            account_limit: 2,
            ..ResellerLimits::default()
        };
        let mut usage = OwnerUsage {
            accounts: 1,
            ..OwnerUsage::default()
        };
        let a = account(None, None, "default");
        assert_eq!(limits.admit(&usage, &a), Ok(()));
        usage.accounts = 2;
        assert_eq!(limits.admit(&usage, &a), Err(LimitViolation::Accounts(2)));
    }

    #[test]
    fn resources_and_overselling() {
        let mut limits = ResellerLimits {
            resource_limits_enabled: true,
            disk_mb: 1000,
            bandwidth_mb: 10,
            ..ResellerLimits::default()
        };
        let usage = OwnerUsage {
            disk_mb: 600,
            bandwidth_bytes: 5 * BYTES_PER_MB,
            ..OwnerUsage::default()
        };
        let fits = account(Some(400), Some(5 * BYTES_PER_MB), "default");
        assert_eq!(limits.admit(&usage, &fits), Ok(()));
        let big = account(Some(401), Some(BYTES_PER_MB), "default");
        assert_eq!(limits.admit(&usage, &big), Err(LimitViolation::Disk(1000)));
        let unlimited = account(None, Some(1), "default");
        assert_eq!(
            limits.admit(&usage, &unlimited),
            Err(LimitViolation::UnlimitedDisk)
        );
        let wide = account(Some(1), Some(6 * BYTES_PER_MB), "default");
        assert_eq!(
            limits.admit(&usage, &wide),
            Err(LimitViolation::Bandwidth(10))
        );
        let open = account(Some(1), None, "default");
        assert_eq!(
            limits.admit(&usage, &open),
            Err(LimitViolation::UnlimitedBandwidth)
        );
        limits.overselling = true;
        limits.oversell_disk = true;
        limits.oversell_bandwidth = true;
        assert_eq!(limits.admit(&usage, &big), Ok(()));
        assert_eq!(limits.admit(&usage, &open), Ok(()));
    }

    #[test]
    fn package_limits() {
        let mut limits = ResellerLimits {
            package_limits: true,
            package_limit_numbers: true,
            ..ResellerLimits::default()
        };
        limits.packages.insert(
            "res_gold".into(),
            PackageLimit {
                allowed: true,
                number: Some(1),
            },
        );
        let usage = OwnerUsage::default();
        let gold = account(None, None, "res_gold");
        assert_eq!(limits.admit(&usage, &gold), Ok(()));
        let on_plan = OwnerUsage {
            on_plan: 1,
            ..usage
        };
        assert_eq!(
            limits.admit(&on_plan, &gold),
            Err(LimitViolation::PackageCount("res_gold".into()))
        );
        assert_eq!(
            limits.admit(&usage, &account(None, None, "res_silver")),
            Err(LimitViolation::PackageNotAllowed("res_silver".into()))
        );
        assert!(limits.allows_package("res_gold") && !limits.allows_package("x"));
    }
}
