//! One case per registered function: how to call it on a target's objects, and what kind of
//! check it makes. Placeholders name the target's objects (see `world`): `{user}`,
//! `{domain}`, `{pkg}`, `{fl}`, `{reseller}`, `{plain}` (an account root owns), `{tok}` (a
//! token of the target's user, by name), `{secret}` (a token of the target's user), and
//! `{new}` (a fresh name for each call).

/// What a function guards, which decides the outcomes the matrix expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Names no one's objects: allowed to whoever holds the privilege.
    Global,
    /// Acts on a named object: allowed on the caller's own, refused on another reseller's.
    Owned,
    /// A listing: allowed, without the other reseller's objects; with `shows_own`, the
    /// caller's own objects are in it (and root's shows everyone's).
    Listed { shows_own: bool },
    /// A listing of what belongs to the caller itself, root included: its own objects only.
    Personal,
    /// Only root may run it.
    RootOnly,
    /// A reseller's names get its own prefix, so naming another's object makes one of its own.
    Prefixed,
    /// `batch`: refused whole when a command names another's objects; runs on one's own.
    Batched,
}

#[derive(Debug)]
pub struct Case {
    pub function: &'static str,
    pub query: &'static str,
    pub kind: Kind,
}

const fn case(function: &'static str, query: &'static str, kind: Kind) -> Case {
    Case {
        function,
        query,
        kind,
    }
}

const LISTS_OWN: Kind = Kind::Listed { shows_own: true };
const LISTS: Kind = Kind::Listed { shows_own: false };

pub const CASES: &[Case] = &[
    // IP addresses are root's; the world's pool holds 198.51.100.250 and .251.
    case("listips", "", Kind::RootOnly),
    case(
        "addip",
        "ip=198.51.100.9&netmask=255.255.255.0",
        Kind::RootOnly,
    ),
    case(
        "addips",
        "ips=198.51.100.16/30&netmask=255.255.255.0",
        Kind::RootOnly,
    ),
    case("delip", "ip=198.51.100.250", Kind::RootOnly),
    case("setsiteip", "user={user}&ip=198.51.100.251", Kind::RootOnly),
    case("list_users", "", LISTS_OWN),
    case("get_domain_info", "", LISTS_OWN),
    // Server and privileges.
    case("version", "", Kind::Global),
    case("gethostname", "", Kind::Global),
    case("systemloadavg", "", Kind::Global),
    case("loadavg", "", Kind::Global),
    case("applist", "", Kind::Global),
    case("myprivs", "", Kind::Global),
    case(
        "batch",
        "command=accountsummary%3Fuser%3D{user}&command=dumpzone%3Fdomain%3D{domain}",
        Kind::Batched,
    ),
    // Accounts.
    case(
        "createacct",
        "username={new}&domain={new}.example.com&password=Pw-x-123456&plan={pkg}",
        Kind::Owned,
    ),
    case("modifyacct", "user={user}&MAXPOP=7", Kind::Owned),
    case("removeacct", "user={user}", Kind::Owned),
    case("listaccts", "", LISTS_OWN),
    case("accountsummary", "user={user}", Kind::Owned),
    case("suspendacct", "user={user}&reason=matrix", Kind::Owned),
    case("unsuspendacct", "user={user}", Kind::Owned),
    case("listsuspended", "", LISTS),
    case("listlockedaccounts", "", LISTS),
    case("verify_new_username", "user={new}", Kind::Global),
    case("validate_system_user", "user={user}", Kind::Global),
    // Backups are root's.
    case("toggle_user_backup_state", "user={user}", Kind::RootOnly),
    case("backup_config_get", "", Kind::RootOnly),
    case(
        "backup_config_set",
        "backup_daily_retention=6",
        Kind::RootOnly,
    ),
    case(
        "backup_destination_add",
        "name={new}&type=Local&path=/backup",
        Kind::RootOnly,
    ),
    case("backup_destination_list", "", Kind::RootOnly),
    case(
        "backup_destination_get",
        "id=mxdestination000000000000",
        Kind::RootOnly,
    ),
    case(
        "backup_destination_set",
        "id=mxdestination000000000000&name={new}",
        Kind::RootOnly,
    ),
    case(
        "backup_destination_delete",
        "id=mxdestgone00000000000000",
        Kind::RootOnly,
    ),
    case(
        "backup_destination_validate",
        "id=mxdestination000000000000&disableonfail=0",
        Kind::RootOnly,
    ),
    case("backup_date_list", "", Kind::RootOnly),
    case("backup_set_list", "", Kind::RootOnly),
    case(
        "backup_user_list",
        "restore_point=2026-12-06",
        Kind::RootOnly,
    ),
    case(
        "start_local_cpmove_restore",
        "cpmovepath={archive}",
        Kind::RootOnly,
    ),
    case(
        "get_transfer_session_state",
        "transfer_session_id=mxsession",
        Kind::RootOnly,
    ),
    case(
        "fetch_transfer_session_log",
        "transfer_session_id=mxsession&logfile=master.log",
        Kind::RootOnly,
    ),
    case("restore_modules_summary", "", Kind::RootOnly),
    case("start_background_pkgacct", "user={plain}", Kind::RootOnly),
    case(
        "restore_queue_add_task",
        "user=mxqueued&restore_point=2026-12-06",
        Kind::RootOnly,
    ),
    case("restore_queue_activate", "", Kind::RootOnly),
    case("restoreaccount", "user=mxlegacy&type=daily", Kind::RootOnly),
    // Backups are on for every account already: root's run changes nothing.
    case("backup_skip_users_all", "state=enable", Kind::RootOnly),
    case("backup_skip_users_all_status", "", Kind::RootOnly),
    case("restore_queue_is_active", "", Kind::RootOnly),
    case("restore_queue_state", "", Kind::RootOnly),
    case("restore_queue_list_pending", "", Kind::RootOnly),
    case("restore_queue_list_active", "", Kind::RootOnly),
    case("restore_queue_list_completed", "", Kind::RootOnly),
    case(
        "restore_queue_clear_pending_task",
        "user=mxqueued",
        Kind::RootOnly,
    ),
    case(
        "restore_queue_clear_completed_task",
        "user=mxqueued&start_time=1",
        Kind::RootOnly,
    ),
    case("restore_queue_clear_all_tasks", "", Kind::RootOnly),
    case("restore_queue_clear_all_pending_tasks", "", Kind::RootOnly),
    case(
        "restore_queue_clear_all_completed_tasks",
        "",
        Kind::RootOnly,
    ),
    case("restore_queue_clear_all_failed_tasks", "", Kind::RootOnly),
    case(
        "get_pkgacct_session_state",
        "session_id=mxpkgsession",
        Kind::RootOnly,
    ),
    case(
        "fetch_pkgacct_master_log",
        "session_id=mxpkgsession",
        Kind::RootOnly,
    ),
    case("passwd", "user={user}&password=New-pw-123456", Kind::Owned),
    case(
        "forcepasswordchange",
        "users_json=%7B%22{user}%22%3A1%7D",
        Kind::Owned,
    ),
    case("limitbw", "user={user}&bwlimit=100", Kind::Owned),
    case("showbw", "", LISTS_OWN),
    case("editquota", "user={user}&quota=100", Kind::Owned),
    case("changepackage", "user={user}&pkg={pkg}", Kind::Owned),
    case("domainuserdata", "domain={domain}", Kind::Owned),
    // Packages.
    case("addpkg", "name={pkg}x", Kind::Prefixed),
    case("editpkg", "name={pkg}&maxpop=3", Kind::Prefixed),
    case("killpkg", "pkgname={pkg}", Kind::Owned),
    case("listpkgs", "want=all", LISTS_OWN),
    case("getpkginfo", "pkg={pkg}", Kind::Owned),
    case("matchpkgs", "", LISTS_OWN),
    // Feature lists.
    case("get_featurelists", "", LISTS_OWN),
    case("get_feature_names", "", Kind::Global),
    case("get_featurelist_data", "featurelist={fl}", Kind::Owned),
    case(
        "create_featurelist",
        "featurelist={fl}&overwrite=1&webmail=1",
        Kind::Owned,
    ),
    case("update_featurelist", "featurelist={fl}&ssh=0", Kind::Owned),
    case("delete_featurelist", "featurelist={fl}", Kind::Owned),
    // API tokens: each user has its own; a name another user has is simply not the caller's.
    case("api_token_create", "token_name={new}", Kind::Global),
    case("api_token_list", "", Kind::Personal),
    case(
        "api_token_update",
        "token_name={tok}&expires_at=0",
        Kind::Owned,
    ),
    case("api_token_revoke", "token_name={tok}", Kind::Global),
    case("api_token_get_details", "token={secret}", Kind::Owned),
    case(
        "create_user_session",
        "user={reseller}&service=whostmgrd",
        Kind::Owned,
    ),
    // cPHulk.
    case("cphulk_status", "", Kind::RootOnly),
    case("enable_cphulk", "", Kind::RootOnly),
    case("disable_cphulk", "", Kind::RootOnly),
    case("load_cphulk_config", "", Kind::RootOnly),
    case("save_cphulk_config", "max_failures_byip=6", Kind::RootOnly),
    case("get_cphulk_failed_logins", "", Kind::RootOnly),
    case("get_cphulk_brutes", "", Kind::RootOnly),
    case("get_cphulk_excessive_brutes", "", Kind::RootOnly),
    case("flush_cphulk_login_history", "", Kind::RootOnly),
    case(
        "flush_cphulk_login_history_for_ips",
        "ip=192.0.2.1",
        Kind::RootOnly,
    ),
    case(
        "create_cphulk_record",
        "list_name=white&ip=192.0.2.1",
        Kind::RootOnly,
    ),
    case(
        "delete_cphulk_record",
        "list_name=white&ip=192.0.2.1",
        Kind::RootOnly,
    ),
    case("read_cphulk_records", "list_name=white", Kind::RootOnly),
    // DNS. Each account's zone comes from the standard template: line 4 is its SOA, line 21
    // the `ftp` CNAME.
    case(
        "adddns",
        "domain={new}.example.org&ip=192.0.2.5&trueowner={user}",
        Kind::Owned,
    ),
    case("killdns", "domain={domain}", Kind::Owned),
    case("listzones", "", LISTS_OWN),
    case("dumpzone", "domain={domain}", Kind::Owned),
    case("resetzone", "domain={domain}", Kind::Owned),
    case("getzonerecord", "domain={domain}&line=4", Kind::Owned),
    case(
        "addzonerecord",
        "domain={domain}&name={new}&type=A&address=192.0.2.9",
        Kind::Owned,
    ),
    case(
        "editzonerecord",
        "domain={domain}&line=21&cname=other.example.net",
        Kind::Owned,
    ),
    case("removezonerecord", "domain={domain}&line=21", Kind::Owned),
    case("listmxs", "domain={domain}", Kind::Owned),
    case(
        "savemxs",
        "domain={domain}&exchange=mx.example.net&preference=5",
        Kind::Owned,
    ),
    // The address of a name in a zone whmd serves is public.
    case("lookupnsip", "host={domain}", Kind::Global),
    case("get_nameserver_config", "", Kind::Global),
    // Resellers.
    case("setupreseller", "user={plain}", Kind::RootOnly),
    case("unsetupreseller", "user={reseller}", Kind::RootOnly),
    case("listresellers", "", Kind::RootOnly),
    case(
        "setacls",
        "reseller={reseller}&acl-list-accts=1",
        Kind::RootOnly,
    ),
    case("listacls", "", Kind::RootOnly),
    case("saveacllist", "acllist={new}&acl-passwd=1", Kind::RootOnly),
    case(
        "setresellerlimits",
        "user={reseller}&enable_account_limit=1&account_limit=5",
        Kind::RootOnly,
    ),
    case(
        "setresellerpackagelimit",
        "user={reseller}&package={pkg}&allowed=1",
        Kind::RootOnly,
    ),
    case("acctcounts", "user={reseller}", Kind::Owned),
    case("resellerstats", "user={reseller}", Kind::RootOnly),
    case("suspendreseller", "user={reseller}", Kind::RootOnly),
    case("unsuspendreseller", "user={reseller}", Kind::RootOnly),
    case(
        "terminatereseller",
        "user={reseller}&terminatereseller=1",
        Kind::RootOnly,
    ),
];
