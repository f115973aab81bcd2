//! The wire protocol: versions, formats, methods, bodies, the cpsess prefix (docs/compatibility.md,
//! "Requests").

use crate::harness::{Server, basic};
use reqwest::{Method, StatusCode};
use serde_json::json;

#[tokio::test]
async fn api1_envelope_over_https() {
    let server = Server::start().await;
    let answer = server
        .send(
            Method::GET,
            server.https("/json-api/version?api.version=1"),
            Some(&server.root_auth()),
            None,
            None,
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.content_type, "application/json; charset=\"utf-8\"");
    assert_eq!(
        answer.json(),
        json!({"data": {"version": "11.120.0.16"},
               "metadata": {"version": 1, "command": "version", "result": 1, "reason": "OK"}})
    );
}

#[tokio::test]
async fn keys_come_in_the_documented_order_in_json_and_xml() {
    // cPanel::PublicAPI's own test matches API 0 loadavg as <one>…<five>…<fifteen>.
    let server = Server::start().await;
    let xml = server.get("/xml-api/loadavg").await.text;
    let (one, five, fifteen) = (
        xml.find("<one>").expect("one"),
        xml.find("<five>").expect("five"),
        xml.find("<fifteen>").expect("fifteen"),
    );
    assert!(
        xml.starts_with("<loadavg><one>") && one < five && five < fifteen,
        "{xml}"
    );
    let json = server.get("/json-api/loadavg").await.text;
    let order: Vec<usize> = ["\"one\"", "\"five\"", "\"fifteen\""]
        .iter()
        .map(|k| json.find(k).expect("key"))
        .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{json}");
    // Records keep their fields' order in XML as in JSON.
    let v1 = server
        .get("/xml-api/systemloadavg?api.version=1")
        .await
        .text;
    let data = &v1[v1.find("<data>").expect("data")..];
    assert!(
        data.find("<one>") < data.find("<five>") && data.find("<five>") < data.find("<fifteen>"),
        "{v1}"
    );
}

#[tokio::test]
async fn api0_is_the_default() {
    let server = Server::start().await;
    assert_eq!(
        server.call("version", "").await,
        json!({"version": "11.120.0.16"})
    );
    assert_eq!(
        server.call("version", "api.version=0").await,
        json!({"version": "11.120.0.16"})
    );
}

#[tokio::test]
async fn xml_in_both_versions() {
    let server = Server::start().await;
    let v1 = server.get("/xml-api/version?api.version=1").await;
    assert_eq!(v1.content_type, "text/xml; charset=\"utf-8\"");
    assert_eq!(
        v1.text,
        "<result><data><version>11.120.0.16</version></data><metadata><version>1</version>\
         <command>version</command><result>1</result><reason>OK</reason></metadata></result>"
    );
    let v0 = server.get("/xml-api/version").await;
    assert_eq!(v0.text, "<version><version>11.120.0.16</version></version>");
    let apps = server.get("/xml-api/applist").await;
    assert!(apps.text.starts_with("<applist><app>"), "{}", apps.text);
    assert!(apps.text.contains("<app>version</app>"), "{}", apps.text);
}

#[tokio::test]
async fn post_octet_stream_body_is_a_form() {
    // cPanel::PublicAPI posts its form with Content-Type application/octet-stream.
    let server = Server::start().await;
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&server.root_auth()),
            Some("application/octet-stream"),
            Some(b"api.version=1".to_vec()),
        )
        .await;
    assert_eq!(answer.json()["metadata"]["version"], json!(1));
}

#[tokio::test]
async fn query_and_body_merge_whatever_the_content_type() {
    let server = Server::start().await;
    for ct in [
        None,
        Some("application/x-www-form-urlencoded"),
        Some("text/plain"),
        Some("application/json; charset=utf-8"),
    ] {
        let answer = server
            .send(
                Method::POST,
                server.http("/json-api/applist?api.version=1"),
                Some(&server.root_auth()),
                ct,
                Some(b"ignored=1".to_vec()),
            )
            .await;
        assert_eq!(
            answer.json()["metadata"]["result"],
            json!(1),
            "{ct:?}: {}",
            answer.text
        );
    }
}

#[tokio::test]
async fn json_body_only_for_exactly_application_json() {
    let server = Server::start().await;
    let auth = server.root_auth();
    let post = |ct: &'static str| {
        server.send(
            Method::POST,
            server.http("/json-api/version"),
            Some(&auth),
            Some(ct),
            Some(br#"{"api.version": 1}"#.to_vec()),
        )
    };
    assert_eq!(
        post("application/json").await.json()["metadata"]["version"],
        json!(1)
    );
    // With a charset the body is read as a form, so the JSON text is one odd key: API 0.
    assert_eq!(
        post("application/json; charset=utf-8").await.json(),
        json!({"version": "11.120.0.16"})
    );
}

#[tokio::test]
async fn multipart_form_data_fields_are_arguments() {
    // TheHostingTool posts its arguments as multipart/form-data.
    let server = Server::start().await;
    let body = "--XyZ\r\nContent-Disposition: form-data; name=\"api.version\"\r\n\r\n1\r\n\
                --XyZ\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\nfreshname\r\n\
                --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\
                Content-Type: text/plain\r\n\r\nuser=ignored\r\n--XyZ--\r\n";
    let auth = server.root_auth();
    let post = |ct: &'static str, body: &str| {
        server.send(
            Method::POST,
            server.http("/json-api/verify_new_username"),
            Some(&auth),
            Some(ct),
            Some(body.as_bytes().to_vec()),
        )
    };
    let reply = post("multipart/form-data; boundary=XyZ", body).await.json();
    assert_eq!(reply["metadata"]["result"], json!(1), "{reply}");
    assert_eq!(reply["metadata"]["reason"], json!("OK"));
    // The same function without the user field shows the field was what counted.
    let without = body
        .replace("freshname", "")
        .replace("name=\"user\"", "name=\"other\"");
    let reply = post("multipart/form-data; boundary=XyZ", &without)
        .await
        .json();
    assert_eq!(reply["metadata"]["result"], json!(0), "{reply}");
    // A body that is not the multipart it claims: a WHM failure, nothing run.
    let reply = server
        .send(
            Method::POST,
            server.http("/json-api/verify_new_username?api.version=1"),
            Some(&server.root_auth()),
            Some("multipart/form-data; boundary=XyZ"),
            Some(b"user=freshname".to_vec()),
        )
        .await
        .json();
    assert_eq!(
        reply["metadata"]["reason"],
        json!("The request body is not valid multipart/form-data."),
        "{reply}"
    );
}

#[tokio::test]
async fn invalid_json_body_is_a_whm_failure() {
    let server = Server::start().await;
    let answer = server
        .send(
            Method::POST,
            server.http("/json-api/version?api.version=1"),
            Some(&server.root_auth()),
            Some("application/json"),
            Some(b"[1,2".to_vec()),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK);
    let body = answer.json();
    assert_eq!(body["metadata"]["result"], json!(0));
    assert_eq!(
        body["metadata"]["reason"],
        json!("The request body is not a valid JSON object.")
    );
}

#[tokio::test]
async fn cpsess_prefix_with_token_auth() {
    // whambampy keeps the /cpsess… prefix from create_user_session and still sends its token.
    let server = Server::start().await;
    for path in [
        "/cpsess0123456789/json-api/version?api.version=1",
        "/cpsess9999999999/cPanel_magic_revision_1/json-api/version?api.version=1",
    ] {
        let answer = server.get(path).await;
        assert_eq!(
            answer.json()["data"]["version"],
            json!("11.120.0.16"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn unknown_functions_and_versions() {
    let server = Server::start().await;
    let v1 = server.call("no_such_function", "api.version=1").await;
    assert_eq!(
        v1,
        json!({"metadata": {"version": 1, "command": "no_such_function", "result": 0,
               "reason": "Unknown app (no_such_function) requested for this version (1) of the API."}})
    );
    let v0 = server.call("no_such_function", "").await;
    assert_eq!(v0["status"], json!(0));
    assert_eq!(
        v0["statusmsg"],
        json!("Unknown app (no_such_function) requested for this version (0) of the API.")
    );
    assert_eq!(v0["error"], v0["statusmsg"]);
    // systemloadavg exists only in API 1.
    let v0 = server.call("systemloadavg", "").await;
    assert_eq!(
        v0["statusmsg"],
        json!("Unknown app (systemloadavg) requested for this version (0) of the API.")
    );
    // Any later integer is API 1 (FOSSBilling sends api.version=2); anything else is unknown.
    let v7 = server.call("version", "api.version=7").await;
    assert_eq!(v7["metadata"]["result"], json!(1), "{v7}");
    assert_eq!(v7["metadata"]["version"], json!(1));
    assert!(v7["data"]["version"].is_string(), "{v7}");
    let abc = server.call("version", "api.version=abc").await;
    assert_eq!(
        abc["metadata"]["reason"],
        json!("Unknown app (version) requested for this version (abc) of the API.")
    );
    assert_eq!(abc["metadata"]["version"], json!("abc"));
    let xml = server.get("/xml-api/nope%3Cx%3E?api.version=1").await;
    assert!(
        xml.text.contains("Unknown app (nope&lt;x&gt;) requested"),
        "{}",
        xml.text
    );
}

#[tokio::test]
async fn head_get_post_and_other_methods() {
    let server = Server::start().await;
    let auth = server.root_auth();
    let head = server
        .send(
            Method::HEAD,
            server.http("/json-api/version"),
            Some(&auth),
            None,
            None,
        )
        .await;
    assert_eq!(head.status, StatusCode::OK);
    assert!(head.text.is_empty());
    let put = server
        .send(
            Method::PUT,
            server.http("/json-api/version"),
            Some(&auth),
            None,
            None,
        )
        .await;
    assert_eq!(put.status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(
        put.json()["cpanelresult"]["error"],
        json!("Use GET or POST.")
    );
}

#[tokio::test]
async fn responses_are_not_cached() {
    let server = Server::start().await;
    let response = server
        .client
        .get(server.http("/json-api/version"))
        .header("Authorization", server.root_auth())
        .send()
        .await
        .expect("answered");
    let cache = response
        .headers()
        .get("cache-control")
        .expect("cache-control");
    assert!(cache.to_str().expect("ascii").contains("no-store"));
}

/// API 0 names some arguments differently from API 1: `passwd` takes `pass` and `killpkg`
/// `pkg` (cPanel's API 0 documentation; pycpanel and cpanel-lib callers send them). Both
/// versions take either name.
#[tokio::test]
async fn api0_takes_its_own_argument_names() {
    let server = Server::start().await;
    let made = server
        .call(
            "createacct",
            "api.version=1&username=legacy&domain=legacy.example.com&password=First-pass-1",
        )
        .await;
    assert_eq!(made["metadata"]["result"], 1, "{made}");
    let setup = server
        .call("setupreseller", "api.version=1&user=legacy")
        .await;
    assert_eq!(setup["metadata"]["result"], 1, "{setup}");

    // API 1 takes the API 0 name too: clients mix them.
    let api1 = server
        .call("passwd", "api.version=1&user=legacy&pass=Zeroth-pass-0")
        .await;
    assert_eq!(api1["metadata"]["result"], json!(1), "{api1}");
    let api0 = server
        .call("passwd", "user=legacy&pass=Second-pass-2")
        .await;
    assert_eq!(api0["passwd"][0]["status"], json!(1), "{api0}");
    assert_eq!(
        server.login_status(&basic("legacy", "Second-pass-2")).await,
        StatusCode::OK
    );
    assert_eq!(
        server.login_status(&basic("legacy", "First-pass-1")).await,
        StatusCode::FORBIDDEN
    );

    let added = server.call("addpkg", "name=legacy_plan").await;
    assert_eq!(added["result"][0]["status"], json!(1), "{added}");
    let api0 = server.call("killpkg", "pkg=legacy_plan").await;
    assert_eq!(api0["result"][0]["status"], json!(1), "{api0}");
    server.call("addpkg", "name=legacy_plan").await;
    let api1 = server
        .call("killpkg", "api.version=1&pkg=legacy_plan")
        .await;
    assert_eq!(api1["metadata"]["result"], json!(1), "{api1}");
    let listed = server.call("listpkgs", "api.version=1").await;
    assert_eq!(listed["data"]["pkg"], json!([]), "{listed}");

    // Both names of the reseller in terminatereseller and resellerstats; API 0's `verify`.
    let stats = server.call("resellerstats", "reseller=legacy").await;
    assert_eq!(stats["reseller"]["user"], json!("legacy"), "{stats}");
    assert_eq!(
        stats["reseller"]["acct"],
        json!([]),
        "its accounts: {stats}"
    );
    let refused = server
        .call("terminatereseller", "reseller=legacy&terminatereseller=0&verify=I%20understand%20this%20will%20irrevocably%20remove%20all%20the%20accounts%20owned%20by%20the%20reseller%20legacy")
        .await;
    assert_eq!(
        refused["result"][0]["status"],
        json!(0),
        "an explicit 0 is no: {refused}"
    );
    let wrong = server
        .call("terminatereseller", "reseller=legacy&verify=I%20understand")
        .await;
    assert_eq!(wrong["result"][0]["status"], json!(0), "{wrong}");
    let gone = server
        .call("terminatereseller", "reseller=legacy&verify=I%20understand%20this%20will%20irrevocably%20remove%20all%20the%20accounts%20owned%20by%20the%20reseller%20legacy")
        .await;
    assert_eq!(gone["result"][0]["status"], json!(1), "{gone}");
    let summary = server
        .call("accountsummary", "api.version=1&user=legacy")
        .await;
    assert_eq!(summary["metadata"]["result"], json!(0));
}
