//! Unpacked trees, as incremental backups keep them: the archive's layout as directories, the
//! home with owners, modes, times and links, unchanged files hard-linked to the previous tree.

mod support;

use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;
use support::{contents, home};
use whmd_archive::write_dir;

fn ino(path: &Path) -> u64 {
    std::fs::symlink_metadata(path).expect("stat").ino()
}

#[test]
fn a_tree_links_what_did_not_change_since_the_previous_one() {
    let work = tempfile::tempdir().expect("tempdir");
    let src = work.path().join("home");
    let long = home(&src);
    let first = work.path().join("2026-12-06");
    let written = write_dir(&first, &contents(), Some(&src), None).expect("first");
    assert!(written.skipped.is_empty());
    let cp = std::fs::metadata(first.join("cp/bob")).expect("user file");
    assert_eq!(cp.mode() & 0o777, 0o600);
    assert!(
        std::fs::read_to_string(first.join("cp/bob"))
            .expect("cp")
            .contains("USER=bob")
    );
    assert!(first.join("dnszones/bob.example.com.db").is_file());
    assert!(
        first.join("mysql").is_dir(),
        "pkgacct's directories are made"
    );
    let secret = std::fs::symlink_metadata(first.join("homedir/secret")).expect("secret");
    assert_eq!(
        (secret.uid(), secret.gid(), secret.mode() & 0o7777),
        (1234, 2345, 0o640)
    );
    assert_eq!(
        ino(&first.join("homedir/secret")),
        ino(&first.join("homedir/secret-too"))
    );
    assert_eq!(
        std::fs::read_link(first.join("homedir/www")).expect("link"),
        Path::new("public_html")
    );
    assert_eq!(
        std::fs::read_to_string(first.join("homedir/public_html/deep/er").join(&long))
            .expect("long"),
        "long"
    );
    let mtime = std::fs::metadata(src.join("public_html/index.php"))
        .expect("src")
        .mtime();
    let copied = std::fs::metadata(first.join("homedir/public_html/index.php")).expect("copy");
    assert_eq!(copied.mtime(), mtime, "times are kept");

    // One file changes; the next tree links the rest to the first.
    std::fs::write(src.join("public_html/index.php"), "<?php echo 2;").expect("change");
    std::fs::set_permissions(
        src.join("public_html/index.php"),
        PermissionsExt::from_mode(0o644),
    )
    .expect("chmod");
    let second = work.path().join("2026-12-07");
    write_dir(&second, &contents(), Some(&src), Some(&first)).expect("second");
    let unchanged = "homedir/public_html/deep/er";
    assert_eq!(
        ino(&second.join(unchanged).join(&long)),
        ino(&first.join(unchanged).join(&long))
    );
    assert_eq!(
        ino(&second.join("homedir/secret")),
        ino(&first.join("homedir/secret"))
    );
    assert_ne!(
        ino(&second.join("homedir/public_html/index.php")),
        ino(&first.join("homedir/public_html/index.php"))
    );
    assert_eq!(
        std::fs::read_to_string(second.join("homedir/public_html/index.php")).expect("new"),
        "<?php echo 2;"
    );
    assert_eq!(
        std::fs::read_to_string(first.join("homedir/public_html/index.php")).expect("old"),
        "<?php echo 1;",
        "the earlier tree keeps its copy"
    );
    // The archive's own files are written anew each time.
    assert_ne!(ino(&second.join("cp/bob")), ino(&first.join("cp/bob")));
    assert!(
        write_dir(&second, &contents(), None, None).is_err(),
        "an existing tree is not overwritten"
    );
}
