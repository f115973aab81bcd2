//! How stores encode what has no column type of its own: JSON text for maps and lists, and ACL
//! sets as JSON arrays of names (names, not bit positions, so the table may grow).

use super::StoreError;
use crate::account::Account;
use crate::hulk::{Block, BlockKind, Failure, HulkList, HulkRecord};
use crate::ip::{parse_range, show_range};
use crate::reseller::{Reseller, ResellerLimits};
use ipnet::IpNet;
use serde::Serialize;
use serde::de::DeserializeOwned;
use whmd_wire::{Acl, AclSet};

pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|e| StoreError::Internal(Box::new(e)))
}

pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, StoreError> {
    serde_json::from_str(text).map_err(|e| StoreError::Internal(Box::new(e)))
}

pub fn acls_to_json(acls: Option<AclSet>) -> Result<Option<String>, StoreError> {
    acls.map(|set| to_json(&set.iter().map(Acl::name).collect::<Vec<_>>()))
        .transpose()
}

/// Reads an ACL list; a name this build does not know grants nothing.
pub fn acls_from_json(text: Option<String>) -> Result<Option<AclSet>, StoreError> {
    text.map(|t| {
        let names: Vec<String> = from_json(&t)?;
        Ok(names.iter().filter_map(|n| Acl::from_name(n)).collect())
    })
    .transpose()
}

/// The account's disk quota (MB) and bandwidth limit (bytes) as their integer columns, `None`
/// when unlimited.
pub fn limit_columns(account: &Account) -> Result<(Option<i64>, Option<i64>), StoreError> {
    let column = |n: Option<u64>| {
        n.map(|n| i64::try_from(n).map_err(|e| StoreError::Internal(Box::new(e))))
            .transpose()
    };
    Ok((column(account.quota_mb)?, column(account.bwlimit_bytes())?))
}

/// Address ranges as a JSON array of their WHM form; `None` stays `None`.
pub fn ranges_to_json(ranges: Option<&[IpNet]>) -> Result<Option<String>, StoreError> {
    ranges
        .map(|r| to_json(&r.iter().map(show_range).collect::<Vec<_>>()))
        .transpose()
}

/// Reads address ranges; one that does not parse is corrupt data.
pub fn ranges_from_json(text: Option<String>) -> Result<Option<Vec<IpNet>>, StoreError> {
    text.map(|t| {
        let shown: Vec<String> = from_json(&t)?;
        shown
            .iter()
            .map(|s| {
                parse_range(s).ok_or_else(|| {
                    StoreError::Internal(format!("a stored address range “{s}” is invalid").into())
                })
            })
            .collect()
    })
    .transpose()
}

fn corrupt(what: &str, value: &str) -> StoreError {
    StoreError::Internal(format!("a stored {what} “{value}” is invalid").into())
}

/// A cPHulk block from its columns.
pub fn block_from_columns(
    kind: &str,
    key: String,
    since: i64,
    until: i64,
    notes: String,
) -> Result<Block, StoreError> {
    Ok(Block {
        kind: BlockKind::parse(kind).ok_or_else(|| corrupt("block kind", kind))?,
        key,
        since,
        until,
        notes,
    })
}

/// A failed login from its columns.
pub fn failure_from_columns(
    time: i64,
    user: String,
    ip: &str,
    service: String,
    authservice: String,
) -> Result<Failure, StoreError> {
    Ok(Failure {
        time,
        user,
        ip: ip.parse().map_err(|_| corrupt("address", ip))?,
        service,
        authservice,
    })
}

/// A cPHulk list record from its columns.
pub fn record_from_columns(
    list: &str,
    address: &str,
    comment: String,
) -> Result<(HulkList, HulkRecord), StoreError> {
    Ok((
        HulkList::parse(list).ok_or_else(|| corrupt("list", list))?,
        HulkRecord {
            range: parse_range(address).ok_or_else(|| corrupt("address", address))?,
            comment,
        },
    ))
}

/// A reseller as its two columns: the ACL list and the limits, both JSON; `None` for an
/// account that is not a reseller.
pub fn reseller_to_columns(
    reseller: Option<&Reseller>,
) -> Result<(Option<String>, Option<String>), StoreError> {
    match reseller {
        None => Ok((None, None)),
        Some(r) => Ok((acls_to_json(Some(r.acls))?, Some(to_json(&r.limits)?))),
    }
}

/// Reads the two reseller columns; limits that are missing are the defaults (none).
pub fn reseller_from_columns(
    acls: Option<String>,
    limits: Option<String>,
) -> Result<Option<Reseller>, StoreError> {
    let Some(acls) = acls_from_json(acls)? else {
        return Ok(None);
    };
    let limits = limits
        .map(|l| from_json::<ResellerLimits>(&l))
        .transpose()?
        .unwrap_or_default();
    Ok(Some(Reseller { acls, limits }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acl_lists_round_trip_and_forget_unknown_names() {
        let set: AclSet = [Acl::LIST_ACCTS, Acl::ALL].into_iter().collect();
        let text = acls_to_json(Some(set)).expect("encodes");
        assert_eq!(acls_from_json(text).expect("decodes"), Some(set));
        let odd = acls_from_json(Some(r#"["list-accts","no-such-acl"]"#.into())).expect("decodes");
        assert_eq!(odd, Some([Acl::LIST_ACCTS].into_iter().collect()));
        assert_eq!(acls_to_json(None).expect("encodes"), None);
        assert!(acls_from_json(Some("{".into())).is_err());
    }

    #[test]
    fn resellers_round_trip_through_their_columns() {
        let mut reseller = Reseller::new([Acl::LIST_ACCTS].into_iter().collect());
        reseller.limits.account_limit_enabled = true;
        reseller.limits.account_limit = 3;
        let (acls, limits) = reseller_to_columns(Some(&reseller)).expect("encodes");
        assert_eq!(
            reseller_from_columns(acls.clone(), limits).expect("decodes"),
            Some(reseller.clone())
        );
        let without_limits = reseller_from_columns(acls, None).expect("decodes");
        assert_eq!(
            without_limits.map(|r| r.limits),
            Some(ResellerLimits::default())
        );
        assert_eq!(reseller_to_columns(None).expect("encodes"), (None, None));
    }
}
