//! Checks for [`whmd_domain::store::AccountStore`].

use crate::Names;
use std::collections::BTreeMap;
use whmd_domain::account::{Account, AccountingEntry, Suspension};
use whmd_domain::reseller::{PackageLimit, Reseller};
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::{
    AccountChange, AccountColumn, AccountPage, AccountQuery, Allotted, ApiTokenRecord, Conflict,
    OwnedCounts, Scope,
};
use whmd_domain::{StoreError, Stores};
use whmd_wire::Acl;
use whmd_wire::output::TextTest;

pub(crate) fn account(user: &str, owner: &str) -> Account {
    let mut cpuser = BTreeMap::new();
    cpuser.insert("MAXPOP".to_owned(), "10".to_owned());
    cpuser.insert("bogus_food".to_owned(), "y".to_owned());
    Account {
        user: user.to_owned(),
        domain: format!("{user}.example.com"),
        owner: owner.to_owned(),
        plan: "default".to_owned(),
        ip: "192.0.2.1".to_owned(),
        uid: 0,
        homedir: format!("/home/{user}"),
        shell: "/usr/local/cpanel/bin/noshell".to_owned(),
        quota_mb: Some(500),
        suspension: None,
        reseller: None,
        cpuser,
        domains: vec![],
        dead_domains: vec![],
        homedir_links: vec![],
        host: "host-a.example.com".into(),
        mtime: 1_700_000_000,
        revision: 0,
    }
}

pub(crate) fn log(action: &str, user: &str) -> AccountingEntry {
    AccountingEntry::new(1_700_000_000, action, "root", vec![user.to_owned()])
}

/// Stores `owner` as a reseller without privileges, owned by root.
pub(crate) async fn create_reseller(stores: &Stores, owner: &str) {
    let mut reseller = account(owner, "root");
    reseller.reseller = Some(Reseller::new(whmd_wire::AclSet::EMPTY));
    stores
        .accounts
        .change(&AccountChange::create(
            reseller.clone(),
            "$p",
            log("CREATE", owner),
        ))
        .await
        .expect("the reseller");
}

pub async fn accounts_round_trip(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let mut alice = account(&names.user("alice"), "root");
    alice.suspension = Some(Suspension {
        reason: "unpaid".into(),
        time: 5,
        locked: true,
        leave_ftp_enabled: false,
    });
    alice.quota_mb = None;
    let mut reseller = Reseller::new([Acl::LIST_ACCTS, Acl::CREATE_ACCT].into_iter().collect());
    reseller.limits.account_limit_enabled = true;
    reseller.limits.account_limit = 7;
    reseller.limits.packages.insert(
        "gold".into(),
        PackageLimit {
            allowed: true,
            number: Some(2),
        },
    );
    alice.reseller = Some(reseller);
    let created = a
        .change(&AccountChange::create(
            alice.clone(),
            "$phc",
            log("CREATE", &alice.user),
        ))
        .await
        .expect("create");
    let stored = a.account(&alice.user).await.expect("get").expect("exists");
    assert_eq!(
        created.as_ref(),
        Some(&stored),
        "a change returns the stored account"
    );
    assert!(stored.uid > 1000, "a uid is assigned: {}", stored.uid);
    assert_eq!(
        Account {
            uid: 0,
            ..stored.clone()
        },
        alice,
        "an account round-trips"
    );
    let by_domain = a.account_by_domain(&alice.domain).await.expect("get");
    assert_eq!(by_domain.as_ref(), Some(&stored), "found by its domain");
    let mut fixed = account(&names.user("alicefix"), "root");
    fixed.uid = 4_000_000 + stored.uid;
    a.change(&AccountChange::create(
        fixed.clone(),
        "$phc",
        log("CREATE", &fixed.user),
    ))
    .await
    .expect("create with a uid");
    let got = a.account(&fixed.user).await.expect("get").expect("exists");
    assert_eq!(got.uid, fixed.uid, "a given uid is kept");
    assert_eq!(
        a.account(&names.user("nobody")).await.expect("get"),
        None,
        "an unknown user is None"
    );
    let phc = stores
        .credentials
        .password_hash(&alice.user)
        .await
        .expect("password");
    assert_eq!(
        phc.as_deref(),
        Some("$phc"),
        "the password is stored with the account"
    );
}

pub async fn names_and_domains_are_unique(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let bob = account(&names.user("bob"), "root");
    a.change(&AccountChange::create(
        bob.clone(),
        "$one",
        log("CREATE", &bob.user),
    ))
    .await
    .expect("create");
    let before = a.accounting_log(10_000).await.expect("log").len();
    let again = a
        .change(&AccountChange::create(
            bob.clone(),
            "$two",
            log("CREATE", &bob.user),
        ))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(Conflict::Username))),
        "a taken username is a Conflict: {again:?}"
    );
    let same_domain = Account {
        user: names.user("bob2"),
        ..bob.clone()
    };
    let again = a
        .change(&AccountChange::create(
            same_domain.clone(),
            "$two",
            log("CREATE", &same_domain.user),
        ))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(Conflict::Domain))),
        "a taken domain is a Conflict: {again:?}"
    );
    assert_eq!(
        a.account(&same_domain.user).await.expect("get"),
        None,
        "nothing half-written"
    );
    let phc = stores
        .credentials
        .password_hash(&bob.user)
        .await
        .expect("password");
    assert_eq!(
        phc.as_deref(),
        Some("$one"),
        "a refused create changes no password"
    );
    assert_eq!(
        a.accounting_log(10_000).await.expect("log").len(),
        before,
        "a refused create logs nothing"
    );
}

pub async fn listing_by_owner(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let reseller = names.user("res");
    for n in ["lc", "la", "lb"] {
        let mut acct = account(&names.user(n), &reseller);
        acct.set("BWLIMIT", "1048576");
        a.change(&AccountChange::create(
            acct.clone(),
            "$p",
            log("CREATE", &acct.user),
        ))
        .await
        .expect("create");
    }
    let owned: Vec<String> = a
        .accounts(Some(&reseller))
        .await
        .expect("list")
        .into_iter()
        .map(|a| a.user)
        .collect();
    assert_eq!(
        owned,
        [names.user("la"), names.user("lb"), names.user("lc")],
        "owned accounts, by username"
    );
    let all = a.accounts(None).await.expect("list all");
    assert!(
        all.len() >= 3 && all.windows(2).all(|w| w[0].user < w[1].user),
        "every account, ordered"
    );
    // Counted in the store: one of the three suspended.
    let mut lb = a
        .account(&names.user("lb"))
        .await
        .expect("read")
        .expect("there");
    lb.suspension = Some(Suspension {
        reason: "r".into(),
        time: 1,
        locked: false,
        leave_ftp_enabled: false,
    });
    a.change(&AccountChange::update(lb.user.clone(), lb, vec![]))
        .await
        .expect("suspend");
    assert_eq!(
        a.owned_counts(&reseller).await.expect("count"),
        OwnedCounts {
            total: 3,
            suspended: 1,
            allotted: Allotted {
                disk_mb: 1500,
                bandwidth_bytes: 3 * 1_048_576,
            },
            allotted_active: Allotted {
                disk_mb: 1000,
                bandwidth_bytes: 2 * 1_048_576,
            },
        }
    );
    assert_eq!(
        a.owned_counts(&names.user("nobody")).await.expect("count"),
        OwnedCounts::default()
    );
}

/// Reads every account of `scope` `limit` at a time, as listings do.
async fn in_batches(stores: &Stores, scope: Scope<'_>, limit: u32) -> Vec<String> {
    let mut users: Vec<String> = Vec::new();
    loop {
        let after = users.last().cloned().unwrap_or_default();
        let batch = stores
            .accounts
            .accounts_after(scope, &after, limit)
            .await
            .expect("a batch");
        assert!(batch.len() <= limit as usize, "at most the limit");
        if batch.is_empty() {
            return users;
        }
        users.extend(batch.into_iter().map(|a| a.user));
    }
}

pub async fn batched_listing(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let reseller = names.user("bres");
    let plan = names.user("bplan");
    // Byte order, whatever the database's collation: `-` < `.` < `0` < `_` < `a`.
    let mut wanted: Vec<String> = ["ba", "b_a", "b0", "b.a", "b-a"]
        .iter()
        .map(|n| names.user(n))
        .collect();
    for user in &wanted {
        let mut acct = account(user, &reseller);
        acct.plan = plan.clone();
        a.change(&AccountChange::create(acct, "$p", log("CREATE", user)))
            .await
            .expect("create");
    }
    wanted.sort();
    for limit in [1, 2, 5, 100] {
        assert_eq!(
            in_batches(stores, Scope::OwnedBy(&reseller), limit).await,
            wanted,
            "an owner's accounts in byte order, {limit} at a time"
        );
        assert_eq!(
            in_batches(stores, Scope::OnPlan(&plan), limit).await,
            wanted,
            "a package's accounts in byte order, {limit} at a time"
        );
    }
    let all = in_batches(stores, Scope::All, 3).await;
    assert!(
        all.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()),
        "every account once, in byte order"
    );
    assert!(wanted.iter().all(|w| all.contains(w)), "every account");
    assert!(
        in_batches(stores, Scope::OwnedBy(&names.user("nobody")), 2)
            .await
            .is_empty()
    );
    let asked = [wanted[3].clone(), names.user("gone"), wanted[0].clone()];
    let mut named: Vec<String> = a
        .accounts_named(&asked)
        .await
        .expect("named")
        .into_iter()
        .map(|a| a.user)
        .collect();
    named.sort();
    assert_eq!(
        named,
        [wanted[0].clone(), wanted[3].clone()],
        "the accounts that exist"
    );
    assert!(a.accounts_named(&[]).await.expect("none").is_empty());
}

pub async fn paged_listing(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let owner = names.user("pgown");
    for (n, domain, ip) in [
        ("pa", "k5.example", "192.0.2.9"),
        ("pb", "k5.example", "192.0.2.10"),
        ("pc", "zz.example", "192.0.2.9"),
        ("pd", "k5.example", "10.0.0.1"),
    ] {
        let mut acct = account(&names.user(n), &owner);
        acct.domain = format!("{}.{domain}", acct.user);
        acct.ip = ip.to_owned();
        a.change(&AccountChange::create(
            acct.clone(),
            "$p",
            log("CREATE", &acct.user),
        ))
        .await
        .expect("create");
    }
    let users = |page: &AccountPage| {
        page.accounts
            .iter()
            .map(|a| a.user.clone())
            .collect::<Vec<_>>()
    };
    let named = |ns: &[&str]| ns.iter().map(|n| names.user(n)).collect::<Vec<_>>();
    let all = |n: usize| 0..n;
    let query = |filters, order| AccountQuery {
        owner: Some(owner.clone()),
        filters,
        order,
    };

    let page = a
        .account_page(&query(vec![], vec![]), &all)
        .await
        .expect("page");
    assert_eq!(
        (page.unfiltered, page.matching),
        (4, 4),
        "counts without filters"
    );
    assert_eq!(
        users(&page),
        named(&["pa", "pb", "pc", "pd"]),
        "by username without keys"
    );
    let stored = a
        .account(&names.user("pb"))
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(page.accounts[1], stored, "whole accounts come back");

    let k5 = vec![(AccountColumn::Domain, TextTest::Contains("k5".into()))];
    let page = a
        .account_page(&query(k5.clone(), vec![(AccountColumn::Ip, false)]), &all)
        .await
        .expect("page");
    assert_eq!(
        (page.unfiltered, page.matching),
        (4, 3),
        "counts with a filter"
    );
    assert_eq!(
        users(&page),
        named(&["pd", "pb", "pa"]),
        "addresses sort byte-wise"
    );
    let second = |n: usize| 1.min(n)..3.min(n);
    let page = a
        .account_page(&query(k5, vec![(AccountColumn::Ip, false)]), &second)
        .await
        .expect("page");
    assert_eq!(
        users(&page),
        named(&["pb", "pa"]),
        "the window is taken after sorting"
    );

    let page = a
        .account_page(&query(vec![], vec![(AccountColumn::Ip, true)]), &all)
        .await
        .expect("page");
    assert_eq!(
        users(&page),
        named(&["pa", "pc", "pb", "pd"]),
        "reversed keys; ties stay by username"
    );

    let filtered = |filters| async {
        users(
            &a.account_page(&query(filters, vec![]), &all)
                .await
                .expect("page"),
        )
    };
    assert_eq!(
        filtered(vec![(AccountColumn::Ip, TextTest::Eq("192.0.2.9".into()))]).await,
        named(&["pa", "pc"]),
        "eq is exact"
    );
    assert_eq!(
        filtered(vec![(AccountColumn::Ip, TextTest::Eq("192.0.2.".into()))]).await,
        Vec::<String>::new(),
        "eq is not a prefix"
    );
    assert_eq!(
        filtered(vec![(
            AccountColumn::User,
            TextTest::Begins(names.user("pc").to_lowercase())
        )])
        .await,
        named(&["pc"]),
        "begins"
    );
    assert_eq!(
        filtered(vec![(AccountColumn::Domain, TextTest::Begins("k5".into()))]).await,
        Vec::<String>::new(),
        "begins is anchored"
    );
    assert_eq!(
        filtered(vec![(
            AccountColumn::Domain,
            TextTest::Contains("%".into())
        )])
        .await,
        Vec::<String>::new(),
        "terms are literal text, not patterns"
    );
    for term in ["_", "\\", "k_"] {
        assert_eq!(
            filtered(vec![(
                AccountColumn::Domain,
                TextTest::Contains(term.into())
            )])
            .await,
            Vec::<String>::new(),
            "{term:?} is literal text"
        );
    }
    assert_eq!(
        filtered(vec![(AccountColumn::Ip, TextTest::Contains(".2.1".into()))]).await,
        named(&["pb"]),
        "contains is a substring test"
    );
    assert_eq!(
        filtered(vec![
            (AccountColumn::Domain, TextTest::Contains("k5".into())),
            (AccountColumn::Owner, TextTest::Eq(owner.clone())),
            (AccountColumn::Ip, TextTest::Begins("192.".into())),
        ])
        .await,
        named(&["pa", "pb"]),
        "every filter must hold"
    );
    let past = |_: usize| 10..10;
    let page = a
        .account_page(&query(vec![], vec![]), &past)
        .await
        .expect("page");
    assert_eq!(
        (page.matching, page.accounts.len()),
        (4, 0),
        "a window past the end is empty"
    );
    let nobody = AccountQuery {
        owner: Some(names.user("pgnobody")),
        ..AccountQuery::default()
    };
    let page = a.account_page(&nobody, &all).await.expect("page");
    assert_eq!(page, AccountPage::default(), "an owner of nothing");
}

pub async fn updates_are_guarded_by_revision(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let carol = account(&names.user("carol"), "root");
    a.change(&AccountChange::create(
        carol.clone(),
        "$p",
        log("CREATE", &carol.user),
    ))
    .await
    .expect("create");
    let read = a.account(&carol.user).await.expect("get").expect("exists");
    let mut first = read.clone();
    first.set("MAXPOP", "20");
    let updated = a
        .change(&AccountChange::update(
            &carol.user,
            first.clone(),
            vec![log("MODIFY", &carol.user)],
        ))
        .await
        .expect("first update")
        .expect("stored");
    assert_eq!(
        updated.revision,
        read.revision + 1,
        "an update bumps the revision"
    );
    assert_eq!(updated.get("MAXPOP"), Some("20"));
    let mut second = read.clone();
    second.set("MAXFTP", "3");
    let stale = a
        .change(&AccountChange::update(
            &carol.user,
            second.clone(),
            vec![log("MODIFY", &carol.user)],
        ))
        .await;
    assert!(
        matches!(stale, Err(StoreError::Conflict(Conflict::Changed))),
        "a stale revision is a Conflict: {stale:?}"
    );
    let now = a.account(&carol.user).await.expect("get").expect("exists");
    assert_eq!(now.get("MAXPOP"), Some("20"), "the first update stands");
    assert_eq!(now.get("MAXFTP"), None, "the stale one wrote nothing");
    assert_eq!(
        now.revision,
        read.revision + 1,
        "each update bumps the revision"
    );
}

pub async fn renames_move_what_belongs_to_the_user(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let (old, new) = (names.user("dave"), names.user("dave2"));
    let dave = account(&old, "root");
    a.change(&AccountChange::create(
        dave.clone(),
        "$dave",
        log("CREATE", &old),
    ))
    .await
    .expect("create");
    let customer = account(&names.user("davec"), &old);
    a.change(&AccountChange::create(
        customer.clone(),
        "$c",
        log("CREATE", &customer.user),
    ))
    .await
    .expect("create");
    let token = ApiTokenRecord {
        user: old.clone(),
        name: "t".into(),
        digest: token_digest(generate_api_token().expose()),
        create_time: 0,
        expires_at: None,
        acls: None,
        whitelist: None,
    };
    stores
        .credentials
        .insert_api_token(&token, &[])
        .await
        .expect("token");
    let mut renamed = a.account(&old).await.expect("get").expect("exists");
    renamed.user = new.clone();
    a.change(&AccountChange::update(
        &old,
        renamed.clone(),
        vec![log("MODIFY", &new)],
    ))
    .await
    .expect("rename");
    assert_eq!(
        a.account(&old).await.expect("get"),
        None,
        "the old name is gone"
    );
    assert!(
        a.account(&new).await.expect("get").is_some(),
        "the new name exists"
    );
    assert_eq!(
        stores
            .credentials
            .password_hash(&new)
            .await
            .expect("pw")
            .as_deref(),
        Some("$dave"),
        "password moved"
    );
    assert_eq!(
        stores.credentials.password_hash(&old).await.expect("pw"),
        None,
        "no password left behind"
    );
    let moved = stores
        .credentials
        .api_token_by_digest(&token.digest)
        .await
        .expect("token")
        .expect("exists");
    assert_eq!(moved.user, new, "tokens moved");
    let owned = a
        .account(&customer.user)
        .await
        .expect("get")
        .expect("exists");
    assert_eq!(
        owned.owner, new,
        "owned accounts follow their owner's new name"
    );
    let taken = Account {
        user: customer.user.clone(),
        ..a.account(&new).await.expect("get").expect("exists")
    };
    let clash = a
        .change(&AccountChange::update(&new, taken.clone(), vec![]))
        .await;
    assert!(
        matches!(clash, Err(StoreError::Conflict(Conflict::Username))),
        "renaming onto a taken name is a Conflict: {clash:?}"
    );
}

pub async fn removal_and_passwords(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let erin = account(&names.user("erin"), "root");
    let customer = account(&names.user("erinc"), &erin.user);
    a.change(&AccountChange::create(
        erin.clone(),
        "$p",
        log("CREATE", &erin.user),
    ))
    .await
    .expect("create");
    a.change(&AccountChange::create(
        customer.clone(),
        "$p",
        log("CREATE", &customer.user),
    ))
    .await
    .expect("create");
    a.change(&AccountChange::password(
        &erin.user,
        "$q",
        log("PASSWD", &erin.user),
    ))
    .await
    .expect("passwd");
    assert_eq!(
        stores
            .credentials
            .password_hash(&erin.user)
            .await
            .expect("pw")
            .as_deref(),
        Some("$q")
    );
    assert!(matches!(
        a.change(&AccountChange::password(
            names.user("ghost"),
            "$q",
            log("PASSWD", "ghost")
        ))
        .await,
        Err(StoreError::Conflict(Conflict::NoAccount))
    ));
    a.change(&AccountChange::remove(
        &erin.user,
        false,
        log("REMOVE", &erin.user),
    ))
    .await
    .expect("remove");
    assert!(matches!(
        a.change(&AccountChange::remove(
            &erin.user,
            false,
            log("REMOVE", &erin.user)
        ))
        .await,
        Err(StoreError::Conflict(Conflict::NoAccount))
    ));
    assert_eq!(
        stores
            .credentials
            .password_hash(&erin.user)
            .await
            .expect("pw"),
        None,
        "the password goes too"
    );
    let orphan = a.account(&customer.user).await.expect("get").expect("kept");
    assert_eq!(
        orphan.owner, "root",
        "a removed owner's accounts pass to root"
    );
}

pub async fn db_prefixes_and_the_log(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let user = names.user("pre_fix.one");
    let acct = account(&user, "root");
    a.change(&AccountChange::create(
        acct.clone(),
        "$p",
        log("CREATE", &user),
    ))
    .await
    .expect("create");
    let dbowner: String = user.chars().filter(|c| !matches!(c, '_' | '.')).collect();
    let found = a
        .users_with_db_prefix(&dbowner[..dbowner.len() - 2])
        .await
        .expect("prefix");
    assert_eq!(
        found.as_slice(),
        std::slice::from_ref(&user),
        "found by the prefix of its dbowner form"
    );
    assert!(
        a.users_with_db_prefix("*")
            .await
            .expect("prefix")
            .is_empty(),
        "glob characters are literal"
    );
    let last = a.accounting_log(1).await.expect("log");
    assert_eq!(
        last,
        [log("CREATE", &user)],
        "the newest entry, written with the change"
    );
}
