//! Checks for [`whmd_domain::store::CredentialStore`].

use crate::Names;
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::ApiTokenRecord;
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
    }
}

pub async fn tokens_round_trip(stores: &Stores, names: &Names) {
    let user = names.user("tok");
    let acls: AclSet = [Acl::LIST_ACCTS, Acl::CREATE_ACCT].into_iter().collect();
    let limited = token(&user, "limited", Some(acls));
    let full = ApiTokenRecord {
        expires_at: None,
        ..token(&user, "full", None)
    };
    for t in [&limited, &full] {
        stores
            .credentials
            .insert_api_token(t)
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
        .insert_api_token(&token(&a, "same", None))
        .await
        .expect("first insert");
    let again = stores
        .credentials
        .insert_api_token(&token(&a, "same", None))
        .await;
    assert!(
        matches!(again, Err(StoreError::Conflict(_))),
        "a second token of one name is a Conflict, got {again:?}"
    );
    stores
        .credentials
        .insert_api_token(&token(&b, "same", None))
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
