//! What the archive tests share: an account's contents, a home with what homes have, an
//! account tree in cPanel's layout, archives made entry by entry.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;
use std::process::Command;
use whmd_archive::Contents;

pub fn contents() -> Contents {
    let cpuser: BTreeMap<String, String> = [
        ("USER", "bob"),
        ("DNS", "bob.example.com"),
        ("DNS1", "shop.example.org"),
        ("PLAN", "default"),
        ("OWNER", "root"),
        ("IP", "192.0.2.10"),
        ("MAXPOP", "unlimited"),
        ("STARTDATE", "1700000000"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    Contents {
        user: "bob".into(),
        cpuser,
        shadow: "$6$rounds=5000$salt$hash".into(),
        shell: "/usr/local/cpanel/bin/noshell".into(),
        quota_mb: 3000,
        homedir: "/home/bob".into(),
        hostname: "host.example.net".into(),
        zones: vec![(
            "bob.example.com".into(),
            "; cPanel first:11.120\n$TTL 14400\n@ IN SOA ns1. root. 1 2 3 4 5\n".into(),
        )],
        userdata_main: "---\nmain_domain: bob.example.com\naddon_domains: {}\nparked_domains: []\nsub_domains: []\n".into(),
    }
}

pub fn run(command: &mut Command) -> String {
    let out = command.output().expect("runs");
    assert!(
        out.status.success(),
        "{command:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A home with what homes have: nested directories, modes, another owner, a symbolic link,
/// a file with two names, a name longer than tar's 100 bytes.
pub fn home(dir: &Path) -> String {
    let long = "n".repeat(120);
    std::fs::create_dir_all(dir.join("public_html/deep/er")).expect("dirs");
    std::fs::write(dir.join("public_html/index.php"), "<?php echo 1;").expect("file");
    std::fs::write(dir.join("public_html/deep/er").join(&long), "long").expect("file");
    std::fs::write(dir.join("secret"), "s").expect("file");
    std::fs::set_permissions(dir.join("secret"), PermissionsExt::from_mode(0o640)).expect("chmod");
    std::os::unix::fs::chown(dir.join("secret"), Some(1234), Some(2345)).expect("chown");
    symlink("public_html", dir.join("www")).expect("symlink");
    std::fs::hard_link(dir.join("secret"), dir.join("secret-too")).expect("hard link");
    long
}

pub fn cpanel_tree(root: &Path, version: u32, homedir_tar: bool) {
    let top = root.join("cpmove-alice");
    for dir in [
        "cp",
        "dnszones",
        "userdata",
        "meta",
        "mysql",
        "va",
        "homedir/public_html",
    ] {
        std::fs::create_dir_all(top.join(dir)).expect("dirs");
    }
    std::fs::write(
        top.join("version"),
        format!("pkgacct version: 10\narchive version: {version}\n"),
    )
    .expect("version");
    std::fs::write(
        top.join("cp/alice"),
        "# cPanel -- If you edit this file, the cPanel user cache must be updated.\nDNS=alice.example.com\nPLAN=gold\nUSER=alice\n",
    )
    .expect("cp");
    std::fs::write(top.join("shadow"), "$1$md5salt$hash\n").expect("shadow");
    std::fs::write(top.join("quota"), "0\n").expect("quota");
    std::fs::write(top.join("dnszones/alice.example.com.db"), "$TTL 300\n").expect("zone");
    std::fs::write(top.join("mysql/alice_wp.sql"), "CREATE TABLE t (a int);\n").expect("sql");
    std::fs::write(
        top.join("va/alice.example.com"),
        "info@alice.example.com: alice\n",
    )
    .expect("va");
    std::fs::write(top.join("homedir/public_html/index.html"), "hi").expect("page");
    if homedir_tar {
        run(Command::new("tar")
            .arg("-cf")
            .arg(top.join("homedir.tar"))
            .arg("-C")
            .arg(top.join("homedir"))
            .arg("."));
        std::fs::remove_dir_all(top.join("homedir")).expect("rm");
    }
}

/// An entry of a hand-made archive: its name, its type, and its body or link target.
pub type Raw<'a> = (&'a str, tar::EntryType, &'a str);

/// An archive made entry by entry, names written into the header as given (so that names no
/// honest tool writes can be tried).
pub fn raw(entries: &[Raw<'_>]) -> Vec<u8> {
    let mut tar = tar::Builder::new(Vec::new());
    for (name, kind, body) in entries {
        let mut header = tar::Header::new_old();
        let bytes = name.as_bytes();
        header.as_old_mut().name[..bytes.len()].copy_from_slice(bytes);
        header.set_entry_type(*kind);
        header.set_mode(0o644);
        header.set_size(if *kind == tar::EntryType::Regular {
            body.len() as u64
        } else {
            0
        });
        if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
            header.set_link_name(body).expect("link name");
        }
        header.set_cksum();
        let data: &[u8] = if *kind == tar::EntryType::Regular {
            body.as_bytes()
        } else {
            b""
        };
        tar.append(&header, data).expect("append");
    }
    tar.into_inner().expect("tar")
}

pub const USER_FILE: &str = "DNS=bob.example.com\nUSER=bob\n";
