//! One account from creation to removal, through every stage, as a billing system drives it.

use super::{create, v1};
use crate::harness::Server;

#[tokio::test]
async fn full_lifecycle() {
    let server = Server::start().await;
    create(&server, "reseller1", "&reseller=1").await;
    create(&server, "cust", "&contactemail=c%40example.org").await;

    let listed = server
        .call(
            "listaccts",
            "api.version=1&search=cust&searchtype=user&searchmethod=exact",
        )
        .await;
    assert_eq!(listed["data"]["acct"][0]["domain"], "cust.example.com");

    let (result, reason, modified) = v1(
        &server,
        "modifyacct",
        "user=cust&newuser=client&owner=reseller1&DNS=client.example.net",
    )
    .await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "Account Modified"),
        "{modified}"
    );
    assert_eq!(modified["data"]["user"], "client");
    assert_eq!(modified["data"]["domain"], "client.example.net");
    assert_eq!(modified["data"]["cpuser"]["OWNER"], "reseller1");
    assert_eq!(
        modified["data"]["cpuser"]["DEADDOMAINS"],
        serde_json::json!(["cust.example.com"])
    );
    let (result, ..) = v1(&server, "accountsummary", "user=cust").await;
    assert_eq!(result, 0, "the old name is gone");

    let (result, ..) = v1(&server, "suspendacct", "user=client&reason=Unpaid+invoice").await;
    assert_eq!(result, 1);
    let suspended = server.call("listsuspended", "api.version=1").await;
    assert_eq!(suspended["data"]["account"][0]["user"], "client");
    assert_eq!(suspended["data"]["account"][0]["reason"], "Unpaid invoice");
    assert_eq!(suspended["data"]["account"][0]["owner"], "reseller1");
    let summary = server
        .call("accountsummary", "api.version=1&user=client")
        .await;
    assert_eq!(summary["data"]["acct"][0]["suspended"], 1);
    assert_eq!(
        summary["data"]["acct"][0]["suspendreason"],
        "Unpaid invoice"
    );

    let (result, ..) = v1(&server, "unsuspendacct", "user=client").await;
    assert_eq!(result, 1);
    let suspended = server.call("listsuspended", "api.version=1").await;
    assert_eq!(suspended["data"]["account"], serde_json::json!([]));

    let toggled = server
        .call("toggle_user_backup_state", "api.version=1&user=client")
        .await;
    assert_eq!(toggled["data"]["toggle_status"], 0);
    let toggled = server
        .call("toggle_user_backup_state", "api.version=1&user=client")
        .await;
    assert_eq!(toggled["data"]["toggle_status"], 1);
    let legacy = server
        .call(
            "toggle_user_backup_state",
            "api.version=1&user=client&legacy=1",
        )
        .await;
    assert_eq!(legacy["data"]["toggle_status"], 1);
    assert_eq!(legacy["metadata"]["reason"], "Legacy Backup state modified");

    let (result, reason, changed) = v1(&server, "changepackage", "user=client&pkg=default").await;
    assert_eq!((result, reason.as_str()), (1, "OK"), "{changed}");
    assert!(changed.get("data").is_none());

    let (result, reason, removed) = v1(&server, "removeacct", "user=client").await;
    assert_eq!(
        (result, reason.as_str()),
        (1, "client account removed"),
        "{removed}"
    );
    let listed = server.call("listaccts", "api.version=1").await;
    assert_eq!(
        listed["data"]["acct"].as_array().map(Vec::len),
        Some(1),
        "only the reseller is left"
    );

    // Provisioning is off: the log says the host was left alone, never that it was changed.
    let raw = removed["metadata"]["output"]["raw"]
        .as_str()
        .unwrap_or_default();
    assert!(
        raw.contains("The host is not managed by whmd") && !raw.contains("Removing User"),
        "{raw}"
    );
    create(&server, "keeper", "").await;
    let removed = server
        .call("removeacct", "api.version=1&username=keeper&keepdns=1")
        .await;
    assert_eq!(removed["metadata"]["result"], 1);
    let kept = server
        .store()
        .await
        .zones
        .zone("keeper.example.com")
        .await
        .expect("read")
        .expect("the zone is kept");
    assert_eq!(kept.owner, "root", "a kept zone passes to root");
    // The removal leaves its tombstone for a host to act on.
    let tombstones = server
        .store()
        .await
        .host
        .removals("whmd.test")
        .await
        .expect("read");
    assert!(
        tombstones
            .iter()
            .any(|r| r.user == "keeper" && r.homedir == "/home/keeper"),
        "{tombstones:?}"
    );
}

#[tokio::test]
async fn removal_refusals_in_both_versions() {
    let server = Server::start().await;
    let (result, reason, _) = v1(&server, "removeacct", "").await;
    assert_eq!(
        (result, reason.as_str()),
        (0, "No user name supplied: \"user\" is a required argument.")
    );
    let (_, reason, _) = v1(&server, "removeacct", "user=ghost").await;
    assert_eq!(reason, "System user ghost does not exist!");
    let api0 = server.call("removeacct", "user=ghost").await;
    assert_eq!(api0["result"][0]["status"], 0);
    assert_eq!(
        api0["result"][0]["statusmsg"],
        "System user ghost does not exist!"
    );
}

#[tokio::test]
async fn suspension_quirks() {
    let server = Server::start().await;
    create(&server, "sus", "").await;
    v1(&server, "suspendacct", "user=sus&disallowun=1").await;
    let (result, _, again) = v1(&server, "suspendacct", "user=sus").await;
    assert_eq!(result, 1, "suspending twice still answers OK");
    assert!(
        again["metadata"]["output"]["raw"]
            .as_str()
            .expect("raw")
            .contains("already suspended")
    );
    let locked = server.call("listlockedaccounts", "api.version=1").await;
    assert_eq!(locked["data"]["account"], serde_json::json!(["sus"]));
    let api0 = server.call("listsuspended", "").await;
    assert_eq!(api0["accts"][0]["is_locked"], 1);
    assert_eq!(api0["statusmsg"], "Ok");
    let (result, ..) = v1(&server, "unsuspendacct", "user=sus").await;
    assert_eq!(result, 1, "root may unsuspend a locked account");
}

#[tokio::test]
async fn the_accounting_log_command_prints_cpanel_lines() {
    let mut server = Server::start().await;
    create(&server, "logged", "").await;
    server.stop().await;
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_whmd"))
        .args(["accounting-log", "--data-dir"])
        .arg(server.dir.path())
        .arg("--database-url")
        .arg(&server.database_url)
        .output()
        .await
        .expect("whmd accounting-log runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("UTF-8");
    let line = text.lines().last().expect("a line");
    assert!(
        line.ends_with(":CREATE:root:logged.example.com:127.0.0.1:logged"),
        "{line}"
    );
}

#[tokio::test]
async fn root_cannot_be_suspended_and_api0_summary_of_a_missing_account() {
    let server = Server::start().await;
    let (result, reason, reply) = v1(&server, "suspendacct", "user=root").await;
    assert_eq!((result, reason.as_str()), (0, "Failed to suspend account."));
    assert_eq!(
        reply["metadata"]["output"]["raw"],
        "Root user may not be suspended.\n"
    );
    // API 0 drops the period; API 1 keeps it.
    let v0 = server.call("accountsummary", "user=nosuchuser").await;
    assert_eq!(v0["status"], 0, "{v0}");
    assert_eq!(v0["statusmsg"], "Account does not exist");
    let (_, reason, _) = v1(&server, "accountsummary", "user=nosuchuser").await;
    assert_eq!(reason, "Account does not exist.");
}
