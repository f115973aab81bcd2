//! `whmd import-cpanel`: archives in cPanel's layout (version 4, version 3 with the older
//! `homedir.tar`), made here by GNU tar from every entry the layout has, restore with a
//! summary by module; whmd's own archives round trip; bad archives and names that are taken
//! change nothing.

use crate::accounts::{create, v1};
use crate::harness::Server;
use std::path::{Path, PathBuf};
use std::process::Command;
use whmd::config::HostFlags;
use whmd::import_cpanel::{Choices, Imported, run, summary};
use whmd_api::functions::restore::report::Status;

/// A SHA-512 crypt hash of "Imported-1".
const HASH: &str = "$6$k7rN3T2q8cXz$fHqKaQiJ9jnlLlHmju14KG1f2QQ.cvoO7WNVNWmRIUoqYJGZLpZ0d.wDnx7/Djcl4puOsqrGzKSZuGRxLVczX/";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("dirs");
    std::fs::write(path, text).expect("write");
}

/// An account `user` in cPanel's layout under `root/cpmove-USER/`, with an entry of each kind
/// the layout has (docs/compatibility.md, "Account archives"); `version` 3 gives the older
/// archive: an MD5-crypt hash, `meta/dbmap.yaml`, and the home as `homedir.tar`.
pub(crate) fn cpanel_tree(root: &Path, user: &str, version: u32) -> PathBuf {
    let top = root.join(format!("cpmove-{user}"));
    let domain = format!("{user}.example.com");
    let at = |rel: &str| top.join(rel);
    write(
        &at("version"),
        &format!("pkgacct version: 10\narchive version: {version}\n"),
    );
    write(
        &at(&format!("cp/{user}")),
        &format!(
            "# cPanel -- If you edit this file, the cPanel user cache must be updated.\n\
             BWLIMIT=unlimited\nCONTACTEMAIL={user}@example.net\nDNS={domain}\nDNS1=shop-{user}.example.org\n\
             DNS2=bad_domain\nFEATURELIST=default\nHASCGI=1\nIP=203.0.113.9\nLANG=en\nMAXADDON=2\nMAXFTP=5\n\
             MAXPOP=7\nMAXSQL=3\nMXCHECK-{domain}=local\nOWNER=somereseller\nPLAN=gold_plan\nRS=jupiter\n\
             STARTDATE=1600000000\nUSER={user}\nXDNS1=old-{user}.example.com\n"
        ),
    );
    let shadow = if version >= 4 {
        HASH.to_owned()
    } else {
        "$1$md5salt$0123456789abcdefghijkl".to_owned()
    };
    write(&at("shadow"), &format!("{shadow}\n"));
    write(&at("digestshadow"), "");
    write(&at("shell"), "/usr/local/cpanel/bin/jailshell\n");
    write(&at("quota"), "3000\n");
    write(&at("homedir_paths"), &format!("/home2/{user}\n"));
    write(&at("meta/homedir_paths"), &format!("/home2/{user}\n"));
    write(&at("meta/hostname"), "old.example.net\n");
    write(&at("meta/mailserver"), "dovecot\n");
    write(&at("meta/dbprefix"), "0\n");
    if version < 4 {
        write(&at("meta/dbmap.yaml"), "---\nMYSQL:\n  dbs: {}\n");
    }
    write(
        &at(&format!("dnszones/{domain}.db")),
        &format!(
            "; cPanel first:11.120 (update_time):1700000000 Cpanel::ZoneFile::VERSION:1.3 hostname:old.example.net latest:11.120\n\
             $TTL 14400\n\
             {domain}. 86400 IN SOA ns1.example.net. admin.example.net. 2024010101 3600 1800 1209600 86400\n\
             {domain}. 86400 IN NS ns1.example.net.\n\
             {domain}. IN A 203.0.113.9\n\
             www IN CNAME {domain}.\n\
             mail IN A 203.0.113.9\n\
             {domain}. IN MX 0 {domain}.\n\
             {domain}. IN TXT \"v=spf1 +a +mx ~all\"\n"
        ),
    );
    write(
        &at(&format!("dnszones/shop-{user}.example.org.db")),
        "this is not a zone file\n",
    );
    write(
        &at("userdata/main"),
        &format!(
            "---\nmain_domain: {domain}\naddon_domains:\n  addon-{user}.example.net: addon.{domain}\n\
             parked_domains:\n  - shop-{user}.example.org\nsub_domains:\n  - addon.{domain}\n  - blog.{domain}\n"
        ),
    );
    write(
        &at(&format!("userdata/{domain}")),
        &format!("---\ndocumentroot: /home/{user}/public_html\n"),
    );
    write(&at("userdata/cache.json"), "{}");
    write(&at("sds"), "");
    write(&at("sds2"), "");
    write(&at("pds"), "");
    write(&at("addons"), "");
    write(
        &at("mysql.sql"),
        "-- cPanel mysql backup\nGRANT USAGE ON *.* TO 'u'@'localhost';\n",
    );
    write(&at("mysql.sql-auth.json"), "{}");
    write(
        &at(&format!("mysql/{user}_wp.create")),
        "CREATE DATABASE `x`;\n",
    );
    write(
        &at(&format!("mysql/{user}_wp.sql")),
        "CREATE TABLE t (a int);\n",
    );
    write(&at(&format!("mysql-timestamps/{user}_wp")), "1700000000\n");
    write(&at("psql_users.sql"), "");
    write(
        &at(&format!("va/{domain}")),
        &format!("info@{domain}: {user}\n*: :fail: No such person\n"),
    );
    write(&at(&format!("vad/{domain}")), "");
    write(&at(&format!("vf/{domain}")), "");
    write(
        &at("proftpdpasswd"),
        &format!("{user}:{shadow}:1001:1001::/home/{user}:/bin/ftpsh\n"),
    );
    write(
        &at(&format!("cron/{user}")),
        "MAILTO=\"\"\n0 3 * * * php ~/cron.php\n",
    );
    write(
        &at(&format!("apache_tls/{domain}")),
        "-----BEGIN PRIVATE KEY-----\nx\n-----END PRIVATE KEY-----\n",
    );
    write(
        &at(&format!("domainkeys/private/{domain}")),
        "-----BEGIN RSA PRIVATE KEY-----\n",
    );
    write(
        &at(&format!("domainkeys/public/{domain}")),
        "-----BEGIN PUBLIC KEY-----\n",
    );
    write(&at(&format!("logs/{domain}")), "GET / 200\n");
    write(&at("bandwidth_db.json"), "{}");
    write(&at("ips/related_ips"), "");
    write(&at("autossl.json"), "{\"excluded_domains\":[]}");
    write(&at("nobodyfiles"), "");
    for dir in [
        "counters",
        "httpfiles",
        "locale",
        "resellerconfig",
        "sslcerts",
        "sslkeys",
        "ssl",
        "suspended",
        "suspendinfo",
        "team",
        "mm",
        "mms",
        "mma/priv",
        "mma/pub",
    ] {
        std::fs::create_dir_all(at(dir)).expect("dir");
    }
    let home = at("homedir");
    write(&home.join("public_html/index.html"), "<h1>restored</h1>\n");
    write(
        &home.join(format!("etc/{domain}/passwd")),
        &format!("info:x:1001:1001::/home/{user}/mail/{domain}/info:/home/{user}\n"),
    );
    write(
        &home.join(format!("mail/{domain}/info/cur/1.msg")),
        "Subject: hi\n\nhello\n",
    );
    write(&home.join("mail/mailbox_format.cpanel"), "maildir\n");
    if version < 4 {
        let out = Command::new("tar")
            .arg("-cf")
            .arg(at("homedir.tar"))
            .arg("-C")
            .arg(&home)
            .arg(".")
            .output()
            .expect("tar");
        assert!(out.status.success(), "{out:?}");
        std::fs::remove_dir_all(&home).expect("rm");
    }
    top
}

/// `dir/cpmove-USER.tar.gz` made by GNU tar from `tree`.
pub(crate) fn tarball(tree: &Path) -> PathBuf {
    let dir = tree.parent().expect("parent");
    let name = tree.file_name().expect("name").to_str().expect("utf-8");
    let path = dir.join(format!("{name}.tar.gz"));
    let out = Command::new("tar")
        .arg("-czf")
        .arg(&path)
        .arg("-C")
        .arg(dir)
        .arg(name)
        .output()
        .expect("tar");
    assert!(out.status.success(), "{out:?}");
    path
}

async fn import(server: &Server, archives: &[PathBuf], dry_run: bool) -> Vec<Imported> {
    let keep = server.dir.path().join("kept");
    run(
        archives,
        Choices {
            keep: Some(&keep),
            dry_run,
            ..Choices::default()
        },
        &server.store_flags(),
        &HostFlags::default(),
    )
    .await
    .expect("the import runs")
}

fn status_of(imported: &Imported, module: &str) -> (Status, String) {
    let restored = imported.outcome.as_ref().expect("restored");
    let m = restored
        .modules
        .iter()
        .find(|m| m.module == module)
        .unwrap_or_else(|| panic!("no module {module}: {restored:?}"));
    (m.status, m.notes.join(" | "))
}

#[tokio::test]
async fn archives_in_cpanels_layout_import_with_a_summary() {
    let server = Server::start().await;
    let work = tempfile::tempdir().expect("tempdir");
    for (user, version) in [("impfour", 4), ("impthree", 3)] {
        let tree = cpanel_tree(work.path(), user, version);
        let archive = tarball(&tree);

        // A dry run says what would be done and does nothing.
        let dry = import(&server, std::slice::from_ref(&archive), true).await;
        assert!(
            dry[0].outcome.as_ref().is_ok_and(|r| r.uid.is_none()),
            "{dry:?}"
        );
        assert!(summary(&dry[0], true).contains("would be restored"));
        let (result, _, _) = v1(&server, "accountsummary", &format!("user={user}")).await;
        assert_eq!(result, 0, "a dry run creates nothing");

        let done = import(&server, std::slice::from_ref(&archive), false).await;
        let text = summary(&done[0], false);
        let restored = done[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(restored.user, user);
        let (status, notes) = status_of(&done[0], "Account");
        assert_eq!(status, Status::Restored);
        assert!(
            notes.contains("“gold_plan” is not on this server"),
            "{notes}"
        );
        assert!(
            notes.contains("“somereseller” is not a reseller here"),
            "{notes}"
        );
        assert!(notes.contains("jailed shell"), "{notes}");
        let (_, notes) = status_of(&done[0], "Domains");
        assert!(notes.contains("bad_domain left out"), "{notes}");
        assert!(
            notes.contains(&format!("from userdata/main: addon-{user}.example.net")),
            "{notes}"
        );
        assert!(
            notes.contains(&format!(
                "subdomains not restored (whmd serves none yet; their files are in the home): blog.{user}.example.com"
            )),
            "{notes}"
        );
        let (status, notes) = status_of(&done[0], "ZoneFile");
        assert_eq!(status, Status::Restored);
        assert!(
            notes.contains(&format!("shop-{user}.example.org.db left out")),
            "{notes}"
        );
        assert!(
            notes.contains("A records pointing at 203.0.113.9"),
            "{notes}"
        );
        let (status, notes) = status_of(&done[0], "Password");
        if version >= 4 {
            assert_eq!(status, Status::Restored, "{notes}");
        } else {
            assert_eq!(status, Status::Skipped);
            assert!(notes.contains("MD5-crypt"), "{notes}");
        }
        let (status, notes) = status_of(&done[0], "Homedir");
        assert_eq!(status, Status::Skipped, "provisioning is off here");
        assert!(notes.contains("provisioning is off"));
        for module in [
            "Mysql",
            "Mail",
            "Ftp",
            "SSL",
            "DKIM",
            "Cron",
            "Logs and bandwidth",
            "Web sites",
        ] {
            let (status, notes) = status_of(&done[0], module);
            assert_eq!(status, Status::NotApplied, "{module}: {notes}");
            assert!(notes.contains("kept in"), "{module}: {notes}");
        }
        // What is not applied is kept, readable by root alone.
        let kept = restored.kept.clone().expect("kept");
        assert!(
            kept.join(format!("mysql/{user}_wp.sql")).is_file(),
            "{text}"
        );
        assert!(kept.join("proftpdpasswd").is_file());
        assert!(!kept.join("homedir").exists() && !kept.join("homedir.tar").exists());
        let parent = std::fs::metadata(kept.parent().expect("keep root")).expect("keep root");
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&parent.permissions()) & 0o077,
            0
        );

        let (result, _, reply) = v1(&server, "accountsummary", &format!("user={user}")).await;
        assert_eq!(result, 1, "{reply}");
        let acct = &reply["data"]["acct"][0];
        assert_eq!(acct["domain"], format!("{user}.example.com"));
        assert_eq!(acct["plan"], "default");
        assert_eq!(acct["owner"], "root");
        assert_eq!(acct["maxpop"], "7");
        assert_eq!(acct["maxsql"], "3");
        assert_eq!(acct["email"], format!("{user}@example.net"));
        assert_eq!(acct["disklimit"], "3000M");
        assert_eq!(acct["shell"], "/usr/local/cpanel/bin/noshell");
        let (_, _, zone) = v1(&server, "dumpzone", &format!("domain={user}.example.com")).await;
        let zone = zone.to_string();
        assert!(!zone.contains("203.0.113.9"), "{zone}");
        assert!(zone.contains("v=spf1"), "{zone}");
        let hash = whmd::store::open(&server.database_url)
            .await
            .expect("store")
            .credentials
            .password_hash(user)
            .await
            .expect("hash")
            .expect("a hash");
        assert_eq!(hash == HASH, version >= 4);
    }
}

#[tokio::test]
async fn whmds_own_archive_round_trips() {
    let server = Server::start().await;
    create(
        &server,
        "roundtrip",
        "&maxpop=12&contactemail=r@example.net",
    )
    .await;
    let (result, _, _) = v1(
        &server,
        "addzonerecord",
        "zone=roundtrip.example.com&name=extra&type=TXT&txtdata=kept",
    )
    .await;
    assert_eq!(result, 1);
    let stores = whmd::store::open(&server.database_url)
        .await
        .expect("store");
    let hash = stores
        .credentials
        .password_hash("roundtrip")
        .await
        .expect("hash");
    let work = tempfile::tempdir().expect("tempdir");
    let packed = whmd::pkgacct::run("roundtrip", work.path(), false, &server.store_flags())
        .await
        .expect("packed");
    let (result, _, _) = v1(&server, "removeacct", "username=roundtrip").await;
    assert_eq!(result, 1);

    let done = import(&server, std::slice::from_ref(&packed.path), false).await;
    let restored = done[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored.user, "roundtrip");
    let (result, _, reply) = v1(&server, "accountsummary", "user=roundtrip").await;
    assert_eq!(result, 1, "{reply}");
    let acct = &reply["data"]["acct"][0];
    assert_eq!(acct["maxpop"], "12");
    assert_eq!(acct["email"], "r@example.net");
    assert_eq!(
        stores
            .credentials
            .password_hash("roundtrip")
            .await
            .expect("hash"),
        hash
    );
    let (_, _, zone) = v1(&server, "dumpzone", "domain=roundtrip.example.com").await;
    assert!(zone.to_string().contains("kept"), "{zone}");
    // The restored password opens the account's session as it did.
    assert!(
        whmd_domain::secret::verify_password(
            whmd_domain::secret::Secret::new("Secret-roundtrip-1"),
            hash
        )
        .await
    );
}

#[tokio::test]
async fn bad_archives_and_taken_names_change_nothing() {
    let server = Server::start().await;
    let work = tempfile::tempdir().expect("tempdir");
    create(&server, "taken", "").await;

    // The username exists.
    let tree = cpanel_tree(work.path(), "taken", 4);
    let archive = tarball(&tree);
    let done = import(&server, &[archive], false).await;
    let why = done[0].outcome.as_ref().expect_err("refused");
    assert!(
        why.contains("already has an account named “taken”"),
        "{why}"
    );

    // The domain is another account's.
    let tree = cpanel_tree(work.path(), "thief", 4);
    let cp = tree.join("cp/thief");
    let text = std::fs::read_to_string(&cp)
        .expect("cp")
        .replace("DNS=thief.example.com", "DNS=taken.example.com");
    std::fs::write(&cp, text).expect("cp");
    let done = import(&server, &[tree], false).await;
    let why = done[0].outcome.as_ref().expect_err("refused");
    assert!(why.contains("taken.example.com"), "{why}");

    // A zone of one of its domains exists.
    let tree = cpanel_tree(work.path(), "zoned", 4);
    let (result, _, _) = v1(&server, "adddns", "domain=zoned.example.com&ip=192.0.2.1").await;
    assert_eq!(result, 1);
    let done = import(&server, &[tree], false).await;
    assert!(done[0].outcome.is_err());

    // Hostile and broken archives.
    let tree = cpanel_tree(work.path(), "hostile", 4);
    std::os::unix::fs::symlink("/etc/passwd", tree.join("cp/other")).expect("symlink");
    let linked = tarball(&tree);
    let tree = cpanel_tree(work.path(), "cut", 4);
    let whole = std::fs::read(tarball(&tree)).expect("read");
    let cut = work.path().join("cut.tar.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).expect("cut");
    let missing = work.path().join("absent.tar.gz");
    let done = import(&server, &[linked, cut, missing], false).await;
    let reasons: Vec<&String> = done
        .iter()
        .map(|d| d.outcome.as_ref().expect_err("refused"))
        .collect();
    assert!(reasons[0].contains("symbolic link"), "{reasons:?}");
    assert!(reasons[1].contains("cannot be read"), "{reasons:?}");
    assert!(reasons[2].contains("cannot open"), "{reasons:?}");

    for user in ["thief", "zoned", "hostile", "cut"] {
        let (result, _, _) = v1(&server, "accountsummary", &format!("user={user}")).await;
        assert_eq!(result, 0, "{user} was not created");
    }
    let (result, _, reply) = v1(&server, "accountsummary", "user=taken").await;
    assert_eq!(result, 1);
    assert_eq!(reply["data"]["acct"][0]["domain"], "taken.example.com");
    // Nothing is left of the refused restores: no kept entries, no staging.
    let kept = server.dir.path().join("kept");
    let left: Vec<_> = std::fs::read_dir(&kept)
        .map(|d| d.flatten().map(|e| e.file_name()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

/// With `overwrite`, an archive replaces the account of its name: the uid stays, the
/// settings, password and zones become the archive's (the old account's other zones go); a
/// dry run changes nothing, and a reseller is not overwritten.
#[tokio::test]
async fn overwrite_replaces_an_existing_account_whole() {
    let server = Server::start().await;
    let work = tempfile::tempdir().expect("tempdir");
    create(&server, "ovr", "&maxpop=3").await;
    let stores = server.store().await;
    let before = stores
        .accounts
        .account("ovr")
        .await
        .expect("read")
        .expect("there");
    // The archive's main domain is another: the account's old zone has no place in it.
    let tree = cpanel_tree(work.path(), "ovr", 4);
    let cp = tree.join("cp/ovr");
    let text = std::fs::read_to_string(&cp)
        .expect("cp")
        .replace("DNS=ovr.example.com", "DNS=moved-ovr.example.com");
    std::fs::write(&cp, text).expect("cp");
    std::fs::remove_file(tree.join("dnszones/ovr.example.com.db")).expect("zone");
    let keep = server.dir.path().join("kept");
    let overwrite = |dry_run| Choices {
        keep: Some(&keep),
        dry_run,
        overwrite: true,
        progress: false,
    };

    let done = run(
        std::slice::from_ref(&tree),
        overwrite(true),
        &server.store_flags(),
        &HostFlags::default(),
    )
    .await
    .expect("the import runs");
    let planned = done[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        planned.warnings.iter().any(|w| w.contains("is replaced")),
        "{:?}",
        planned.warnings
    );
    let (_, _, reply) = v1(&server, "accountsummary", "user=ovr").await;
    assert_eq!(
        reply["data"]["acct"][0]["domain"], "ovr.example.com",
        "a dry run"
    );

    let done = run(
        std::slice::from_ref(&tree),
        overwrite(false),
        &server.store_flags(),
        &HostFlags::default(),
    )
    .await
    .expect("the import runs");
    let restored = done[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored.uid, Some(before.uid), "the uid stays");
    let after = stores
        .accounts
        .account("ovr")
        .await
        .expect("read")
        .expect("there");
    assert_eq!(after.domain, "moved-ovr.example.com");
    assert_eq!(after.uid, before.uid);
    let (_, _, reply) = v1(&server, "accountsummary", "user=ovr").await;
    assert_eq!(reply["data"]["acct"][0]["maxpop"], "7", "{reply}");
    assert_eq!(
        stores
            .credentials
            .password_hash("ovr")
            .await
            .expect("read")
            .as_deref(),
        Some(HASH)
    );
    let zones: Vec<String> = stores
        .zones
        .zones(Some("ovr"))
        .await
        .expect("zones")
        .into_iter()
        .map(|z| z.name)
        .collect();
    assert!(
        zones.contains(&"moved-ovr.example.com".to_owned()),
        "{zones:?}"
    );
    assert!(!zones.contains(&"ovr.example.com".to_owned()), "{zones:?}");
    assert!(
        stores
            .zones
            .zone("ovr.example.com")
            .await
            .expect("read")
            .is_none()
    );

    // A reseller is not overwritten.
    create(&server, "ovres", "").await;
    let (result, _, _) = v1(&server, "setupreseller", "user=ovres").await;
    assert_eq!(result, 1);
    let tree = cpanel_tree(work.path(), "ovres", 4);
    let done = run(
        &[tree],
        overwrite(false),
        &server.store_flags(),
        &HostFlags::default(),
    )
    .await
    .expect("the import runs");
    let why = done[0].outcome.as_ref().expect_err("refused");
    assert!(why.contains("is a reseller"), "{why}");
    let (_, _, reply) = v1(&server, "accountsummary", "user=ovres").await;
    assert_eq!(reply["data"]["acct"][0]["domain"], "ovres.example.com");
}

/// A server that makes accounts real on the host (inside a sandbox), without a web server.
async fn provisioned() -> Server {
    Server::start_local(|c| {
        c.host.provision = whmd::config::Provision::Linux;
        c.host.state = c.data_dir.join("host");
        c.host.web = None;
    })
    .await
}

/// Writes `provisioned`'s configuration where the importer reads it, as it would on a real
/// server.
fn importer_config(server: &Server) {
    let dir = server.dir.path();
    std::fs::write(
        dir.join("whmd.toml"),
        format!(
            "hostname = \"whmd.test\"\nprovision = \"linux\"\nweb = \"none\"\nhost_state = \"{}\"\n",
            dir.join("host").display()
        ),
    )
    .expect("config");
}

/// With provisioning on (in a throwaway namespace, see `whmd_host::sandbox`): an account's
/// home goes into its archive and comes back with its files, modes and links, every file the
/// new uid's, and the host converges the restored account as it would a created one.
#[tokio::test]
async fn a_home_round_trips_on_a_provisioned_host() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use whmd_host::sandbox::{Place, enter, entry};
    if let Place::Done = enter("import_cpanel::a_home_round_trips_on_a_provisioned_host") {
        return;
    }
    let server = provisioned().await;
    create(&server, "homer", "").await;
    let stores = server.store().await;
    let before = stores
        .accounts
        .account("homer")
        .await
        .expect("read")
        .expect("stored");
    let home = Path::new("/home/homer");
    write(&home.join("public_html/index.html"), "<h1>home</h1>\n");
    write(&home.join("private/notes.txt"), "mine\n");
    std::fs::set_permissions(home.join("private"), PermissionsExt::from_mode(0o700))
        .expect("chmod");
    std::fs::set_permissions(
        home.join("private/notes.txt"),
        PermissionsExt::from_mode(0o600),
    )
    .expect("chmod");
    std::os::unix::fs::symlink("private/notes.txt", home.join("notes")).expect("symlink");
    std::fs::hard_link(home.join("private/notes.txt"), home.join("notes-too")).expect("link");
    for path in [
        "public_html/index.html",
        "private",
        "private/notes.txt",
        "notes-too",
    ] {
        std::os::unix::fs::chown(home.join(path), Some(before.uid), Some(before.uid))
            .expect("chown");
    }
    std::os::unix::fs::lchown(home.join("notes"), Some(before.uid), Some(before.uid))
        .expect("chown");

    let work = tempfile::tempdir().expect("tempdir");
    let packed = whmd::pkgacct::run("homer", work.path(), false, &server.store_flags())
        .await
        .expect("packed");
    assert!(packed.home);
    let (result, _, reply) = v1(&server, "removeacct", "username=homer").await;
    assert_eq!(result, 1, "{reply}");
    assert!(!home.exists(), "the removal took the home");
    assert!(entry("/etc/passwd", "homer").is_none());
    importer_config(&server);
    let host = HostFlags::default();
    let keep = server.dir.path().join("kept");
    let done = run(
        std::slice::from_ref(&packed.path),
        Choices {
            keep: Some(&keep),
            ..Choices::default()
        },
        &server.store_flags(),
        &host,
    )
    .await
    .expect("the import runs");
    let restored = done[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
    let (status, notes) = status_of(&done[0], "Homedir");
    assert_eq!(status, Status::Restored, "{notes}");
    let uid = restored.uid.expect("a uid");

    let owned = |path: &str| {
        let m =
            std::fs::symlink_metadata(home.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        (m.uid(), m.gid(), m.mode() & 0o7777)
    };
    assert_eq!(owned("private"), (uid, uid, 0o700));
    assert_eq!(owned("private/notes.txt"), (uid, uid, 0o600));
    assert_eq!(owned("public_html/index.html").0, uid);
    assert_eq!(owned("notes").0, uid, "the link itself is the account's");
    assert_eq!(
        std::fs::read_link(home.join("notes")).expect("link"),
        Path::new("private/notes.txt")
    );
    let a = std::fs::metadata(home.join("private/notes.txt")).expect("file");
    let b = std::fs::metadata(home.join("notes-too")).expect("link");
    assert_eq!(a.ino(), b.ino(), "the hard link is one file again");
    assert_eq!(
        std::fs::read_to_string(home.join("public_html/index.html")).expect("page"),
        "<h1>home</h1>\n"
    );
    // No staging directory is left beside the home.
    let left: Vec<_> = std::fs::read_dir("/home")
        .expect("/home")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".whmd-restore"))
        .collect();
    assert!(left.is_empty(), "{left:?}");

    // The running server converges it as a created account (at its next pass, or here at
    // the next change): the system user with the restored hash, the home's own tree.
    assert!(
        restored.host_log.contains("running whmd server converges"),
        "{}",
        restored.host_log
    );
    let (result, _, reply) = v1(&server, "editquota", "user=homer&quota=0").await;
    assert_eq!(result, 1, "{reply}");
    assert_eq!(
        entry("/etc/passwd", "homer").map(|e| e[2].clone()),
        Some(uid.to_string()),
        "{reply}"
    );
    let hash = stores
        .credentials
        .password_hash("homer")
        .await
        .expect("read")
        .expect("hash");
    assert_eq!(entry("/etc/shadow", "homer").expect("shadow")[1], hash);
    assert_eq!(owned(""), (uid, uid, 0o711));
    assert_eq!(owned("private/notes.txt"), (uid, uid, 0o600));
}

/// With provisioning on (in a throwaway namespace): overwriting an account replaces its home
/// with the archive's, owned by the uid it keeps, and leaves nothing set aside.
#[tokio::test]
async fn overwrite_replaces_the_home_on_a_provisioned_host() {
    use std::os::unix::fs::MetadataExt;
    use whmd_host::sandbox::{Place, enter, entry};
    if let Place::Done = enter("import_cpanel::overwrite_replaces_the_home_on_a_provisioned_host") {
        return;
    }
    let server = provisioned().await;
    create(&server, "ovhome", "").await;
    let uid: u32 = entry("/etc/passwd", "ovhome").expect("user")[2]
        .parse()
        .expect("uid");
    let home = Path::new("/home/ovhome");
    write(&home.join("public_html/then.html"), "then\n");
    std::os::unix::fs::chown(home.join("public_html/then.html"), Some(uid), Some(uid))
        .expect("chown");
    let work = tempfile::tempdir().expect("tempdir");
    let packed = whmd::pkgacct::run("ovhome", work.path(), false, &server.store_flags())
        .await
        .expect("packed");
    write(&home.join("later.txt"), "after the backup\n");

    importer_config(&server);
    let dir = server.dir.path();
    let keep = dir.join("kept");
    let done = run(
        std::slice::from_ref(&packed.path),
        Choices {
            keep: Some(&keep),
            overwrite: true,
            ..Choices::default()
        },
        &server.store_flags(),
        &HostFlags::default(),
    )
    .await
    .expect("the import runs");
    let restored = done[0].outcome.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(restored.uid, Some(uid));
    assert!(
        !home.join("later.txt").exists(),
        "the home is the archive's"
    );
    let then = home.join("public_html/then.html");
    assert_eq!(std::fs::read_to_string(&then).expect("then"), "then\n");
    assert_eq!(std::fs::metadata(&then).expect("meta").uid(), uid);
    let left: Vec<_> = std::fs::read_dir("/home")
        .expect("/home")
        .flatten()
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".whmd-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(
        entry("/etc/passwd", "ovhome").map(|e| e[2].clone()),
        Some(uid.to_string())
    );
}

/// An archive that would not fit where it goes is refused before anything is written (in a
/// throwaway namespace, for a small filesystem of its own).
#[tokio::test]
async fn an_archive_larger_than_the_free_space_is_refused() {
    use whmd_host::sandbox::{Place, enter};
    if let Place::Done = enter("import_cpanel::an_archive_larger_than_the_free_space_is_refused") {
        return;
    }
    // SQLite: the namespace has no network to reach a PostgreSQL server.
    let server = Server::start_local(|_| {}).await;
    let work = tempfile::tempdir().expect("tempdir");
    let tree = cpanel_tree(work.path(), "bigimp", 4);
    let noise: Vec<u8> = (0..3 << 20)
        .map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(tree.join("mysql/bigimp_big.sql"), noise).expect("a big dump");
    let archive = tarball(&tree);
    let keep = work.path().join("small");
    std::fs::create_dir(&keep).expect("keep");
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&keep)
        .status()
        .expect("mount");
    assert!(mounted.success());
    let done = run(
        std::slice::from_ref(&archive),
        Choices {
            keep: Some(&keep),
            ..Choices::default()
        },
        &server.store_flags(),
        &HostFlags::default(),
    )
    .await
    .expect("the import runs");
    let why = done[0].outcome.as_ref().expect_err("refused");
    assert!(why.contains("not enough free space"), "{why}");
    let (result, _, _) = v1(&server, "accountsummary", "user=bigimp").await;
    assert_eq!(result, 0, "nothing was restored");
    assert_eq!(
        std::fs::read_dir(&keep).expect("keep").count(),
        0,
        "nothing was written"
    );
}
