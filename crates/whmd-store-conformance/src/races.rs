//! Admission under concurrent writes: limits and package removal hold when several writers
//! (requests of one server, or several replicas on one database) race.

use crate::Names;
use crate::accounts::{account, create_reseller, log};
use futures::future::join_all;
use whmd_domain::package::Package;
use whmd_domain::reseller::ResellerLimits;
use whmd_domain::store::{AccountChange, Admission, Conflict, PackageRemoval, PlanGuard};
use whmd_domain::{StoreError, Stores};

/// Eight creations at once for a reseller allowed three: exactly three are stored.
pub async fn account_limit_holds_under_racing_creates(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let owner = names.user("racer");
    create_reseller(stores, &owner).await;
    let admission = Admission {
        plan: None,
        limits: Some(ResellerLimits {
            account_limit_enabled: true,
            account_limit: 3,
            ..ResellerLimits::default()
        }),
        address: None,
    };
    let attempts = (0..8).map(|i| {
        let customer = account(&names.user(&format!("race{i}")), &owner);
        let admission = admission.clone();
        async move {
            a.change(
                &AccountChange::create(customer.clone(), "$p", log("CREATE", &customer.user))
                    .admitted(admission.clone()),
            )
            .await
        }
    });
    let results = join_all(attempts).await;
    let made = results.iter().filter(|r| r.is_ok()).count();
    assert!(
        results
            .iter()
            .all(|r| r.is_ok() || matches!(r, Err(StoreError::Refused(_)))),
        "a refusal, not another failure: {results:?}"
    );
    assert_eq!(made, 3, "exactly the limit is stored: {results:?}");
    assert_eq!(a.accounts(Some(&owner)).await.expect("list").len(), 3);
}

/// A package removed while an account is created on it: either the account is refused or the
/// removal is, never an account left on a package that is gone.
pub async fn removal_and_creation_do_not_cross(stores: &Stores, names: &Names) {
    for round in 0..6 {
        let pkg = Package::new(names.user(&format!("racepkg{round}")), "root");
        stores.packages.create_package(&pkg).await.expect("package");
        let mut customer = account(&names.user(&format!("pkgrace{round}")), "root");
        customer.plan = pkg.name.clone();
        let admission = Admission {
            plan: Some(PlanGuard {
                name: pkg.name.clone(),
                revision: Some(pkg.revision),
            }),
            limits: None,
            address: None,
        };
        let change = AccountChange::create(customer.clone(), "$p", log("CREATE", &customer.user))
            .admitted(admission);
        let (created, removed) = futures::join!(
            stores.accounts.change(&change),
            stores.packages.remove_package(&pkg.name)
        );
        let removed = removed.expect("removal answers");
        match (&created, removed) {
            (Ok(_), PackageRemoval::InUse)
            | (Err(StoreError::Refused(_)), PackageRemoval::Removed) => {}
            other => panic!("round {round}: {other:?}"),
        }
        let stored = stores.accounts.account(&customer.user).await.expect("read");
        let package = stores.packages.package(&pkg.name).await.expect("read");
        assert_eq!(stored.is_some(), package.is_some(), "round {round}");
    }
}

/// Twenty changes at once, each name twice: one of each pair is stored and logged, the other
/// is told the username is taken, and a change that fails takes nothing of the others with it
/// (the embedded store commits changes that arrive together in one transaction).
pub async fn racing_changes_get_their_own_answers(stores: &Stores, names: &Names) {
    let a = stores.accounts.as_ref();
    let users: Vec<String> = (0..10).map(|i| names.user(&format!("pair{i}"))).collect();
    let attempts = users.iter().chain(&users).enumerate().map(|(n, user)| {
        let mut customer = account(user, "root");
        // The second of a pair has a domain of its own: only its username collides.
        customer.domain = format!("{user}-{n}.example.com");
        async move {
            a.change(&AccountChange::create(
                customer.clone(),
                "$p",
                log("CREATE", &customer.user),
            ))
            .await
        }
    });
    let results = join_all(attempts).await;
    for (user, pair) in users.iter().zip(results[..10].iter().zip(&results[10..])) {
        let answers = [pair.0, pair.1];
        let stored: Vec<_> = answers.iter().filter_map(|r| r.as_ref().ok()).collect();
        assert_eq!(stored.len(), 1, "{user}: {answers:?}");
        assert_eq!(
            stored[0].as_ref().map(|s| s.user.as_str()),
            Some(user.as_str())
        );
        assert!(
            answers
                .iter()
                .any(|r| matches!(r, Err(StoreError::Conflict(Conflict::Username)))),
            "{user}: {answers:?}"
        );
        assert!(a.account(user).await.expect("read").is_some());
    }
    let logged = a
        .accounting_log(100_000)
        .await
        .expect("log")
        .into_iter()
        .filter(|e| e.fields.iter().any(|f| users.contains(f)))
        .count();
    assert_eq!(logged, 10, "one entry per stored account");
}
