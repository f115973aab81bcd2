//! Checks for [`whmd_domain::store::CredentialStore`].

use crate::Names;
use whmd_domain::account::AccountingEntry;
use whmd_domain::ip::parse_range;
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::{AccountChange, ApiTokenRecord, Conflict};
use whmd_domain::{StoreError, Stores};
use whmd_wire::{Acl, AclSet};

fn token(user: &str, name: &str, acls: Option<AclSet>) -> ApiTokenRecord {
    ApiTokenRecord {
        user: user.to_owned(),
        name: name.to_owned(),
        digest: token_digest(generate_api_token().expose()),
        create_time: 1_700_000_000,
        expires_at: Some(1_900_000_000),
        acls,
        whitelist: Some(vec![
            parse_range("192.0.2.0/24").expect("range"),
            parse_range("2001:db8::1").expect("address"),
        ]),
    }
}

pub async fn tokens_round_trip(stores: &Stores, names: &Names) {
    let user = names.user("tok");
    let acls: AclSet = [Acl::LIST_ACCTS, Acl::CREATE_ACCT].into_iter().collect();
    let limited = token(&user, "limited", Some(acls));
    let full = ApiTokenRecord {
        expires_at: None,
        whitelist: None,
        ..token(&user, "full", None)
    };
    for t in [&limited, &full] {
        stores
            .credentials
            .insert_api_token(t, &[])
            .await
            .expect("insert token");
    }
    let got = stores
        .credentials
        .api_token_by_digest(&limited.digest)
        .await
        .expect("lookup by digest");
    assert_eq!(
        got.as_ref(),
        Some(&limited),
        "token by digest round-trips, ACLs included"
    );
    let got = stores
        .credentials
        .api_token_by_name(&user, "full")
        .await
        .expect("lookup by name");
    assert_eq!(
        got.as_ref(),
        Some(&full),
        "token by name round-trips, no ACLs and no expiry"
    );
    let missing = stores
        .credentials
        .api_token_by_digest(&token_digest("nope"))
        .await
        .expect("lookup");
    assert_eq!(missing, None, "an unknown digest is None, not an error");
    let missing = stores
        .credentials
        .api_token_by_name(&names.user("other"), "full")
        .await
        .expect("lookup");
    assert_eq!(missing, None, "a token name is scoped to its user");
}

pub async fn token_names_are_unique_per_user(stores: &Stores, names: &Names) {
    let (a, b) = (names.user("uniqa"), names.user("uniqb"));
    stores
        .credentials
        .insert_api_token(&token(&a, "same", None), &[])
        .await
        .expect("first insert");
    let again = stores
        .credentials
        .insert_api_token(&token(&a, "same", None), &[])
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(Conflict::Name))),
        "a second token of one name is a Conflict, got {again:?}"
    );
    stores
        .credentials
        .insert_api_token(&token(&b, "same", None), &[])
        .await
        .expect("same name, other user");
}

pub async fn passwords_set_and_replace(stores: &Stores, names: &Names) {
    let user = names.user("pw");
    assert_eq!(
        stores.credentials.password_hash(&user).await.expect("read"),
        None,
        "no password yet"
    );
    stores
        .credentials
        .set_password_hash(&user, "$argon2id$one")
        .await
        .expect("set");
    stores
        .credentials
        .set_password_hash(&user, "$argon2id$two")
        .await
        .expect("replace");
    let got = stores.credentials.password_hash(&user).await.expect("read");
    assert_eq!(
        got.as_deref(),
        Some("$argon2id$two"),
        "the latest password wins"
    );
}

fn log(action: &str, name: &str) -> AccountingEntry {
    AccountingEntry::new(
        1,
        action,
        "root",
        vec!["not-applicable".into(), name.into()],
    )
}

pub async fn tokens_are_listed_updated_and_revoked(stores: &Stores, names: &Names) {
    let c = stores.credentials.as_ref();
    let user = names.user("toks");
    for name in ["b", "a", "c"] {
        c.insert_api_token(&token(&user, name, None), &[log("CREATEAPITOKEN", name)])
            .await
            .expect("insert");
    }
    let listed: Vec<String> = c
        .api_tokens(&user)
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(listed, ["a", "b", "c"], "ordered by name");
    assert!(
        c.api_tokens(&names.user("none"))
            .await
            .expect("list")
            .is_empty()
    );

    let mut renamed = c
        .api_token_by_name(&user, "a")
        .await
        .expect("read")
        .expect("exists");
    renamed.name = "z".into();
    renamed.acls = Some([Acl::LIST_ACCTS].into_iter().collect());
    renamed.whitelist = None;
    renamed.expires_at = None;
    assert!(
        c.update_api_token("a", &renamed, &[log("UPDATEAPITOKEN", "z")])
            .await
            .expect("update")
    );
    let stored = c
        .api_token_by_digest(&renamed.digest)
        .await
        .expect("read")
        .expect("exists");
    assert_eq!(stored, renamed, "every field changed, the digest kept");
    let taken = ApiTokenRecord {
        name: "b".into(),
        ..renamed.clone()
    };
    assert!(
        matches!(
            c.update_api_token("z", &taken, &[]).await,
            Err(StoreError::Conflict(Conflict::Name))
        ),
        "a name the user has is taken"
    );
    assert!(
        !c.update_api_token("nope", &renamed, &[])
            .await
            .expect("update")
    );

    let before = stores
        .accounts
        .accounting_log(1000)
        .await
        .expect("log")
        .len();
    let revoked = c
        .revoke_api_tokens(
            &user,
            &["b".into(), "nope".into(), "z".into()],
            &[
                log("REVOKEAPITOKEN", "b"),
                log("REVOKEAPITOKEN", "nope"),
                log("REVOKEAPITOKEN", "z"),
            ],
        )
        .await
        .expect("revoke");
    assert_eq!(revoked, ["b", "z"], "only tokens that existed");
    let after = stores.accounts.accounting_log(1000).await.expect("log");
    assert_eq!(after.len(), before + 2, "one entry per token revoked");
    let listed: Vec<String> = c
        .api_tokens(&user)
        .await
        .expect("list")
        .into_iter()
        .map(|t| t.name)
        .collect();
    assert_eq!(listed, ["c"]);
}

pub async fn access_hashes_follow_their_account(stores: &Stores, names: &Names) {
    let c = stores.credentials.as_ref();
    let a = stores.accounts.as_ref();
    let user = names.user("hashed");
    assert_eq!(c.access_hash(&user).await.expect("read"), None);
    c.set_access_hash(&user, "d1", 5).await.expect("set");
    c.set_access_hash(&user, "d2", 6).await.expect("replace");
    assert_eq!(
        c.access_hash(&user).await.expect("read").as_deref(),
        Some("d2")
    );
    let owner = names.user("hashacct");
    a.change(&AccountChange::create(
        crate::accounts::account(&owner, "root"),
        "$p",
        crate::accounts::log("CREATE", &owner),
    ))
    .await
    .expect("account");
    c.set_access_hash(&owner, "d3", 7).await.expect("set");
    let mut renamed = a.account(&owner).await.expect("read").expect("exists");
    renamed.user = names.user("hashren");
    renamed.domain = format!("{}.example.com", renamed.user);
    a.change(&AccountChange::update(&owner, renamed.clone(), vec![]))
        .await
        .expect("rename");
    assert_eq!(c.access_hash(&owner).await.expect("read"), None);
    assert_eq!(
        c.access_hash(&renamed.user).await.expect("read").as_deref(),
        Some("d3"),
        "the hash moves with the account"
    );
    a.change(&AccountChange::remove(
        &renamed.user,
        false,
        crate::accounts::log("REMOVE", &renamed.user),
    ))
    .await
    .expect("remove");
    assert_eq!(c.access_hash(&renamed.user).await.expect("read"), None);
}
