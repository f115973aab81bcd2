//! `whmd import-zone`: an existing BIND zone file becomes a stored zone the functions edit.

use super::records;
use crate::accounts::{create, v1};
use crate::harness::Server;

const CPANEL_STYLE: &str = "; cPanel first:11.110.0.17 (update_time):1700000000 Cpanel::ZoneFile::VERSION:1.3 hostname:old.example.net latest:11.110.0.17
; Zone file for moved.example.com
$TTL 14400
moved.example.com.\t86400\tIN\tSOA\tns1.example.net.\tadmin.moved.example.com.\t(
\t\t\t\t\t\t2023010101 ;Serial Number
\t\t\t\t\t\t3600 ;refresh
\t\t\t\t\t\t1800 ;retry
\t\t\t\t\t\t1209600 ;expire
\t\t\t\t\t\t86400 )

moved.example.com.\t86400\tIN\tNS\tns1.example.net.
moved.example.com.\t86400\tIN\tNS\tns2.example.net.
moved.example.com.\tIN\tA\t192.0.2.44
mail\tIN\tCNAME\tmoved.example.com.
moved.example.com.\tIN\tMX\t0\tmoved.example.com.
default._domainkey\tIN\tTXT\t( \"v=DKIM1; k=rsa; \" \"p=MIIBIjAN\" )
";

#[tokio::test]
async fn a_bind_zone_file_imports_and_is_then_edited_like_any_zone() {
    let server = Server::start().await;
    create(&server, "mover", "").await;
    let flags = server.store_flags();
    let imported =
        whmd::import_zone::run("moved.example.com", CPANEL_STYLE, "mover", false, &flags)
            .await
            .expect("imports");
    assert_eq!(imported, 7);
    let dumped = records(&server, "moved.example.com").await;
    assert_eq!(dumped[0]["raw"], CPANEL_STYLE.lines().next().expect("line"));
    let soa = dumped.iter().find(|r| r["type"] == "SOA").expect("soa");
    assert_eq!(
        (soa["Line"].clone(), soa["serial"].clone()),
        (serde_json::json!(4), serde_json::json!("2023010101"))
    );
    let dkim = dumped.iter().find(|r| r["type"] == "TXT").expect("txt");
    assert_eq!(dkim["txtdata"], "v=DKIM1; k=rsa; p=MIIBIjAN");
    let (result, _, reply) = v1(
        &server,
        "addzonerecord",
        "domain=moved.example.com&name=www&type=CNAME&cname=moved.example.com",
    )
    .await;
    assert_eq!(result, 1, "{reply}");

    let again =
        whmd::import_zone::run("moved.example.com", CPANEL_STYLE, "mover", false, &flags).await;
    assert!(again.expect_err("taken").to_string().contains("--replace"));
    whmd::import_zone::run("moved.example.com", CPANEL_STYLE, "mover", true, &flags)
        .await
        .expect("replaced");
    let bad = format!("{CPANEL_STYLE}$INCLUDE /etc/passwd\n");
    let refused = whmd::import_zone::run("moved.example.com", &bad, "mover", true, &flags).await;
    let message = format!("{:#}", refused.expect_err("refused"));
    assert!(
        message.contains("Line 17: The directive “$INCLUDE” is not supported."),
        "{message}"
    );
    let nobody =
        whmd::import_zone::run("x.example.com", CPANEL_STYLE, "nobody", false, &flags).await;
    assert!(nobody.is_err());
}
