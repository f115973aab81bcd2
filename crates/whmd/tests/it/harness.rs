//! A server per test, and clients for it.

use reqwest::{Certificate, Client, Method, StatusCode};
use serde_json::Value;
use tempfile::TempDir;
use whmd::Config;
use whmd::Running;
use whmd::config::StoreFlags;
use whmd_domain::Stores;
use whmd_domain::secret::{generate_api_token, token_digest};
use whmd_domain::store::ApiTokenRecord;
use whmd_wire::Acl;

pub struct Server {
    pub dir: TempDir,
    pub database_url: String,
    pub running: Option<Running>,
    pub token: String,
    pub client: Client,
}

/// What came back from one call.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub content_type: String,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = database_url(dir.path()).await;
        Self::start_on(dir, url).await
    }

    /// A server whose configuration `edit` changes first.
    pub async fn start_configured(edit: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = database_url(dir.path()).await;
        Self::start_with(dir, url, edit).await
    }

    /// A server on SQLite whatever `WHMD_TEST_STORE` says (for tests in a network namespace,
    /// where a PostgreSQL cluster cannot be reached), its configuration changed by `edit`.
    pub async fn start_local(edit: impl FnOnce(&mut Config)) -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let url = format!("sqlite://{}", dir.path().join("whmd.db").display());
        Self::start_with(dir, url, edit).await
    }

    /// A server whose data directory (and SQLite store) is `dir`.
    pub async fn start_in_dir(dir: TempDir) -> Self {
        let url = database_url(dir.path()).await;
        Self::start_on(dir, url).await
    }

    /// Stops the server and starts it again on the same data directory and store.
    pub async fn restart(mut self) -> Self {
        self.stop().await;
        Self::start_on(self.dir, self.database_url).await
    }

    async fn start_on(dir: TempDir, database_url: String) -> Self {
        Self::start_with(dir, database_url, |_| {}).await
    }

    async fn start_with(
        dir: TempDir,
        database_url: String,
        edit: impl FnOnce(&mut Config),
    ) -> Self {
        let mut config = Config::ephemeral(dir.path());
        config.database_url = database_url;
        edit(&mut config);
        let running = whmd::start(config.clone()).await.expect("server starts");
        let token = std::fs::read_to_string(dir.path().join("root.token"))
            .expect("root.token")
            .trim()
            .to_owned();
        let pem = std::fs::read(&running.certificate).expect("certificate");
        let client = Client::builder()
            .add_root_certificate(Certificate::from_pem(&pem).expect("PEM"))
            .tls_built_in_root_certs(false)
            .build()
            .expect("client");
        Self {
            dir,
            database_url: config.database_url,
            running: Some(running),
            token,
            client,
        }
    }

    fn running(&self) -> &Running {
        self.running.as_ref().expect("server is running")
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub fn http(&self, path: &str) -> String {
        format!(
            "http://{}{path}",
            self.running().http.expect("http listener")
        )
    }

    /// `https://localhost:PORT{path}`, so the certificate's name is checked.
    pub fn https(&self, path: &str) -> String {
        let port = self.running().https.expect("https listener").port();
        format!("https://localhost:{port}{path}")
    }

    pub fn root_auth(&self) -> String {
        format!("whm root:{}", self.token)
    }

    /// GET over plain HTTP with the root token.
    pub async fn get(&self, path: &str) -> Answer {
        self.send(
            Method::GET,
            self.http(path),
            Some(&self.root_auth()),
            None,
            None,
        )
        .await
    }

    /// GET `/json-api/{function}?{query}` with the root token and parse the JSON.
    pub async fn call(&self, function: &str, query: &str) -> Value {
        let answer = self.get(&format!("/json-api/{function}?{query}")).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.text);
        answer.json()
    }

    pub async fn send(
        &self,
        method: Method,
        url: String,
        auth: Option<&str>,
        content_type: Option<&str>,
        body: Option<Vec<u8>>,
    ) -> Answer {
        let mut request = self.client.request(method, url);
        if let Some(auth) = auth {
            request = request.header("Authorization", auth);
        }
        if let Some(ct) = content_type {
            request = request.header("Content-Type", ct);
        }
        if let Some(body) = body {
            request = request.body(body);
        }
        let response = request.send().await.expect("request is answered");
        let status = response.status();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap_or("").to_owned())
            .unwrap_or_default();
        let text = response.text().await.expect("body");
        Answer {
            status,
            content_type,
            text,
        }
    }

    /// A second handle on the server's database, as another process would open it.
    pub async fn store(&self) -> Stores {
        whmd::store::open(&self.database_url)
            .await
            .expect("store opens")
    }

    /// The flags a command run beside the server uses to reach its store.
    pub fn store_flags(&self) -> StoreFlags {
        StoreFlags {
            data_dir: Some(self.dir.path().to_owned()),
            database_url: Some(self.database_url.clone()),
            ..StoreFlags::default()
        }
    }

    /// GET `/json-api/{function}?{query}` with the `Authorization` value `auth`, parsed.
    pub async fn call_as(&self, auth: &str, function: &str, query: &str) -> Value {
        let url = self.http(&format!("/json-api/{function}?{query}"));
        let answer = self.send(Method::GET, url, Some(auth), None, None).await;
        assert_eq!(answer.status, StatusCode::OK, "{function}: {}", answer.text);
        answer.json()
    }

    /// A client whose connections come from `source` (any 127.0.0.0/8 address reaches the
    /// loopback listener), so tests can play several hosts.
    pub fn client_from(&self, source: &str) -> Client {
        Client::builder()
            .local_address(Some(source.parse().expect("a source address")))
            .build()
            .expect("client")
    }

    /// GET `/json-api/{function}?api.version=1&{query}` over plain HTTP from `source`, with
    /// `auth`; the status and, when it is JSON, the body.
    pub async fn call_from(
        &self,
        source: &str,
        auth: &str,
        function: &str,
        query: &str,
    ) -> (StatusCode, Value) {
        let url = self.http(&format!("/json-api/{function}?api.version=1&{query}"));
        let response = self
            .client_from(source)
            .get(url)
            .header("Authorization", auth)
            .send()
            .await
            .expect("request is answered");
        let status = response.status();
        let text = response.text().await.expect("body");
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// The audit log as written so far.
    pub fn audit_log(&self) -> String {
        self.running().audit.flush();
        std::fs::read_to_string(self.dir.path().join("audit.log")).expect("the audit log")
    }

    /// The usernames listaccts shows root, in its order.
    pub async fn users(&self) -> Vec<String> {
        let listed = self.call("listaccts", "api.version=1&want=user").await;
        listed["data"]["acct"]
            .as_array()
            .expect("a list")
            .iter()
            .filter_map(|a| a["user"].as_str().map(str::to_owned))
            .collect()
    }

    /// The HTTP status of a listaccts call presenting `auth`: 200, or 403 when the credentials
    /// prove nothing.
    pub async fn login_status(&self, auth: &str) -> StatusCode {
        let url = self.http("/json-api/listaccts?api.version=1");
        self.send(Method::GET, url, Some(auth), None, None)
            .await
            .status
    }

    /// An API token for `user`, written into the store as `whmapi1` would, and the
    /// `Authorization` value that presents it.
    pub async fn token_auth(&self, user: &str) -> String {
        let token = generate_api_token();
        let record = ApiTokenRecord {
            user: user.to_owned(),
            name: format!("t{:08x}", rand::random::<u32>()),
            digest: token_digest(token.expose()),
            create_time: 0,
            expires_at: None,
            acls: None,
            whitelist: None,
        };
        self.store()
            .await
            .credentials
            .insert_api_token(&record, &[])
            .await
            .expect("token stored");
        format!("whm {user}:{}", token.expose())
    }

    /// Makes the account `name` (domain `NAME.example.com`, owned by root) a reseller holding
    /// exactly `acls`, through setupreseller and setacls, and returns a token for it.
    pub async fn reseller(&self, name: &str, acls: &[Acl]) -> String {
        let made = self
            .call(
                "createacct",
                &format!(
                    "api.version=1&username={name}&domain={name}.example.com&password=Secret-{name}-1"
                ),
            )
            .await;
        assert_eq!(made["metadata"]["result"], 1, "{made}");
        let setup = self
            .call("setupreseller", &format!("api.version=1&user={name}"))
            .await;
        assert_eq!(setup["metadata"]["result"], 1, "{setup}");
        let grants: String = acls.iter().map(|a| format!("&acl-{a}=1")).collect();
        let set = self
            .call("setacls", &format!("api.version=1&reseller={name}{grants}"))
            .await;
        assert_eq!(set["metadata"]["result"], 1, "{set}");
        self.token_auth(name).await
    }

    /// Sets root's password as `whmd passwd root` does, beside the running server.
    pub async fn set_root_password(&self, password: &str) {
        whmd::passwd::run(
            "root",
            &self.store_flags(),
            format!("{password}\n").as_bytes(),
        )
        .await
        .expect("passwd");
    }

    pub async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            running.shutdown().await;
        }
    }
}

/// The `Authorization` value of HTTP Basic auth.
pub fn basic(user: &str, password: &str) -> String {
    use base64::Engine;
    let pair = format!("{user}:{password}");
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// (result, reason) of an API 1 reply.
pub fn outcome(reply: &Value) -> (i64, &str) {
    (
        reply["metadata"]["result"].as_i64().expect("a result"),
        reply["metadata"]["reason"].as_str().expect("a reason"),
    )
}

/// The store a test server uses: SQLite in its data directory, or, with
/// `WHMD_TEST_STORE=postgres`, a fresh database on the server `WHMD_TEST_POSTGRES_URL` names.
pub async fn database_url(dir: &std::path::Path) -> String {
    if std::env::var("WHMD_TEST_STORE").as_deref() != Ok("postgres") {
        return format!("sqlite://{}", dir.join("whmd.db").display());
    }
    let admin = std::env::var("WHMD_TEST_POSTGRES_URL")
        .expect("WHMD_TEST_STORE=postgres needs WHMD_TEST_POSTGRES_URL");
    let name = format!("whmd_it_{:016x}", rand::random::<u64>());
    whmd_store_postgres::scratch::create_database(&admin, &name)
        .await
        .expect("a scratch database")
}
