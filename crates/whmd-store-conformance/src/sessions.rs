//! Checks for [`whmd_domain::store::SessionStore`]: sessions round-trip, a login URL is
//! redeemed once and only in time, sessions move and go with their account. Leaves one behind
//! for the copy check.

use crate::Names;
use crate::accounts::{account, log};
use whmd_domain::Stores;
use whmd_domain::session::{Session, new_secret};
use whmd_domain::store::AccountChange;

pub async fn sessions_round_trip_and_redeem_once(stores: &Stores, names: &Names) {
    let s = stores.sessions.as_ref();
    let user = names.user("sess");
    let now = 1_700_000_000;
    let normal = Session::new(&user, &new_secret(&user, "login"), now, now + 3600, false);
    s.create_session(&normal).await.expect("create");
    assert_eq!(
        s.session(&normal.digest).await.expect("read"),
        Some(normal.clone())
    );
    assert_eq!(s.session("nope").await.expect("read"), None);
    s.touch_session(&normal.digest, now + 7200)
        .await
        .expect("touch");
    s.touch_session(&normal.digest, now + 10)
        .await
        .expect("never earlier");
    let stored = s
        .session(&normal.digest)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(stored.expires, now + 7200);

    let url = Session::new(&user, &new_secret(&user, "cus"), now, now + 300, true);
    s.create_session(&url).await.expect("create");
    assert!(
        !s.redeem_session(&url.digest, now + 301, now + 4000)
            .await
            .expect("redeem"),
        "too late"
    );
    assert!(
        s.redeem_session(&url.digest, now + 5, now + 4000)
            .await
            .expect("redeem")
    );
    assert!(
        !s.redeem_session(&url.digest, now + 6, now + 4000)
            .await
            .expect("redeem"),
        "once only"
    );
    let redeemed = s.session(&url.digest).await.expect("read").expect("exists");
    assert_eq!((redeemed.preauth, redeemed.expires), (false, now + 4000));

    // A later session drops those that ended before it.
    let later = Session::new(
        &user,
        &new_secret(&user, "login"),
        now + 9000,
        now + 9999,
        false,
    );
    s.create_session(&later).await.expect("create");
    assert_eq!(s.session(&normal.digest).await.expect("read"), None);
    assert!(s.remove_session(&later.digest).await.expect("remove"));
    assert!(!s.remove_session(&later.digest).await.expect("remove"));

    // Sessions follow their account's name and end with it.
    let a = stores.accounts.as_ref();
    let owner = names.user("sessacct");
    a.change(&AccountChange::create(
        account(&owner, "root"),
        "$p",
        log("CREATE", &owner),
    ))
    .await
    .expect("account");
    let mine = Session::new(
        &owner,
        &new_secret(&owner, "login"),
        now + 9000,
        now + 99_999,
        false,
    );
    s.create_session(&mine).await.expect("create");
    let mut renamed = a.account(&owner).await.expect("read").expect("exists");
    renamed.user = names.user("sessren");
    renamed.domain = format!("{}.example.com", renamed.user);
    a.change(&AccountChange::update(&owner, renamed.clone(), vec![]))
        .await
        .expect("rename");
    let moved = s
        .session(&mine.digest)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(moved.user, renamed.user);
    a.change(&AccountChange::remove(
        &renamed.user,
        false,
        log("REMOVE", &renamed.user),
    ))
    .await
    .expect("remove");
    assert_eq!(s.session(&mine.digest).await.expect("read"), None);
    // What the copy check carries over.
    let kept = Session::new(
        &user,
        &new_secret(&user, "login"),
        now + 9000,
        now + 99_999,
        false,
    );
    s.create_session(&kept).await.expect("create");
}
