//! Archives whmd writes open with GNU tar and gzip, archives GNU tar writes in cPanel's layout
//! read back, and archives that are broken or hostile are refused with the reason.

mod support;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;
use support::{Raw, USER_FILE, contents, cpanel_tree, home, raw, run};
use whmd_archive::{ArchiveError, Compression, Home, inspect, layout, write};

#[test]
fn an_archive_round_trips_and_opens_with_gnu_tar() {
    let work = tempfile::tempdir().expect("tempdir");
    let src = work.path().join("home");
    let long = home(&src);
    let path = work.path().join("cpmove-bob.tar.gz");
    let file = std::fs::File::create(&path).expect("create");
    let (_, written) = write(
        file,
        layout::TRANSFER_PREFIX,
        &contents(),
        Some(&src),
        Compression::Gzip,
    )
    .expect("write");
    assert!(written.skipped.is_empty());

    let read = inspect(std::fs::File::open(&path).expect("open")).expect("inspect");
    let c = contents();
    assert_eq!(read.top, "cpmove-bob");
    assert_eq!(read.version, Some(4));
    assert_eq!(read.user, "bob");
    assert_eq!(read.cpuser, c.cpuser);
    assert_eq!(read.shadow.as_deref(), Some(c.shadow.as_str()));
    assert_eq!(read.shell.as_deref(), Some(c.shell.as_str()));
    assert_eq!(read.quota_mb, Some(3000));
    assert_eq!(read.zones["bob.example.com"], c.zones[0].1);
    assert_eq!(
        read.userdata_main.as_deref(),
        Some(c.userdata_main.as_str())
    );
    assert_eq!(read.home, Home::Directory);
    assert_eq!(read.home_entries, 8, "{read:?}");
    assert_eq!(read.home_bytes, 18);
    // Empty sections are not counted; the files not read here are.
    assert!(!read.sections.contains_key("mysql"), "{read:?}");
    assert_eq!(read.sections.get("meta"), Some(&3));

    // GNU tar and gzip read it; the home comes out with its owners, modes and links.
    run(Command::new("gzip").arg("-t").arg(&path));
    let listing = run(Command::new("tar").arg("-tzf").arg(&path));
    for entry in [
        "cpmove-bob/version",
        "cpmove-bob/cp/bob",
        "cpmove-bob/dnszones/bob.example.com.db",
        "cpmove-bob/userdata/main",
        "cpmove-bob/homedir/public_html/index.php",
        "cpmove-bob/mysql",
    ] {
        assert!(listing.lines().any(|l| l == entry), "{entry} in {listing}");
    }
    let out = work.path().join("out");
    std::fs::create_dir(&out).expect("dir");
    run(Command::new("tar")
        .arg("-xzpf")
        .arg(&path)
        .arg("--numeric-owner")
        .arg("-C")
        .arg(&out));
    let homedir = out.join("cpmove-bob/homedir");
    let secret = std::fs::metadata(homedir.join("secret")).expect("secret");
    assert_eq!((secret.uid(), secret.gid()), (1234, 2345));
    assert_eq!(secret.mode() & 0o777, 0o640);
    let too = std::fs::metadata(homedir.join("secret-too")).expect("secret-too");
    assert_eq!(too.ino(), secret.ino(), "a hard link stays one file");
    assert_eq!(
        std::fs::read_link(homedir.join("www")).expect("symlink"),
        Path::new("public_html")
    );
    assert_eq!(
        std::fs::read_to_string(homedir.join("public_html/deep/er").join(long)).expect("long"),
        "long"
    );
    let cp = std::fs::read_to_string(out.join("cpmove-bob/cp/bob")).expect("cp");
    assert!(cp.contains("\nDNS=bob.example.com\n"), "{cp}");
    assert_eq!(
        std::fs::read_to_string(out.join("cpmove-bob/version")).expect("version"),
        "pkgacct version: 10\narchive version: 4\n"
    );
}

/// A directory in cPanel's layout, as pkgacct leaves it before tar.
#[test]
fn archives_gnu_tar_makes_in_cpanel_layout_are_read() {
    for (version, homedir_tar) in [(4, false), (3, false), (3, true)] {
        let work = tempfile::tempdir().expect("tempdir");
        cpanel_tree(work.path(), version, homedir_tar);
        let path = work.path().join("cpmove-alice.tar.gz");
        // `./cpmove-alice/…`, as `tar -C DIR .` names entries.
        run(Command::new("tar")
            .arg("-czf")
            .arg(&path)
            .arg("-C")
            .arg(work.path())
            .arg("./cpmove-alice"));
        let read = inspect(std::fs::File::open(&path).expect("open")).expect("inspect");
        assert_eq!(read.version, Some(version));
        assert_eq!(read.user, "alice");
        assert_eq!(read.cpuser["PLAN"], "gold");
        assert_eq!(read.shadow.as_deref(), Some("$1$md5salt$hash"));
        assert_eq!(read.quota_mb, Some(0));
        assert!(read.zones.contains_key("alice.example.com"));
        assert_eq!(read.sections.get("mysql"), Some(&1), "{read:?}");
        assert_eq!(read.sections.get("va"), Some(&1));
        let expected = if homedir_tar {
            Home::Tarball
        } else {
            Home::Directory
        };
        assert_eq!(read.home, expected);
        // Uncompressed, the same.
        let plain = work.path().join("cpmove-alice.tar");
        run(Command::new("tar")
            .arg("-cf")
            .arg(&plain)
            .arg("-C")
            .arg(work.path())
            .arg("cpmove-alice"));
        let again = inspect(std::fs::File::open(&plain).expect("open")).expect("inspect");
        assert_eq!(again.cpuser, read.cpuser);
    }
}

fn refused(entries: &[Raw<'_>]) -> ArchiveError {
    inspect(raw(entries).as_slice()).expect_err("refused")
}

#[test]
fn hostile_and_broken_archives_are_refused_with_the_reason() {
    use tar::EntryType::{Char, Directory, Regular, Symlink};
    let good = [("cpmove-bob/cp/bob", Regular, USER_FILE)];
    assert!(inspect(raw(&good).as_slice()).is_ok());

    let cases: Vec<(Vec<Raw<'_>>, &str)> = vec![
        (
            vec![good[0], ("cpmove-bob/../../etc/cron.d/x", Regular, "x")],
            "UnsafePath",
        ),
        (vec![good[0], ("/etc/cron.d/x", Regular, "x")], "UnsafePath"),
        (
            vec![good[0], ("cpmove-bob/homedir/null", Char, "")],
            "SpecialFile",
        ),
        (
            vec![("cpmove-bob/cp", Symlink, "/etc"), good[0]],
            "MisplacedLink",
        ),
        (
            vec![("cpmove-bob/cp/bob", Symlink, "/etc/passwd")],
            "MisplacedLink",
        ),
        (
            vec![good[0], ("cpmove-bob/shadow", Symlink, "/etc/shadow")],
            "MisplacedLink",
        ),
        (
            vec![good[0], ("cpmove-eve/cp/eve", Regular, USER_FILE)],
            "ManyTops",
        ),
        (
            vec![good[0], ("cpmove-bob/cp/eve", Regular, USER_FILE)],
            "ManyAccounts",
        ),
        (
            vec![("cpmove-bob/cp/bob", Regular, "# nothing\nFOO=1\n")],
            "NotAUserFile",
        ),
        (
            vec![("cpmove-bob/cp/9Bob", Regular, USER_FILE)],
            "BadUsername",
        ),
        (vec![("cpmove-bob/homedir/", Directory, "")], "NoAccount"),
    ];
    for (entries, want) in cases {
        let got = refused(&entries);
        assert!(format!("{got:?}").starts_with(want), "{entries:?}: {got:?}");
        assert!(!got.to_string().is_empty());
    }
    // A symbolic link inside the home is the user's own and passes.
    let link = [good[0], ("cpmove-bob/homedir/www", Symlink, "public_html")];
    assert!(inspect(raw(&link).as_slice()).is_ok());
}

#[test]
fn truncated_corrupt_and_empty_streams_are_unreadable() {
    let mut archive = Vec::new();
    let home = tempfile::tempdir().expect("tempdir");
    std::fs::write(home.path().join("f"), "x".repeat(100_000)).expect("file");
    write(
        &mut archive,
        "",
        &contents(),
        Some(home.path()),
        Compression::Gzip,
    )
    .expect("write");
    assert!(inspect(archive.as_slice()).is_ok());
    let truncated = &archive[..archive.len() / 2];
    assert!(matches!(
        inspect(truncated),
        Err(ArchiveError::Unreadable(_))
    ));
    let cut_trailer = &archive[..archive.len() - 4];
    assert!(matches!(
        inspect(cut_trailer),
        Err(ArchiveError::Unreadable(_))
    ));
    let mut corrupt = archive.clone();
    let middle = corrupt.len() / 2;
    for b in &mut corrupt[middle..middle + 64] {
        *b ^= 0x5a;
    }
    assert!(matches!(
        inspect(corrupt.as_slice()),
        Err(ArchiveError::Unreadable(_))
    ));
    assert!(matches!(
        inspect(&b""[..]),
        Err(ArchiveError::Unreadable(_))
    ));
    assert!(matches!(
        inspect(&b"not an archive at all, just text"[..]),
        Err(ArchiveError::Unreadable(_))
    ));
}
