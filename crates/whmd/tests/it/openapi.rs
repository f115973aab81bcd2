//! The OpenAPI document and the function list: served, complete, and in step with the code.
//! `WHMD_BLESS=1 cargo test -p whmd --test it openapi` rewrites the committed copies.

use crate::harness::Server;
use reqwest::StatusCode;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::PathBuf;
use whmd::config::DEFAULT_WHM_VERSION;
use whmd_api::Registry;
use whmd_api::openapi::{document, function_list};

fn docs(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs")
        .join(file)
}

/// The committed `file` is `made`, or is rewritten to it when blessing.
fn in_step(file: &str, made: &str) {
    let path = docs(file);
    if std::env::var_os("WHMD_BLESS").is_some() {
        std::fs::write(&path, made).expect("write");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == made,
        "docs/{file} is out of step with the registry; run \
         WHMD_BLESS=1 cargo test -p whmd --test it openapi"
    );
}

#[test]
fn the_committed_document_and_function_list_are_current() {
    let registry = Registry::standard();
    let made = format!("{:#}\n", document(&registry, DEFAULT_WHM_VERSION));
    in_step("openapi.json", &made);
    in_step("functions.md", &function_list(&registry));
}

#[test]
fn every_registered_function_is_documented_with_its_types() {
    let registry = Registry::standard();
    let doc = document(&registry, DEFAULT_WHM_VERSION);
    let paths: BTreeSet<&str> = doc["paths"]
        .as_object()
        .expect("paths")
        .keys()
        .filter_map(|p| p.strip_prefix("/json-api/"))
        .collect();
    let names: BTreeSet<&str> = registry.specs().map(|s| s.name).collect();
    assert_eq!(paths, names);
    for spec in registry.specs() {
        let get = &doc["paths"][format!("/json-api/{}", spec.name)]["get"];
        assert_eq!(get["tags"][0], Value::from(spec.section), "{}", spec.name);
        assert!(get["parameters"].is_array(), "{}", spec.name);
    }
}

#[tokio::test]
async fn the_document_is_served_without_credentials() {
    let server = Server::start().await;
    let answer = reqwest::get(server.http("/openapi.json"))
        .await
        .expect("get");
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.headers()["content-type"], "application/json");
    let served: Value = answer.json().await.expect("json");
    assert_eq!(served["openapi"], "3.1.0");
    assert!(served["paths"]["/json-api/createacct"].is_object());
}
