//! First start and restarts: data directory, certificate, root token.

use crate::harness::Server;
use std::os::unix::fs::PermissionsExt;
use whmd::Config;

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path)
        .expect("exists")
        .permissions()
        .mode()
        & 0o777
}

#[tokio::test]
async fn first_start_creates_private_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("fresh");
    let running = whmd::start(Config::ephemeral(&data)).await.expect("starts");
    let token = running
        .new_root_token
        .clone()
        .expect("a root token on first start");
    let saved = std::fs::read_to_string(data.join("root.token")).expect("root.token");
    assert_eq!(saved.trim(), token.expose());
    assert_eq!(mode(&data), 0o700);
    assert_eq!(mode(&data.join("root.token")), 0o600);
    assert_eq!(mode(&data.join("tls/key.pem")), 0o600);
    assert!(data.join("tls/cert.pem").exists());
    running.shutdown().await;
}

#[tokio::test]
async fn a_restart_keeps_token_and_certificate() {
    let server = Server::start().await;
    let cert = std::fs::read(server.dir.path().join("tls/cert.pem")).expect("cert");
    let server = server.restart().await;
    assert!(
        server
            .running
            .as_ref()
            .expect("running")
            .new_root_token
            .is_none()
    );
    assert_eq!(
        std::fs::read(server.dir.path().join("tls/cert.pem")).expect("cert"),
        cert
    );
    // The old token still works over TLS with the old certificate.
    assert_eq!(server.call("version", "").await["version"], "11.120.0.16");
}

#[tokio::test]
async fn a_given_certificate_is_served() {
    let dir = tempfile::tempdir().expect("tempdir");
    let own = tempfile::tempdir().expect("tempdir");
    let certified =
        rcgen::generate_simple_self_signed(vec!["own.example".to_owned()]).expect("cert");
    let (cert, key) = (own.path().join("c.pem"), own.path().join("k.pem"));
    std::fs::write(&cert, certified.cert.pem()).expect("write");
    std::fs::write(&key, certified.signing_key.serialize_pem()).expect("write");
    let mut config = Config::ephemeral(dir.path());
    config.tls_cert = Some(cert.clone());
    config.tls_key = Some(key);
    let running = whmd::start(config).await.expect("starts");
    assert_eq!(running.certificate, cert);
    assert!(
        !dir.path().join("tls/cert.pem").exists(),
        "no certificate is generated"
    );
    let client = reqwest::Client::builder()
        .add_root_certificate(
            reqwest::Certificate::from_pem(certified.cert.pem().as_bytes()).expect("pem"),
        )
        .resolve("own.example", running.https.expect("https"))
        .build()
        .expect("client");
    let port = running.https.expect("https").port();
    let answer = client
        .get(format!("https://own.example:{port}/json-api/version"))
        .header(
            "Authorization",
            format!(
                "whm root:{}",
                running.new_root_token.as_ref().expect("token").expose()
            ),
        )
        .send()
        .await
        .expect("TLS with the given certificate verifies");
    assert_eq!(answer.status(), 200);
    running.shutdown().await;
}

#[tokio::test]
async fn unusable_settings_fail_to_start() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut config = Config::ephemeral(dir.path());
    config.database_url = "mysql://nope".into();
    assert!(whmd::start(config).await.is_err());
    let mut config = Config::ephemeral(dir.path());
    config.tls_cert = Some(dir.path().join("missing.pem"));
    config.tls_key = Some(dir.path().join("missing.key"));
    assert!(whmd::start(config).await.is_err());
}
