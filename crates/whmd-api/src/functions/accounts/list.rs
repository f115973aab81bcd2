//! listaccts, accountsummary, listsuspended, listlockedaccounts. A reseller sees only the
//! accounts it owns.

use super::record::{AccountList, AccountRecord};
use super::source::{AccountRecords, RecordOf, measured};
use crate::FunctionSpec;
use crate::function::{Listed, function, list_data};
use crate::registry::Call;
use regex::{Regex, RegexBuilder};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use whmd_domain::account::{Account, can_access};
use whmd_domain::store::{AccountColumn, AccountQuery, Usage};
use whmd_domain::time::ctime;
use whmd_wire::{Acl, Api0Shape, ApiVersion, Listing, Outcome, WhmError, output};

const STATUS_OK: Api0Shape = Api0Shape::Status {
    ok: "Ok",
    rename: None,
};

pub const FUNCTIONS: &[FunctionSpec] = &[
    function!("listaccts", Acl::LIST_ACCTS, Both, listaccts)
        .read_only()
        .api0(STATUS_OK)
        .list("acct"),
    function!("accountsummary", Acl::ACCT_SUMMARY, Both, accountsummary)
        .read_only()
        .api0(STATUS_OK)
        .list("acct"),
    function!("listsuspended", Acl::SUSPEND_ACCT, Both, listsuspended)
        .read_only()
        .api0(Api0Shape::Status {
            ok: "Ok",
            rename: Some(("account", "accts")),
        })
        .list("account"),
    function!(
        "listlockedaccounts",
        Acl::SUSPEND_ACCT,
        V1,
        listlockedaccounts
    )
    .read_only()
    .list("account"),
];

/// The largest compiled search pattern; beyond it the search matches everything, as an
/// invalid pattern does.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Debug, Deserialize, JsonSchema)]
struct Listaccts {
    /// A case-insensitive regular expression (or, with `searchmethod=exact`, the value) the
    /// field named by `searchtype` must match.
    search: Option<String>,
    /// `domain`, `ip`, `user`, `package`, `owner` or `domain_and_user`.
    searchtype: Option<String>,
    /// `exact` or `regex` (the default).
    searchmethod: Option<String>,
    /// The record fields to send, separated by commas; all by default.
    want: Option<String>,
}

async fn listaccts(call: Call, req: Listaccts) -> Result<Outcome<Listed<AccountList>>, WhmError> {
    let search = req.search.as_deref();
    let searchtype = req.searchtype.as_deref();
    let exact = req.searchmethod.as_deref() == Some("exact");
    let shape = AccountRecord {
        want: wanted(req.want.as_deref()),
        has_backup: true,
    };
    let kind = match searchtype {
        None => None,
        Some(t @ ("domain" | "ip" | "user" | "package" | "owner" | "domain_and_user")) => Some(t),
        Some(_) => return Err(WhmError::reason("Unknown search type.")),
    };
    // The exact-user search is a lookup.
    if let (Some(user), Some("user"), true) = (search, kind, exact) {
        let user = user.to_ascii_lowercase();
        let account = call.ctx.stores.accounts.account(&user).await?;
        return match account {
            None => Err(WhmError::reason("No accounts found.")),
            Some(a) if can_access(&call.principal, &a) => listing(&call, vec![a], &shape).await,
            // A reseller learns nothing of another's account.
            Some(_) => Err(WhmError::reason("No accounts found.")),
        };
    }
    if search.is_none()
        && let Some(outcome) = paged(&call, &shape).await?
    {
        return Ok(outcome);
    }
    let owner = (!call.principal.is_root()).then_some(call.principal.user.as_str());
    let source = match (search, kind) {
        (Some(term), Some(kind)) => AccountRecords::new(
            &call.ctx,
            owner,
            Searched {
                matcher: Matcher::new(term, exact),
                kind: kind.to_owned(),
                shape,
            },
        ),
        _ => AccountRecords::new(&call.ctx, owner, shape),
    };
    Ok(match Listing::start(source).await? {
        Some(listing) => Outcome::ok(Listed::new(listing)),
        None => Outcome::done(),
    })
}

/// listaccts' records of the accounts a search matches.
struct Searched {
    matcher: Matcher,
    kind: String,
    shape: AccountRecord,
}

impl RecordOf for Searched {
    fn record(&self, a: &Account, usage: Option<&Usage>) -> Option<Value> {
        let fields: &[&str] = match self.kind.as_str() {
            "domain" => &[&a.domain],
            "ip" => &[&a.ip],
            "user" => &[&a.user],
            "package" => &[&a.plan],
            "owner" => &[&a.owner],
            _ => &[&a.domain, &a.user],
        };
        fields
            .iter()
            .any(|f| self.matcher.matches(f, &self.kind))
            .then(|| self.shape.record(a, usage))
            .flatten()
    }

    fn uses_usage(&self) -> bool {
        true
    }
}

/// The largest page listaccts reads from its store query.
const LARGEST_STORE_PAGE: usize = 1_000;

/// The record fields that are store columns as they are.
const COLUMN_FIELDS: [&str; 4] = ["user", "domain", "owner", "ip"];

/// listaccts under output controls the store can run itself (API 1): the store filters, sorts
/// and counts, and only the page's records are built. What it returns is what the dispatcher's
/// pass over every record would have made. `None` when the controls need every record.
async fn paged(
    call: &Call,
    shape: &AccountRecord,
) -> Result<Option<Outcome<Listed<AccountList>>>, WhmError> {
    let want = &shape.want;
    if call.version != ApiVersion::V1 {
        return Ok(None);
    }
    // A field `want` leaves out is not in the records, so the store must not test it.
    let fields: Vec<&str> = COLUMN_FIELDS
        .into_iter()
        .filter(|f| want.as_ref().is_none_or(|w| w.iter().any(|w| w == f)))
        .collect();
    let Some(plan) = output::pushdown(&call.meta, &fields) else {
        return Ok(None);
    };
    // The store's page is read whole; a long one streams like the full listing instead.
    if plan
        .page_size()
        .is_none_or(|size| size > LARGEST_STORE_PAGE)
    {
        return Ok(None);
    }
    let column = |field: &str| {
        AccountColumn::of_field(field)
            .ok_or_else(|| WhmError::internal(format!("no column for {field}")))
    };
    let query = AccountQuery {
        owner: (!call.principal.is_root()).then(|| call.principal.user.clone()),
        filters: plan
            .filters
            .iter()
            .map(|f| Ok((column(&f.field)?, f.test.clone())))
            .collect::<Result<_, WhmError>>()?,
        order: plan
            .order
            .iter()
            .map(|o| Ok((column(&o.field)?, o.reverse)))
            .collect::<Result<_, WhmError>>()?,
    };
    let page = call
        .ctx
        .stores
        .accounts
        .account_page(&query, &|matching| plan.window(matching))
        .await?;
    // No accounts at all answers as the unfiltered listing does: without data.
    if page.unfiltered == 0 {
        return Ok(Some(Outcome::done()));
    }
    let metadata = plan.metadata(page.unfiltered, page.matching);
    Ok(Some(
        listing(call, page.accounts, shape)
            .await?
            .with_controls(metadata),
    ))
}

/// The record fields `want` asks for, when it is given.
fn wanted(want: Option<&str>) -> Option<Vec<String>> {
    want.map(|w| w.split(',').map(|f| f.trim().to_owned()).collect())
}

/// How `search` compares: exact (case-insensitive for domain, user and owner), or a
/// case-insensitive pattern; a pattern that does not compile matches everything.
enum Matcher {
    Exact(String),
    Pattern(Regex),
    Everything,
}

impl Matcher {
    fn new(term: &str, exact: bool) -> Self {
        if exact {
            return Self::Exact(term.to_owned());
        }
        RegexBuilder::new(term)
            .case_insensitive(true)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
            .map_or(Self::Everything, Self::Pattern)
    }

    fn matches(&self, value: &str, kind: &str) -> bool {
        match self {
            Self::Exact(term) if matches!(kind, "ip" | "package") => value == term,
            Self::Exact(term) => value.eq_ignore_ascii_case(term),
            Self::Pattern(re) => re.is_match(value),
            Self::Everything => true,
        }
    }
}

/// `{acct: […]}` of accounts already read.
async fn listing(
    call: &Call,
    accounts: Vec<Account>,
    shape: &AccountRecord,
) -> Result<Outcome<Listed<AccountList>>, WhmError> {
    let usage = measured(&call.ctx, &accounts).await?;
    let records = accounts
        .iter()
        .filter_map(|a| shape.record(a, usage.get(&a.uid)))
        .collect();
    Ok(Outcome::ok(Listed::new(Listing::of(records))))
}

/// One of the two.
#[derive(Debug, Deserialize, JsonSchema)]
struct Accountsummary {
    user: Option<String>,
    /// The account's main domain, when `user` is not given.
    domain: Option<String>,
}

async fn accountsummary(
    call: Call,
    req: Accountsummary,
) -> Result<Outcome<Listed<AccountList>>, WhmError> {
    let accounts = &call.ctx.stores.accounts;
    let found = match (req.user, req.domain) {
        (Some(user), _) => accounts.account(&user.to_ascii_lowercase()).await?,
        (None, Some(domain)) => {
            accounts
                .account_by_domain(&domain.to_ascii_lowercase())
                .await?
        }
        (None, None) => {
            return Err(WhmError::reason(
                "You must specify a user or domain to get a summary of.",
            ));
        }
    };
    match found.filter(|a| can_access(&call.principal, a)) {
        Some(a) => {
            let shape = AccountRecord {
                want: None,
                has_backup: false,
            };
            listing(&call, vec![a], &shape).await
        }
        // API 0 drops the period (its statusmsg is matched by older clients).
        None if call.version == ApiVersion::V0 => Err(WhmError::reason("Account does not exist")),
        None => Err(WhmError::reason("Account does not exist.")),
    }
}

#[derive(Debug, Serialize, JsonSchema)]
struct SuspendedAccount<'a> {
    user: &'a str,
    owner: &'a str,
    /// `Unknown` when none was given.
    reason: &'a str,
    time: String,
    unixtime: i64,
    is_locked: u8,
}

list_data!(
    /// listsuspended's data.
    Suspended = "Suspended" { "account": [SuspendedAccount] }
);

/// listsuspended's records: the suspended accounts.
struct SuspendedRecord;

impl RecordOf for SuspendedRecord {
    fn record(&self, a: &Account, _: Option<&Usage>) -> Option<Value> {
        let s = a.suspension.as_ref()?;
        serde_json::to_value(SuspendedAccount {
            user: &a.user,
            owner: &a.owner,
            reason: if s.reason.is_empty() {
                "Unknown"
            } else {
                &s.reason
            },
            time: ctime(s.time),
            unixtime: s.time,
            is_locked: u8::from(s.locked),
        })
        .ok()
    }
}

async fn listsuspended(call: Call, _: ()) -> Result<Outcome<Listed<Suspended>>, WhmError> {
    visible(&call, SuspendedRecord).await
}

list_data!(
    /// listlockedaccounts' data: user names.
    Locked = "Locked" { "account": [String] }
);

/// listlockedaccounts' records: the names of the accounts suspended and locked.
struct LockedRecord;

impl RecordOf for LockedRecord {
    fn record(&self, a: &Account, _: Option<&Usage>) -> Option<Value> {
        a.suspension
            .as_ref()
            .is_some_and(|s| s.locked)
            .then(|| Value::String(a.user.clone()))
    }
}

async fn listlockedaccounts(call: Call, _: ()) -> Result<Outcome<Listed<Locked>>, WhmError> {
    visible(&call, LockedRecord).await
}

/// The records of the accounts the caller may see (all for root, its own for a reseller),
/// read as they are written; an empty list when there are none.
async fn visible<D>(
    call: &Call,
    record: impl RecordOf + 'static,
) -> Result<Outcome<Listed<D>>, WhmError> {
    let owner = (!call.principal.is_root()).then_some(call.principal.user.as_str());
    let listing = Listing::start(AccountRecords::new(&call.ctx, owner, record)).await?;
    Ok(Outcome::ok(Listed::new(
        listing.unwrap_or_else(|| Listing::of(Vec::new())),
    )))
}
