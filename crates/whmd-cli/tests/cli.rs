//! whmapi1 and whmapi0 against a store a running server uses.

use serde_json::Value;
use std::path::Path;
use whmd::Config;

async fn tool(name: &str, dir: &Path, args: &[&str]) -> std::process::Output {
    let exe = match name {
        "whmapi1" => env!("CARGO_BIN_EXE_whmapi1"),
        _ => env!("CARGO_BIN_EXE_whmapi0"),
    };
    tokio::process::Command::new(exe)
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .await
        .expect("the tool runs")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[tokio::test]
async fn works_beside_a_running_server() {
    let dir = tempfile::tempdir().expect("tempdir");
    let running = whmd::start(Config::ephemeral(dir.path()))
        .await
        .expect("server");
    let token = running.new_root_token.clone().expect("token");

    let json = tool("whmapi1", dir.path(), &["--output=json", "version"]).await;
    assert!(json.status.success());
    assert!(
        stdout(&json).starts_with(
            r#"{"data":{"version":"11.120.0.16"},"metadata":{"version":1,"command":"version""#
        ),
        "{}",
        stdout(&json)
    );

    // The tools read the server's configuration file, not the flags it was started with.
    std::fs::write(
        dir.path().join("whmd.toml"),
        "hostname = \"cli.example.net\"\n",
    )
    .expect("config");
    let yaml = tool("whmapi1", dir.path(), &["gethostname"]).await;
    assert_eq!(
        stdout(&yaml),
        "---\ndata:\n  hostname: cli.example.net\nmetadata:\n  version: 1\n  command: gethostname\n  result: 1\n  reason: OK\n"
    );

    let made = tool(
        "whmapi1",
        dir.path(),
        &[
            "--output=json",
            "createacct",
            "username=cliuser",
            "domain=cli.example.com",
            "contactemail=a%40example.org",
            "password=Cli+pass+1",
        ],
    )
    .await;
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );
    let made: Value = serde_json::from_slice(&made.stdout).expect("JSON");
    assert_eq!(made["metadata"]["reason"], "Account Creation Ok");

    // The server sees what the tool wrote.
    let listed: Value = reqwest::Client::new()
        .get(format!(
            "http://{}/json-api/listaccts?api.version=1",
            running.http.expect("http")
        ))
        .header("Authorization", format!("whm root:{}", token.expose()))
        .send()
        .await
        .expect("answered")
        .json()
        .await
        .expect("JSON");
    assert_eq!(
        listed["data"]["acct"][0]["email"], "a@example.org",
        "values are URI-decoded"
    );

    let v0 = tool(
        "whmapi0",
        dir.path(),
        &["--output=json", "accountsummary", "user=cliuser"],
    )
    .await;
    let v0: Value = serde_json::from_slice(&v0.stdout).expect("JSON");
    assert_eq!(
        v0["acct"][0]["user"], "cliuser",
        "whmapi0 gives API 0 shapes"
    );

    let xml = tool("whmapi0", dir.path(), &["--output=xml", "version"]).await;
    assert_eq!(
        stdout(&xml),
        "<version><version>11.120.0.16</version></version>\n"
    );

    let batch = tool(
        "whmapi1",
        dir.path(),
        &[
            "--output=json",
            "batch",
            "command=version",
            "command=accountsummary%3Fuser%3Dcliuser",
        ],
    )
    .await;
    let batch: Value = serde_json::from_slice(&batch.stdout).expect("JSON");
    assert_eq!(
        batch["data"]["result"].as_array().map(Vec::len),
        Some(2),
        "repeated keys make a list"
    );

    let paged = tool(
        "whmapi1",
        dir.path(),
        &[
            "--output=json",
            "applist",
            "api.chunk.enable=1",
            "api.chunk.size=2",
        ],
    )
    .await;
    let paged: Value = serde_json::from_slice(&paged.stdout).expect("JSON");
    assert_eq!(
        paged["data"]["app"].as_array().map(Vec::len),
        Some(2),
        "api.* arguments work"
    );

    let failed = tool(
        "whmapi1",
        dir.path(),
        &["--output=json", "accountsummary", "user=ghost"],
    )
    .await;
    assert!(
        failed.status.success(),
        "a function that ran and failed exits 0"
    );
    assert!(stdout(&failed).contains(r#""result":0"#));
    running.shutdown().await;
}

#[tokio::test]
async fn calls_that_cannot_run_exit_non_zero_and_print_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    whmd::start(Config::ephemeral(dir.path()))
        .await
        .expect("server")
        .shutdown()
        .await;
    for args in [
        vec!["no_such_function"],
        vec!["--user=nobody", "version"],
        vec!["version", "not-a-pair"],
    ] {
        let out = tool("whmapi1", dir.path(), &args).await;
        assert!(!out.status.success(), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        assert!(!out.stderr.is_empty(), "{args:?}");
    }
    let out = tool("whmapi0", dir.path(), &["systemloadavg"]).await;
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("Unknown app (systemloadavg) requested for this version (0)")
    );
}

/// With provisioning on, whmapi1 converges the host itself, unless a running server holds
/// it; then it says so. In a throwaway namespace (see `whmd_host::sandbox`).
#[test]
fn whmapi1_provisions_the_host() {
    use whmd_host::sandbox::{Place, enter, entry};
    if let Place::Done = enter("whmapi1_provisions_the_host") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(
            dir.path().join("whmd.toml"),
            format!(
                "provision = \"linux\"\nweb = \"none\"\nhost_state = \"{}\"\n",
                dir.path().join("host").display()
            ),
        )
        .expect("config");
        let create = |user: &'static str| {
            let domain = format!("domain={user}.example.com");
            let username = format!("username={user}");
            let dir = dir.path().to_owned();
            async move {
                let made = tool(
                    "whmapi1",
                    &dir,
                    &[
                        "--output=json",
                        "createacct",
                        &username,
                        &domain,
                        "password=Secret-cli-1",
                    ],
                )
                .await;
                assert!(made.status.success(), "{made:?}");
                let reply: Value = serde_json::from_str(&stdout(&made)).expect("JSON");
                assert_eq!(reply["metadata"]["result"], 1, "{reply}");
                reply["metadata"]["output"]["raw"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned()
            }
        };
        let raw = create("clione").await;
        assert!(raw.contains("Adding User clione...Done"), "{raw}");
        assert!(entry("/etc/passwd", "clione").is_some());
        // Each change converges the host before whmapi1 answers.
        let call = |args: &'static [&'static str]| {
            let dir = dir.path().to_owned();
            async move {
                let out = tool("whmapi1", &dir, args).await;
                assert!(out.status.success(), "{out:?}");
            }
        };
        let shadow = || entry("/etc/shadow", "clione").expect("shadow")[1].clone();
        call(&["suspendacct", "user=clione", "reason=unpaid"]).await;
        assert!(shadow().starts_with("!$6$"), "locked: {}", shadow());
        call(&["unsuspendacct", "user=clione"]).await;
        assert!(shadow().starts_with("$6$"), "unlocked: {}", shadow());
        call(&["passwd", "user=clione", "password=Other-cli-2"]).await;
        // The system's own crypt(3), through Perl, given the hash as its setting.
        let hash = shadow();
        let again = std::process::Command::new("perl")
            .args([
                "-e",
                "print crypt($ARGV[0], $ARGV[1])",
                "Other-cli-2",
                &hash,
            ])
            .output()
            .expect("perl");
        assert_eq!(
            String::from_utf8_lossy(&again.stdout).trim(),
            hash,
            "the new password"
        );
        call(&["removeacct", "user=clione"]).await;
        assert!(entry("/etc/passwd", "clione").is_none());
        assert!(!Path::new("/home/clione").exists());

        let mut config = Config::ephemeral(dir.path());
        config.host.provision = whmd::config::Provision::Linux;
        config.host.state = dir.path().join("host");
        config.host.web = None;
        let running = whmd::start(config).await.expect("server");
        let raw = create("clitwo").await;
        assert!(
            raw.contains("The running whmd server converges the host for this change."),
            "{raw}"
        );
        running.shutdown().await;
    });
}
