//! batch: inner calls, their output controls, abort_on_error, and refusals that run nothing.

use crate::accounts::create;
use crate::harness::Server;
use serde_json::json;

#[tokio::test]
async fn runs_each_command_and_returns_each_envelope() {
    let server = Server::start().await;
    create(&server, "batchy", "").await;
    let reply = server
        .call(
            "batch",
            "api.version=1&command=version&command=gethostname&command=listaccts%3Fapi.columns.enable%3D1%26api.columns.a%3Duser\
             &command=accountsummary%3Fuser%3Dghost&command=modifyacct%3Fuser%3Dbatchy%26maxpop%3D7",
        )
        .await;
    assert_eq!(reply["metadata"]["command"], "batch");
    assert_eq!(reply["metadata"]["result"], 1);
    let results = reply["data"]["result"].as_array().expect("results");
    assert_eq!(results.len(), 5);
    assert_eq!(results[0]["data"], json!({"version": "11.120.0.16"}));
    assert_eq!(results[1]["metadata"]["command"], "gethostname");
    assert_eq!(
        results[2]["data"]["acct"],
        json!([{"user": "batchy"}]),
        "inner output controls apply"
    );
    assert_eq!(results[3]["metadata"]["reason"], "Account does not exist.");
    assert_eq!(
        results[4]["data"]["cpuser"]["MAXPOP"], "7",
        "commands after a failed one still run"
    );
}

#[tokio::test]
async fn command_n_keys_and_abort_on_error() {
    let server = Server::start().await;
    let reply = server
        .call("batch", "api.version=1&command-0=accountsummary%3Fuser%3Dghost&command-1=version&abort_on_error=1")
        .await;
    let results = reply["data"]["result"].as_array().expect("results");
    assert_eq!(
        results.len(),
        1,
        "abort_on_error stops after the failure: {reply}"
    );
}

#[tokio::test]
async fn refusals_run_nothing() {
    let server = Server::start().await;
    for (query, reason) in [
        (
            "command=version&command=nope",
            "Unknown app (nope) requested for this version (1) of the API.",
        ),
        (
            "command=version&command=batch%3Fcommand%3Dversion",
            "A batch cannot contain another batch.",
        ),
        ("", "Provide the “command” parameter."),
        (
            "command=%3Fx%3D1",
            "Each batch command must name a function.",
        ),
    ] {
        let reply = server
            .call("batch", &format!("api.version=1&{query}"))
            .await;
        assert_eq!(reply["metadata"]["result"], 0, "{query}");
        assert_eq!(reply["metadata"]["reason"], reason, "{query}");
        assert!(reply.get("data").is_none());
    }
    // A batch with one command the caller may not run runs none of them.
    let stores = server.store().await;
    let token = whmd_domain::secret::generate_api_token();
    stores
        .credentials
        .insert_api_token(
            &whmd_domain::store::ApiTokenRecord {
                user: "root".into(),
                name: "narrow".into(),
                digest: whmd_domain::secret::token_digest(token.expose()),
                create_time: 0,
                expires_at: None,
                acls: Some(
                    [
                        whmd_wire::Acl::BASIC_WHM_FUNCTIONS,
                        whmd_wire::Acl::EDIT_ACCOUNT,
                    ]
                    .into_iter()
                    .collect(),
                ),
                whitelist: None,
            },
            &[],
        )
        .await
        .expect("token");
    create(&server, "victim", "").await;
    let auth = format!("whm root:{}", token.expose());
    let url = server.http("/json-api/batch?api.version=1&command=modifyacct%3Fuser%3Dvictim%26maxpop%3D1&command=removeacct%3Fuser%3Dvictim");
    let reply = server
        .send(reqwest::Method::GET, url, Some(&auth), None, None)
        .await
        .json();
    assert_eq!(
        reply["metadata"]["reason"],
        "Permission Denied: You do not have the “kill-acct” privilege."
    );
    let summary = server
        .call("accountsummary", "api.version=1&user=victim")
        .await;
    assert_eq!(
        summary["data"]["acct"][0]["maxpop"], "unlimited",
        "the permitted first command did not run either"
    );
}

#[tokio::test]
async fn a_resellers_command_on_anothers_account_runs_none_of_the_batch() {
    let server = Server::start().await;
    let every: Vec<whmd_wire::Acl> = whmd_wire::Acl::every()
        .filter(|a| *a != whmd_wire::Acl::ALL)
        .collect();
    let auth = server.reseller("batres", &every).await;
    for (user, owner) in [("mineacct", "batres"), ("rootacct", "root")] {
        let made = server
            .call(
                "createacct",
                &format!("api.version=1&username={user}&domain={user}.example.com&password=Pw-{user}-1&owner={owner}"),
            )
            .await;
        assert_eq!(made["metadata"]["result"], 1, "{made}");
    }
    let before = server
        .store()
        .await
        .snapshot
        .export()
        .await
        .expect("export");
    for (second, reason) in [
        (
            "accountsummary%3Fuser%3Drootacct",
            "You do not have access to an account named “rootacct”.",
        ),
        (
            "accountsummary%3Fuser%3Dnoacct",
            "You do not have access to an account named “noacct”.",
        ),
        (
            "dumpzone%3Fdomain%3Drootacct.example.com",
            "You do not have access to a domain named “rootacct.example.com”.",
        ),
    ] {
        let reply = server
            .call_as(
                &auth,
                "batch",
                &format!("api.version=1&command=modifyacct%3Fuser%3Dmineacct%26maxpop%3D3&command={second}"),
            )
            .await;
        assert_eq!(reply["metadata"]["result"], 0, "{reply}");
        assert_eq!(reply["metadata"]["reason"], reason);
    }
    let after = server
        .store()
        .await
        .snapshot
        .export()
        .await
        .expect("export");
    assert!(
        before == after,
        "the reseller's own first command did not run"
    );
    // On its own objects the same batch runs.
    let reply = server
        .call_as(
            &auth,
            "batch",
            "api.version=1&command=modifyacct%3Fuser%3Dmineacct%26maxpop%3D3&command=dumpzone%3Fdomain%3Dmineacct.example.com",
        )
        .await;
    assert_eq!(reply["metadata"]["result"], 1, "{reply}");
    assert_eq!(
        reply["data"]["result"][1]["metadata"]["result"], 1,
        "{reply}"
    );
}
