//! `whmd migrate-store`: a copy serves like the original; a non-empty target is refused.

use crate::accounts::create;
use crate::harness::Server;

async fn migrate(from: &str, to: &str) -> std::process::Output {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_whmd"))
        .args(["migrate-store", "--from", from, "--to", to])
        .output()
        .await
        .expect("whmd migrate-store runs")
}

#[tokio::test]
async fn a_copied_store_serves_the_same_accounts_and_tokens() {
    let server = Server::start().await;
    create(&server, "moved", "&reseller=1").await;
    create(&server, "alsomoved", "").await;
    let before = server.call("listaccts", "api.version=1").await;
    let token = server.token.clone();
    let server = server.restart().await; // a quiet store to copy
    let target_dir = tempfile::tempdir().expect("tempdir");
    let target = match std::env::var("WHMD_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!("whmd_mig_{:016x}", rand::random::<u64>());
            whmd_store_postgres::scratch::create_database(&admin, &name)
                .await
                .expect("scratch")
        }
        Err(_) => format!("sqlite://{}", target_dir.path().join("copy.db").display()),
    };
    let output = migrate(&server.database_url, &target).await;
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("copied 2 accounts") && said.contains("row counts match"),
        "{said}"
    );

    let mut config = whmd::Config::ephemeral(target_dir.path());
    config.database_url = target.clone();
    let copy = whmd::start(config).await.expect("a server on the copy");
    assert!(copy.new_root_token.is_none(), "the root token came along");
    let reply: serde_json::Value = reqwest::Client::new()
        .get(format!(
            "http://{}/json-api/listaccts?api.version=1",
            copy.http.expect("http")
        ))
        .header("Authorization", format!("whm root:{token}"))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        reply["data"], before["data"],
        "the same accounts, field for field"
    );
    copy.shutdown().await;

    let again = migrate(&server.database_url, &target).await;
    assert!(
        !again.status.success(),
        "copying into a store that is not empty fails"
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("must be empty"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
