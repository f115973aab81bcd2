//! limitbw, showbw, editquota and changepackage.

use super::super::ips::{NONE_FREE, free_address, publish, readdress};
use super::super::packages;
use super::reasons;
use super::settings::{Settings, parse_limit};
use super::source::{AccountRecords, RecordOf};
use super::{CHANGED_MEANWHILE, accessible, entry, save, with_host};
use crate::FunctionSpec;
use crate::function::{NoData, WithList, function};
use crate::registry::Call;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use whmd_domain::StoreError;
use whmd_domain::account::{Account, Limit};
use whmd_domain::store::{AccountChange, Refusal, Usage, ZoneWrites};
use whmd_domain::time::{civil, unix_now};
use whmd_wire::{Acl, Api0Data, Api0Shape, Listing, Outcome, WhmError};

const LISTED: Api0Shape = Api0Shape::Listed {
    key: "result",
    data: Api0Data::Flatten,
    raw: Some("rawout"),
    messages: false,
};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("limitbw", Acl::LIMIT_BANDWIDTH, Both, limitbw).api0(LISTED),
    function!("showbw", Acl::SHOW_BANDWIDTH, Both, showbw)
        .read_only()
        .api0(Api0Shape::Status {
            ok: "Ok",
            rename: None,
        })
        .list("acct"),
    function!("editquota", Acl::QUOTA, Both, editquota).api0(LISTED),
    function!("changepackage", Acl::UPGRADE_ACCOUNT, Both, changepackage).api0(LISTED),
];

const BYTES_PER_MB: u64 = 1_048_576;

/// Stores a changed setting, logged as a MODIFY of `what`.
async fn save_setting(
    call: &Call,
    user: &str,
    account: &Account,
    what: &str,
) -> Result<(), WhmError> {
    let log = entry(call, "MODIFY", &[user, &account.domain, what]);
    save(call, user, account, &[log], CHANGED_MEANWHILE).await
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Limitbw {
    user: String,
    /// Megabytes a month, or `unlimited` (0 is unlimited too).
    bwlimit: String,
}

#[derive(Debug, Serialize, JsonSchema)]
struct LimitbwResponse {
    bwlimits: [BandwidthLimit; 1],
}

#[derive(Debug, Serialize, JsonSchema)]
struct BandwidthLimit {
    /// Bytes; 0 when unlimited.
    bwlimit: u64,
    unlimited: u8,
    human_bwlimit: String,
    human_bwused: &'static str,
    domains: Vec<String>,
    bwlimitenable: u8,
}

async fn limitbw(call: Call, req: Limitbw) -> Result<Outcome<LimitbwResponse>, WhmError> {
    let Limitbw { user, bwlimit: raw } = req;
    let mut account = accessible(&call, &user)
        .await
        .map_err(|_| WhmError::Reason(format!("Invalid user ({user})")))?;
    let limit = parse_limit(&raw, "bwlimit", true).map_err(|_| {
        WhmError::Reason(format!(
            "Sorry, the bandwidth value you specified, '{raw}', is invalid. It must be a positive integer or “unlimited”."
        ))
    })?;
    Settings::new(&mut account.cpuser).bwlimit_mb(limit);
    account.mtime = unix_now();
    save_setting(&call, &user, &account, "BWLIMIT").await?;
    let (bytes, human) = match limit {
        Limit::Unlimited => (0, "unlimited".to_owned()),
        Limit::Value(mb) => (mb * BYTES_PER_MB, format!("{mb} MB")),
    };
    let mut domains = vec![account.domain.clone()];
    domains.extend(account.domains.iter().cloned());
    let data = LimitbwResponse {
        bwlimits: [BandwidthLimit {
            bwlimit: bytes,
            unlimited: u8::from(limit == Limit::Unlimited),
            human_bwlimit: human,
            human_bwused: "none",
            domains,
            bwlimitenable: u8::from(limit != Limit::Unlimited),
        }],
    };
    let set_to = match limit {
        Limit::Unlimited => "unlimited".to_owned(),
        Limit::Value(mb) => format!("{mb} megabytes"),
    };
    Ok(Outcome::ok(data).with_reason(format!(
        "Bandwidth Limit for {user} has been set to {set_to}"
    )))
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Showbw {
    /// 1 to 12; this month by default.
    month: Option<String>,
    /// This year by default.
    year: Option<String>,
    /// Text the field named by `searchtype` must contain.
    search: Option<String>,
    /// `user` (the default), `domain` or `owner` (which must match exactly).
    searchtype: Option<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct ShowbwResponse {
    month: u32,
    year: i64,
    totalused: u64,
    /// The caller.
    reseller: String,
    acct: Vec<AccountBandwidth>,
}

#[derive(Debug, Serialize, JsonSchema)]
struct AccountBandwidth {
    user: String,
    maindomain: String,
    owner: String,
    /// `"1"` for a reseller, the number 0 otherwise, as WHM sends them.
    reseller: Value,
    /// Bytes, or `unlimited`.
    limit: String,
    totalbytes: &'static str,
    deleted: u8,
    bwlimited: u8,
    bwusage: [DomainBandwidth; 1],
}

#[derive(Debug, Serialize, JsonSchema)]
struct DomainBandwidth {
    domain: String,
    usage: &'static str,
    deleted: u8,
}

async fn showbw(call: Call, req: Showbw) -> Result<Outcome<WithList<ShowbwResponse>>, WhmError> {
    let (year_now, month_now, ..) = civil(unix_now());
    let month = match req.month {
        Some(m) => m
            .parse::<u32>()
            .ok()
            .filter(|m| (1..=12).contains(m))
            .ok_or_else(|| WhmError::reason("Invalid month provided"))?,
        None => u32::try_from(month_now).unwrap_or(1),
    };
    let year = match req.year {
        Some(y) => y
            .parse::<i64>()
            .ok()
            .filter(|y| (1970..=2200).contains(y))
            .ok_or_else(|| WhmError::reason("Invalid year provided"))?,
        None => year_now,
    };
    let owner = (!call.principal.is_root()).then_some(call.principal.user.as_str());
    let record = BandwidthRecord {
        search: req.search.map(|s| s.to_ascii_lowercase()),
        by: req.searchtype.unwrap_or_else(|| "user".to_owned()),
    };
    let listing = Listing::start(AccountRecords::new(&call.ctx, owner, record))
        .await?
        .unwrap_or_else(|| Listing::of(Vec::new()));
    let data = ShowbwResponse {
        month,
        year,
        totalused: 0,
        reseller: call.principal.user.clone(),
        // Written from `listing` as the reply is sent.
        acct: Vec::new(),
    };
    Ok(Outcome::ok(WithList::new(data, listing)))
}

/// showbw's records: the accounts the search matches.
struct BandwidthRecord {
    search: Option<String>,
    by: String,
}

impl RecordOf for BandwidthRecord {
    fn record(&self, a: &Account, _: Option<&Usage>) -> Option<Value> {
        if let Some(term) = &self.search {
            let found = match self.by.as_str() {
                "domain" => a.domain.contains(term),
                "owner" => a.owner == *term,
                _ => a.user.contains(term),
            };
            if !found {
                return None;
            }
        }
        serde_json::to_value(AccountBandwidth {
            user: a.user.clone(),
            maindomain: a.domain.clone(),
            owner: a.owner.clone(),
            reseller: if a.reseller.is_some() {
                json!("1")
            } else {
                json!(0)
            },
            limit: a.get("BWLIMIT").unwrap_or("unlimited").to_owned(),
            totalbytes: "0",
            deleted: 0,
            bwlimited: 0,
            bwusage: [DomainBandwidth {
                domain: a.domain.clone(),
                usage: "0",
                deleted: 0,
            }],
        })
        .ok()
    }
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Editquota {
    user: String,
    /// Megabytes, or `unlimited` (0 is unlimited too).
    quota: String,
}

async fn editquota(call: Call, req: Editquota) -> Result<Outcome<NoData>, WhmError> {
    let Editquota { user, quota: raw } = req;
    // Another's account reads as one that does not exist.
    let account = call.ctx.stores.accounts.account(&user).await?;
    let Some(mut account) =
        account.filter(|a| whmd_domain::account::can_access(&call.principal, a))
    else {
        return Err(WhmError::reason("Invalid user. Cannot set quota."));
    };
    let quota = parse_limit(&raw, "quota", true)
        .map_err(|_| WhmError::Reason(format!("Invalid value ({raw}) for quota supplied.")))?
        .value();
    account.quota_mb = quota;
    account.mtime = unix_now();
    save_setting(&call, &user, &account, "QUOTA").await?;
    let outcome = Outcome::done().with_reason(reasons::QUOTA_SET);
    Ok(with_host(&call, outcome, &[account.uid], "").await)
}

#[derive(Debug, Deserialize, JsonSchema)]
struct Changepackage {
    user: String,
    /// The package to move the account to.
    pkg: String,
}

async fn changepackage(call: Call, req: Changepackage) -> Result<Outcome<NoData>, WhmError> {
    let Changepackage { user, pkg } = req;
    let account = call.ctx.stores.accounts.account(&user).await?;
    let Some(mut account) =
        account.filter(|a| whmd_domain::account::can_access(&call.principal, a))
    else {
        return Err(WhmError::Reason(format!(
            "Sorry, the user {user} does not exist"
        )));
    };
    let no_package = || WhmError::reason("Specified package does not exist.");
    let plan = packages::usable(&call, &pkg)
        .await?
        .ok_or_else(no_package)?;
    // A package with a dedicated address moves an account on the shared one to a free
    // address of the pool, zone and all, in the same write.
    let moves = plan.package.flag("IP") && account.ip == call.ctx.info.main_ip;
    let zones = if moves {
        let ip = free_address(&call)
            .await?
            .ok_or_else(|| WhmError::reason(NONE_FREE))?;
        readdress(&call, &mut account, ip).await?
    } else {
        ZoneWrites::none()
    };
    let applied = plan.package.apply_to(&mut account, None);
    account.plan = pkg.clone();
    account.mtime = unix_now();
    let mut admission = packages::admission(&call, Some(&plan), &account.owner).await?;
    admission.address = moves.then(|| account.ip.clone());
    let log = entry(
        &call,
        "MODIFY",
        &[&user, &account.domain, &format!("PLAN={pkg}")],
    );
    let change = AccountChange::update(user.as_str(), account.clone(), vec![log])
        .admitted(admission)
        .with_zones(zones.clone());
    match call.ctx.stores.accounts.change(&change).await {
        Ok(_) => {}
        Err(StoreError::Refused(Refusal::NoSuchPackage(_))) => return Err(no_package()),
        Err(StoreError::Conflict(_)) => return Err(WhmError::reason(CHANGED_MEANWHILE)),
        Err(e) => return Err(e.into()),
    }
    let published = publish(&call, &zones).await;
    let on_host: &[u32] = if applied.quota || applied.shell {
        &[account.uid]
    } else {
        &[]
    };
    let mut outcome =
        Outcome::done().with_raw(format!("Account Upgrade/Downgrade Complete for {user}\n"));
    outcome.output.warnings.extend(published);
    Ok(with_host(&call, outcome, on_host, "").await)
}
