//! The foundation's functions, in both API versions.

use crate::harness::Server;
use serde_json::{Value, json};
use whmd_wire::Acl;

#[tokio::test]
async fn version_and_gethostname() {
    let server = Server::start().await;
    let v1 = server.call("version", "api.version=1").await;
    assert_eq!(v1["data"], json!({"version": "11.120.0.16"}));
    let host = server.call("gethostname", "api.version=1").await;
    assert_eq!(host["data"], json!({"hostname": "whmd.test"}));
    assert_eq!(host["metadata"]["reason"], json!("OK"));
    assert_eq!(
        server.call("gethostname", "").await,
        json!({"hostname": "whmd.test"})
    );
}

#[tokio::test]
async fn applist_lists_what_root_may_run_per_version() {
    let server = Server::start().await;
    let names = |v: &Value| -> Vec<String> {
        v.as_array()
            .expect("an array")
            .iter()
            .map(|n| n.as_str().expect("a name").to_owned())
            .collect()
    };
    let v0 = names(&server.call("applist", "").await["app"]);
    let v1 = names(&server.call("applist", "api.version=1").await["data"]["app"]);
    for list in [&v0, &v1] {
        assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted: {list:?}");
        for name in [
            "applist",
            "createacct",
            "listaccts",
            "loadavg",
            "myprivs",
            "version",
        ] {
            assert!(list.iter().any(|n| n == name), "{name} in {list:?}");
        }
    }
    // Some functions exist in one version only.
    assert!(
        !v0.iter()
            .any(|n| n == "systemloadavg" || n == "validate_system_user"),
        "{v0:?}"
    );
    assert!(
        v1.iter().any(|n| n == "systemloadavg") && v1.iter().any(|n| n == "validate_system_user"),
        "{v1:?}"
    );
}

fn is_load_string(v: &Value) -> bool {
    v.as_str().is_some_and(|s| {
        let (whole, frac) = s.split_once('.').unwrap_or(("", ""));
        !whole.is_empty() && frac.len() == 2 && s.parse::<f64>().is_ok()
    })
}

#[tokio::test]
async fn loadavg_keys_stay_at_the_top_in_both_versions() {
    let server = Server::start().await;
    let v0 = server.call("loadavg", "").await;
    let v1 = server.call("loadavg", "api.version=1").await;
    for key in ["one", "five", "fifteen"] {
        assert!(is_load_string(&v0[key]), "{v0}");
        assert!(is_load_string(&v1[key]), "{v1}");
    }
    assert_eq!(v0.as_object().map(|m| m.len()), Some(3));
    assert_eq!(v1["metadata"]["command"], json!("loadavg"));
    assert!(v1.get("data").is_none());
}

#[tokio::test]
async fn systemloadavg_gives_numbers() {
    let server = Server::start().await;
    let v1 = server.call("systemloadavg", "api.version=1").await;
    for key in ["one", "five", "fifteen"] {
        assert!(v1["data"][key].is_number(), "{v1}");
    }
}

#[tokio::test]
async fn myprivs_reports_every_acl_and_root_holds_all() {
    let server = Server::start().await;
    let v1 = server.call("myprivs", "api.version=1").await;
    let privs = v1["data"]["privileges"][0]
        .as_object()
        .expect("one map")
        .clone();
    assert_eq!(privs.len(), Acl::NAMES.len());
    assert_eq!(privs["all"], json!(1));
    assert!(
        privs
            .iter()
            .filter(|(k, _)| *k != "all")
            .all(|(_, v)| *v == json!(0))
    );
    let v0 = server.call("myprivs", "").await;
    assert_eq!(v0["privs"][0]["all"], json!(1));
    assert!(v0.get("privileges").is_none());
}
