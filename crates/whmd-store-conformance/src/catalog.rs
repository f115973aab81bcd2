//! Checks for packages, feature lists, ACL lists, and the admission rules account writes obey.

use crate::Names;
use crate::accounts::{account, create_reseller, log};
use std::collections::BTreeMap;
use whmd_domain::account::Account;
use whmd_domain::features::FeatureList;
use whmd_domain::package::Package;
use whmd_domain::reseller::{LimitViolation, Reseller, ResellerLimits};
use whmd_domain::store::{
    AccountChange, Admission, Conflict, PackageRemoval, PlanGuard, REAPPLY_BATCH, Reapplied,
    Refusal, Scope,
};
use whmd_domain::{StoreError, Stores};
use whmd_wire::{Acl, AclSet};

fn package(name: &str, owner: &str) -> Package {
    let mut p = Package::new(name, owner);
    p.settings.insert("MAXPOP".into(), "10".into());
    p.settings.insert("ext_colour".into(), "blue".into());
    p
}

fn guard(p: Option<&Package>, name: &str) -> Admission {
    Admission {
        plan: Some(PlanGuard {
            name: name.to_owned(),
            revision: p.map(|p| p.revision),
        }),
        limits: None,
        address: None,
    }
}

/// A re-application that sets one cpuser key, and says whether the host changed.
fn set(
    key: &'static str,
    value: &'static str,
    host: bool,
) -> impl Fn(&mut Account) -> Reapplied + Send + Sync {
    move |account: &mut Account| {
        account.set(key, value);
        Reapplied {
            log: log("MODIFY", &account.user),
            host,
        }
    }
}

/// A package with more accounts than are read at a time is re-applied to every one of them,
/// all or nothing.
pub async fn packages_reapply_in_batches(stores: &Stores, names: &Names) {
    let s = stores.packages.as_ref();
    let mut big = package(&names.user("bigpkg"), "root");
    s.create_package(&big).await.expect("create");
    big = s.package(&big.name).await.expect("read").expect("there");
    let count = REAPPLY_BATCH as usize + 20;
    let users: Vec<String> = (0..count)
        .map(|i| names.user(&format!("rb{i:04}")))
        .collect();
    let creates = users.iter().map(|user| {
        let mut on = account(user, "root");
        on.plan = big.name.clone();
        async move {
            stores
                .accounts
                .change(&AccountChange::create(on, "$p", log("CREATE", user)))
                .await
                .expect("create on the package");
        }
    });
    futures::future::join_all(creates).await;

    // A write that fails in the second batch (a domain another account has) undoes all.
    let taken = format!("{}.example.com", users[0]);
    let last = users[count - 1].clone();
    let failing = move |account: &mut Account| {
        account.set("MAXPOP", "40");
        if account.user == last {
            account.domain.clone_from(&taken);
        }
        Reapplied {
            log: log("MODIFY", &account.user),
            host: false,
        }
    };
    let mut changed = big.clone();
    changed.settings.insert("MAXPOP".into(), "40".into());
    assert!(
        matches!(
            s.update_package(&changed, false, &failing).await,
            Err(StoreError::Conflict(_))
        ),
        "a failing write is a conflict"
    );
    assert_eq!(
        s.package(&big.name).await.expect("read"),
        Some(big.clone()),
        "the package is as it was"
    );
    let first = stores
        .accounts
        .account(&users[0])
        .await
        .expect("read")
        .expect("there");
    assert_eq!(first.get("MAXPOP"), Some("10"), "and so are its accounts");

    let host = s
        .update_package(&changed, false, &set("MAXPOP", "40", true))
        .await
        .expect("update");
    assert_eq!(host.len(), count, "every account on the package");
    for user in [&users[0], &users[REAPPLY_BATCH as usize], &users[count - 1]] {
        let account = stores
            .accounts
            .account(user)
            .await
            .expect("read")
            .expect("there");
        assert_eq!(account.get("MAXPOP"), Some("40"), "{user} was re-applied");
    }
}

pub async fn packages_round_trip(stores: &Stores, names: &Names) {
    let s = stores.packages.as_ref();
    let gold = package(&names.user("gold"), "root");
    let silver = package(&names.user("silver"), &names.user("res"));
    s.create_package(&silver).await.expect("create");
    s.create_package(&gold).await.expect("create");
    assert_eq!(
        s.package(&gold.name).await.expect("read"),
        Some(gold.clone()),
        "a package round-trips"
    );
    assert_eq!(s.package(&names.user("none")).await.expect("read"), None);
    let listed: Vec<String> = s
        .packages()
        .await
        .expect("list")
        .into_iter()
        .map(|p| p.name)
        .filter(|n| n.starts_with(&names.user("")))
        .collect();
    assert_eq!(listed, [gold.name.clone(), silver.name.clone()], "by name");
    assert!(
        matches!(
            s.create_package(&gold).await,
            Err(StoreError::Conflict(Conflict::Name))
        ),
        "a name exists once"
    );

    // An update re-applies to exactly the accounts on the package.
    let a = stores.accounts.as_ref();
    let mut on = account(&names.user("onpkg"), "root");
    on.plan = gold.name.clone();
    a.change(
        &AccountChange::create(on.clone(), "$p", log("CREATE", &on.user))
            .admitted(guard(Some(&gold), &gold.name)),
    )
    .await
    .expect("create on the package");
    let mut changed = gold.clone();
    changed.settings.insert("MAXPOP".into(), "20".into());
    let host = s
        .update_package(&changed, false, &set("MAXPOP", "20", true))
        .await
        .expect("update");
    let member = a.account(&on.user).await.expect("read").expect("exists");
    assert_eq!(host, [member.uid], "the accounts whose host changed");
    let stored = s.package(&gold.name).await.expect("read").expect("exists");
    assert_eq!(stored.get("MAXPOP"), "20");
    assert_eq!(stored.revision, gold.revision + 1, "the revision moves on");
    assert_eq!(
        member.get("MAXPOP"),
        Some("20"),
        "the account changed with it"
    );
    assert!(
        matches!(
            s.update_package(&changed, false, &set("MAXPOP", "99", false))
                .await,
            Err(StoreError::Conflict(Conflict::Changed))
        ),
        "a stale revision is a conflict"
    );
    let member = a.account(&on.user).await.expect("read").expect("exists");
    assert_eq!(member.get("MAXPOP"), Some("20"), "and changes nothing");

    // With `create`, the first edit stores the package and re-applies it.
    let mut first = package(&names.user("firstedit"), "root");
    let mut stray = account(&names.user("stray"), "root");
    stray.plan = first.name.clone();
    a.change(&AccountChange::create(
        stray.clone(),
        "$p",
        log("CREATE", &stray.user),
    ))
    .await
    .expect("an account on a package not stored yet");
    assert!(
        s.update_package(&first, true, &set("MAXPOP", "30", false))
            .await
            .expect("stored by its first edit")
            .is_empty()
    );
    assert!(s.package(&first.name).await.expect("read").is_some());
    let stray = a.account(&stray.user).await.expect("read").expect("exists");
    assert_eq!(stray.get("MAXPOP"), Some("30"));
    first.revision = 0;
    assert!(
        matches!(
            s.update_package(&first, true, &set("MAXPOP", "31", false))
                .await,
            Err(StoreError::Conflict(Conflict::Name))
        ),
        "a package stored already is not created again"
    );

    assert_eq!(
        s.remove_package(&gold.name).await.expect("remove"),
        PackageRemoval::InUse
    );
    assert!(s.package(&gold.name).await.expect("read").is_some());
    assert_eq!(
        s.remove_package(&silver.name).await.expect("remove"),
        PackageRemoval::Removed
    );
    assert_eq!(
        s.remove_package(&silver.name).await.expect("remove"),
        PackageRemoval::NotFound
    );
    assert_eq!(
        a.accounts_after(Scope::OnPlan(&gold.name), "", 10)
            .await
            .expect("list")
            .into_iter()
            .map(|a| a.user)
            .collect::<Vec<_>>(),
        [on.user.clone()]
    );
}

pub async fn plans_are_guarded(stores: &Stores, names: &Names) {
    let (s, a) = (stores.packages.as_ref(), stores.accounts.as_ref());
    let plan = package(&names.user("guarded"), "root");
    s.create_package(&plan).await.expect("create");
    let mut acct = account(&names.user("guardacct"), "root");
    acct.plan = names.user("vanished");
    let refused = a
        .change(
            &AccountChange::create(acct.clone(), "$p", log("CREATE", &acct.user))
                .admitted(guard(None, &acct.plan)),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Refused(Refusal::NoSuchPackage(ref p))) if *p == acct.plan
        ),
        "a package that does not exist refuses the write: {refused:?}"
    );
    acct.plan = plan.name.clone();
    let stale = Package {
        revision: plan.revision + 5,
        ..plan.clone()
    };
    let refused = a
        .change(
            &AccountChange::create(acct.clone(), "$p", log("CREATE", &acct.user))
                .admitted(guard(Some(&stale), &plan.name)),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Package))),
        "a package changed since it was read is a conflict: {refused:?}"
    );
    assert!(a.account(&acct.user).await.expect("read").is_none());
    acct.plan = "default".into();
    a.change(
        &AccountChange::create(acct.clone(), "$p", log("CREATE", &acct.user))
            .admitted(guard(None, "default")),
    )
    .await
    .expect("the implicit default always exists");
    let mut moved = a.account(&acct.user).await.expect("read").expect("exists");
    moved.plan = plan.name.clone();
    a.change(
        &AccountChange::update(&acct.user, moved.clone(), vec![])
            .admitted(guard(Some(&plan), &plan.name)),
    )
    .await
    .expect("a move onto a package");
    assert_eq!(
        s.remove_package(&plan.name).await.expect("remove"),
        PackageRemoval::InUse
    );
}

pub async fn reseller_limits_hold_in_the_store(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let owner = names.user("limited");
    create_reseller(stores, &owner).await;
    let limits = ResellerLimits {
        account_limit_enabled: true,
        account_limit: 2,
        resource_limits_enabled: true,
        disk_mb: 1000,
        bandwidth_mb: 1000,
        ..ResellerLimits::default()
    };
    let admission = Admission {
        plan: None,
        limits: Some(limits.clone()),
        address: None,
    };
    let customer = |n: &str, quota: u64| {
        let mut c = account(&names.user(n), &owner);
        c.quota_mb = Some(quota);
        c.set("BWLIMIT", "1048576");
        c
    };
    let first = customer("lim1", 600);
    a.change(
        &AccountChange::create(first.clone(), "$p", log("CREATE", &first.user))
            .admitted(admission.clone()),
    )
    .await
    .expect("within the limits");
    let too_big = customer("lim2", 500);
    let refused = a
        .change(
            &AccountChange::create(too_big.clone(), "$p", log("CREATE", &too_big.user))
                .admitted(admission.clone()),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Refused(Refusal::Limit(LimitViolation::Disk(
                1000
            ))))
        ),
        "quotas add up past the disk limit: {refused:?}"
    );
    let second = customer("lim2", 400);
    a.change(
        &AccountChange::create(second.clone(), "$p", log("CREATE", &second.user))
            .admitted(admission.clone()),
    )
    .await
    .expect("exactly at the limit");
    let third = customer("lim3", 1);
    let refused = a
        .change(
            &AccountChange::create(third.clone(), "$p", log("CREATE", &third.user))
                .admitted(admission.clone()),
        )
        .await;
    assert!(
        matches!(
            refused,
            Err(StoreError::Refused(Refusal::Limit(
                LimitViolation::Accounts(2)
            )))
        ),
        "the account limit: {refused:?}"
    );
    assert!(a.account(&third.user).await.expect("read").is_none());
    // An update does not count the account against itself.
    let mut grown = a
        .account(&second.user)
        .await
        .expect("read")
        .expect("exists");
    grown.quota_mb = Some(400);
    a.change(
        &AccountChange::update(&second.user, grown.clone(), vec![]).admitted(admission.clone()),
    )
    .await
    .expect("an update of an account already counted");
    grown.quota_mb = Some(401);
    let refused = a
        .change(
            &AccountChange::update(&second.user, grown.clone(), vec![]).admitted(admission.clone()),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(_))),
        "{refused:?}"
    );
    let limited = a.account(&owner).await.expect("read").expect("exists");
    assert_eq!(
        a.resellers()
            .await
            .expect("resellers")
            .into_iter()
            .filter(|r| *r == owner)
            .count(),
        1,
        "{limited:?} is listed as a reseller"
    );
}

pub async fn resellers_demote_and_hand_over(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let boss = names.user("boss");
    let mut account_of_boss = account(&boss, &boss);
    account_of_boss.reseller = Some(Reseller::new([Acl::LIST_ACCTS].into_iter().collect()));
    a.change(&AccountChange::create(
        account_of_boss.clone(),
        "$p",
        log("CREATE", &boss),
    ))
    .await
    .expect("a self-owned reseller");
    let customer = account(&names.user("bosscust"), &boss);
    a.change(&AccountChange::create(
        customer.clone(),
        "$p",
        log("CREATE", &customer.user),
    ))
    .await
    .expect("its customer");
    let pkg = package(&format!("{boss}_pkg"), &boss);
    stores
        .packages
        .create_package(&pkg)
        .await
        .expect("its package");
    let mut demoted = a.account(&boss).await.expect("read").expect("exists");
    demoted.reseller = None;
    demoted.owner = "root".into();
    a.change(&AccountChange::demote(
        &boss,
        demoted.clone(),
        "root",
        vec![log("DELRESELLER", &boss)],
    ))
    .await
    .expect("demote");
    let stored = a.account(&boss).await.expect("read").expect("exists");
    assert_eq!((stored.reseller, stored.owner.as_str()), (None, "root"));
    let moved = a
        .account(&customer.user)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(moved.owner, "root", "its accounts pass to the heir");
    // Removing an account hands its packages to root.
    a.change(&AccountChange::remove(&boss, false, log("REMOVE", &boss)))
        .await
        .expect("remove");
    let pkg = stores
        .packages
        .package(&pkg.name)
        .await
        .expect("read")
        .expect("kept");
    assert_eq!(pkg.owner, "root");
}

pub async fn feature_and_acl_lists(stores: &Stores, names: &Names) {
    let f = stores.feature_lists.as_ref();
    let mut mail = FeatureList::new(names.user("mail"), "root");
    mail.features.insert("ssh".into(), false);
    f.save_feature_list(&mail, false).await.expect("create");
    assert_eq!(
        f.feature_list(&mail.name).await.expect("read"),
        Some(mail.clone())
    );
    assert!(
        matches!(
            f.save_feature_list(&mail, false).await,
            Err(StoreError::Conflict(Conflict::Name))
        ),
        "a name exists once"
    );
    f.save_feature_list(&mail, true).await.expect("replace");
    let changes: BTreeMap<String, bool> =
        [("ssh".to_owned(), true), ("webmail".to_owned(), false)].into();
    let refused = f
        .update_feature_list(&mail.name, "someone", true, &changes)
        .await;
    assert!(
        matches!(refused, Err(StoreError::Conflict(Conflict::Name))),
        "another owner's list is not changed: {refused:?}"
    );
    let merged = f
        .update_feature_list(&mail.name, "someone", false, &changes)
        .await
        .expect("update");
    assert_eq!(merged.owner, "root", "an update keeps the owner");
    assert_eq!(merged.features, changes);
    let made = f
        .update_feature_list(&names.user("fresh"), "res", true, &changes)
        .await
        .expect("an update creates");
    assert_eq!((made.owner.as_str(), made.features.len()), ("res", 2));
    let listed: Vec<String> = f
        .feature_lists()
        .await
        .expect("list")
        .into_iter()
        .map(|l| l.name)
        .filter(|n| n.starts_with(&names.user("")))
        .collect();
    assert_eq!(listed, [names.user("fresh"), mail.name.clone()]);
    assert!(f.remove_feature_list(&made.name).await.expect("remove"));
    assert!(!f.remove_feature_list(&made.name).await.expect("remove"));

    let l = stores.acl_lists.as_ref();
    let name = names.user("support");
    let set: AclSet = [Acl::LIST_ACCTS, Acl::PASSWD].into_iter().collect();
    l.save_acl_list(&name, set).await.expect("save");
    assert_eq!(l.acl_list(&name).await.expect("read"), Some(set));
    l.save_acl_list(&name, AclSet::EMPTY)
        .await
        .expect("replace");
    assert_eq!(l.acl_list(&name).await.expect("read"), Some(AclSet::EMPTY));
    l.save_acl_list(&name, set).await.expect("replace again");
    assert!(
        l.acl_lists()
            .await
            .expect("list")
            .contains(&(name.clone(), set))
    );
    assert_eq!(l.acl_list(&names.user("none")).await.expect("read"), None);
}

/// Totals past what a 64-bit integer holds still admit or refuse by the limits, never fail.
pub async fn reseller_totals_saturate(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let owner = names.user("hugeowner");
    create_reseller(stores, &owner).await;
    // 4 PiB of bandwidth each, in bytes, written without admission: three of them pass i64.
    for n in ["huge1", "huge2", "huge3"] {
        let mut c = account(&names.user(n), &owner);
        c.quota_mb = Some(4_000_000_000_000_000_000 / 1_048_576);
        c.set("BWLIMIT", "4000000000000000000");
        a.change(&AccountChange::create(
            c.clone(),
            "$p",
            log("CREATE", &c.user),
        ))
        .await
        .expect("written without limits");
    }
    let limits = ResellerLimits {
        resource_limits_enabled: true,
        disk_mb: 1000,
        bandwidth_mb: 1000,
        ..ResellerLimits::default()
    };
    let admission = Admission {
        plan: None,
        limits: Some(limits),
        address: None,
    };
    let mut next = account(&names.user("huge4"), &owner);
    next.quota_mb = Some(1);
    next.set("BWLIMIT", "1048576");
    let refused = a
        .change(
            &AccountChange::create(next.clone(), "$p", log("CREATE", &next.user))
                .admitted(admission.clone()),
        )
        .await;
    assert!(
        matches!(refused, Err(StoreError::Refused(Refusal::Limit(_)))),
        "a limit refusal, not a failure: {refused:?}"
    );
}
