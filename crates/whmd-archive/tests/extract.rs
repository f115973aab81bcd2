//! Taking archives apart for a restore: the home into one directory and the rest into another,
//! from a file, from split parts and from an unpacked directory, with modes, links and names
//! kept, owners not, and nothing written outside the two directories.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use std::process::Command;
use support::{Raw, USER_FILE, contents, cpanel_tree, home, raw, run};
use whmd_archive::{ArchiveError, Compression, Extracted, Source, extract, inspect, layout, write};

fn staged(work: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let (home, side) = (work.join("home-staging"), work.join("side-staging"));
    std::fs::create_dir(&home).expect("home staging");
    std::fs::create_dir(&side).expect("side staging");
    (home, side)
}

fn take_apart(source: &Source, work: &Path, with_home: bool) -> Extracted {
    let read = inspect(source.open().expect("open")).expect("inspect");
    let (home, side) = staged(work);
    extract(
        source.open().expect("open again"),
        &read.top,
        with_home.then_some(home.as_path()),
        &side,
    )
    .expect("extract")
}

#[test]
fn a_written_archive_comes_apart_with_modes_links_and_names() {
    let work = tempfile::tempdir().expect("tempdir");
    let src = work.path().join("home");
    let long = home(&src);
    std::fs::write(src.join("setuid"), "x").expect("file");
    std::fs::set_permissions(src.join("setuid"), PermissionsExt::from_mode(0o4755)).expect("chmod");
    let path = work.path().join("cpmove-bob.tar.gz");
    let file = std::fs::File::create(&path).expect("create");
    write(
        file,
        layout::TRANSFER_PREFIX,
        &contents(),
        Some(&src),
        Compression::Gzip,
    )
    .expect("write");

    let got = take_apart(&Source::at(&path).expect("source"), work.path(), true);
    assert!(got.skipped.is_empty(), "{got:?}");
    let home = got.home.clone().expect("a home");
    assert_eq!(home, work.path().join("home-staging/cpmove-bob/homedir"));
    assert_eq!(
        std::fs::read_to_string(home.join("public_html/index.php")).expect("page"),
        "<?php echo 1;"
    );
    assert_eq!(
        std::fs::read_to_string(home.join("public_html/deep/er").join(&long)).expect("long"),
        "long"
    );
    let secret = std::fs::symlink_metadata(home.join("secret")).expect("secret");
    assert_eq!(secret.mode() & 0o7777, 0o640);
    assert_eq!((secret.uid(), secret.gid()), (0, 0), "owners are not kept");
    let again = std::fs::symlink_metadata(home.join("secret-too")).expect("hard link");
    assert_eq!(again.ino(), secret.ino());
    assert_eq!(
        std::fs::read_link(home.join("www")).expect("symlink"),
        Path::new("public_html")
    );
    let setuid = std::fs::metadata(home.join("setuid")).expect("setuid");
    assert_eq!(setuid.mode() & 0o7777, 0o755, "set-user-ID is dropped");
    assert!(got.home_entries >= 8, "{got:?}");

    assert_eq!(got.side, work.path().join("side-staging/cpmove-bob"));
    assert!(
        std::fs::read_to_string(got.side.join("cp/bob"))
            .expect("user file")
            .contains("USER=bob")
    );
    assert!(got.side.join("dnszones/bob.example.com.db").is_file());
    assert!(got.side.join("mysql").is_dir(), "empty sections are kept");
    assert!(!got.side.join("homedir").exists());
}

#[test]
fn cpanel_layouts_come_apart_from_files_parts_and_directories() {
    for (version, homedir_tar) in [(4, false), (3, true)] {
        let work = tempfile::tempdir().expect("tempdir");
        let tree = work.path().join("tree");
        std::fs::create_dir(&tree).expect("tree");
        cpanel_tree(&tree, version, homedir_tar);
        let check = |got: &Extracted| {
            let home = got.home.as_ref().expect("home");
            assert_eq!(
                std::fs::read_to_string(home.join("public_html/index.html")).expect("page"),
                "hi"
            );
            assert!(got.side.join("mysql/alice_wp.sql").is_file(), "{got:?}");
            assert!(got.side.join("va/alice.example.com").is_file());
        };

        // An unpacked directory, named at or above it.
        let each = work.path().join("dir");
        std::fs::create_dir(&each).expect("dir");
        check(&take_apart(&Source::at(&tree).expect("dir"), &each, true));

        // A gzip archive split into parts.
        let path = work.path().join("cpmove-alice.tar.gz");
        run(Command::new("tar")
            .arg("-czf")
            .arg(&path)
            .arg("-C")
            .arg(&tree)
            .arg("cpmove-alice"));
        run(Command::new("split")
            .args(["-n", "3", "-d", "-a", "5", "--numeric-suffixes=1"])
            .arg(&path)
            .arg(work.path().join("cpmove-alice.tar.gz.part")));
        std::fs::remove_file(&path).expect("whole");
        let parts = Source::at(&work.path().join("cpmove-alice.tar.gz.part00003")).expect("parts");
        assert!(
            matches!(&parts, Source::Parts(p) if p.len() == 3),
            "{parts:?}"
        );
        let each = work.path().join("parts");
        std::fs::create_dir(&each).expect("dir");
        check(&take_apart(&parts, &each, true));

        // Without a home to restore, the rest still comes out.
        let each = work.path().join("no-home");
        std::fs::create_dir(&each).expect("dir");
        let got = take_apart(&parts, &each, false);
        assert_eq!(got.home, None);
        assert_eq!(got.home_entries, 0);
        assert!(got.side.join("mysql/alice_wp.sql").is_file());
        assert!(!got.side.join("homedir.tar").exists());
        assert!(!each.join("home-staging/cpmove-alice").exists());
    }
}

fn extract_raw(entries: &[Raw<'_>], work: &Path) -> Result<Extracted, ArchiveError> {
    let bytes = raw(entries);
    let (home, side) = staged(work);
    extract(bytes.as_slice(), "cpmove-bob", Some(&home), &side)
}

#[test]
fn hostile_entries_in_the_home_go_nowhere_else() {
    use tar::EntryType::{Link, Regular, Symlink};
    let work = tempfile::tempdir().expect("tempdir");
    let outside = work.path().join("outside");
    std::fs::create_dir(&outside).expect("outside");
    // A link out of the home, then a file written through it.
    let entries: Vec<Raw<'_>> = vec![
        ("cpmove-bob/cp/bob", Regular, USER_FILE),
        (
            "cpmove-bob/homedir/out",
            Symlink,
            outside.to_str().expect("utf-8"),
        ),
        ("cpmove-bob/homedir/out/planted", Regular, "x"),
    ];
    assert!(
        inspect(raw(&entries).as_slice()).is_ok(),
        "inspect lets links in homes pass"
    );
    let refused = extract_raw(&entries, work.path()).expect_err("refused");
    assert!(refused.to_string().contains("planted"), "{refused}");
    assert!(!outside.join("planted").exists());

    // A hard link from the home to the user file is left out, and said.
    let entries: Vec<Raw<'_>> = vec![
        ("cpmove-bob/cp/bob", Regular, USER_FILE),
        ("cpmove-bob/homedir/copy", Link, "cpmove-bob/cp/bob"),
    ];
    let work = tempfile::tempdir().expect("tempdir");
    let got = extract_raw(&entries, work.path()).expect("extract");
    assert_eq!(got.skipped.len(), 1, "{got:?}");
    assert!(got.skipped[0].contains("another part"));
    assert!(
        !work
            .path()
            .join("home-staging/cpmove-bob/homedir/copy")
            .exists()
    );
}

/// An archive whose home is a `homedir.tar` holding `inner`.
fn with_inner(inner: &[Raw<'_>]) -> Vec<u8> {
    let inner = raw(inner);
    let mut tar = tar::Builder::new(Vec::new());
    let mut add = |name: &str, body: &[u8]| {
        let mut header = tar::Header::new_gnu();
        header.set_size(body.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, name, body).expect("append");
    };
    add("cpmove-bob/cp/bob", USER_FILE.as_bytes());
    add("cpmove-bob/homedir.tar", &inner);
    tar.into_inner().expect("tar")
}

#[test]
fn an_inner_home_archive_is_checked_as_the_outer_one() {
    use tar::EntryType::{Char, Regular};
    let work = tempfile::tempdir().expect("tempdir");
    let ok = with_inner(&[("./public_html/a.html", Regular, "a")]);
    let (home, side) = staged(work.path());
    let got = extract(ok.as_slice(), "cpmove-bob", Some(&home), &side).expect("extract");
    assert_eq!(
        std::fs::read_to_string(got.home.expect("home").join("public_html/a.html")).expect("a"),
        "a"
    );
    for (inner, expected) in [
        (vec![("/etc/planted", Regular, "x")], "not a relative path"),
        (vec![("../planted", Regular, "x")], "not a relative path"),
        (vec![("tty", Char, "")], "a device"),
    ] {
        let work = tempfile::tempdir().expect("tempdir");
        let (home, side) = staged(work.path());
        let bytes = with_inner(&inner);
        let err = extract(bytes.as_slice(), "cpmove-bob", Some(&home), &side).expect_err("refused");
        assert!(err.to_string().contains(expected), "{err}");
        assert!(!work.path().join("planted").exists());
    }
}
