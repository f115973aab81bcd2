//! A local destination: a directory on this server.

use crate::{Error, Local, copy_into, parts, scratch_name};
use std::os::unix::fs::MetadataExt;
use std::path::Path;

fn usable(local: &Local) -> Result<(), Error> {
    let shown = local.path.display().to_string();
    if !local.path.is_absolute() {
        return Err(Error::Place(shown, "the path is not absolute".into()));
    }
    let meta =
        std::fs::metadata(&local.path).map_err(|e| Error::Place(shown.clone(), e.to_string()))?;
    if !meta.is_dir() {
        return Err(Error::Place(shown, "not a directory".into()));
    }
    if local.mount {
        let parent = local.path.parent().unwrap_or(Path::new("/"));
        let above =
            std::fs::metadata(parent).map_err(|e| Error::Place(shown.clone(), e.to_string()))?;
        if above.dev() == meta.dev() && local.path != Path::new("/") {
            return Err(Error::Place(
                shown,
                "nothing is mounted there (whmd does not mount destinations)".into(),
            ));
        }
    }
    Ok(())
}

pub(crate) async fn check(local: &Local) -> Result<(), Error> {
    usable(local)?;
    let probe = local.path.join(scratch_name("check"));
    let shown = probe.display().to_string();
    tokio::fs::write(&probe, b"whmd\n")
        .await
        .map_err(|e| Error::Write(shown.clone(), e.to_string()))?;
    tokio::fs::remove_file(&probe)
        .await
        .map_err(|e| Error::Write(shown, e.to_string()))
}

pub(crate) async fn size(local: &Local, path: &str) -> Result<Option<u64>, Error> {
    usable(local)?;
    match tokio::fs::metadata(local.path.join(path)).await {
        Ok(meta) if meta.is_file() => Ok(Some(meta.len())),
        Ok(_) => Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::Place(
            local.path.join(path).display().to_string(),
            e.to_string(),
        )),
    }
}

pub(crate) async fn get(local: &Local, path: &str, to: &Path) -> Result<u64, Error> {
    usable(local)?;
    let from = local.path.join(path);
    let shown = from.display().to_string();
    let source = tokio::fs::File::open(&from)
        .await
        .map_err(|e| Error::Place(shown, e.to_string()))?;
    copy_into(source, to).await
}

pub(crate) async fn list(local: &Local, dir: &str) -> Result<Vec<String>, Error> {
    usable(local)?;
    let at = local.path.join(dir);
    let mut entries = match tokio::fs::read_dir(&at).await {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::Place(at.display().to_string(), e.to_string())),
    };
    let mut names = Vec::new();
    while let Some(entry) = entries
        .next_entry()
        .await
        .map_err(|e| Error::Place(at.display().to_string(), e.to_string()))?
    {
        names.push(entry.file_name().to_string_lossy().into_owned());
    }
    Ok(names)
}

pub(crate) async fn remove_all(local: &Local, path: &str) -> Result<(), Error> {
    usable(local)?;
    let at = local.path.join(path);
    let removed = match tokio::fs::symlink_metadata(&at).await {
        Ok(meta) if meta.is_dir() => tokio::fs::remove_dir_all(&at).await,
        Ok(_) => tokio::fs::remove_file(&at).await,
        Err(e) => Err(e),
    };
    removed.map_err(|e| Error::Write(at.display().to_string(), e.to_string()))
}

pub(crate) async fn put(local: &Local, from: &Path, to: &str) -> Result<u64, Error> {
    usable(local)?;
    let parts = parts(to)?;
    let (name, dirs) = parts
        .split_last()
        .unwrap_or_else(|| unreachable!("parts is never empty"));
    let dir = dirs.iter().fold(local.path.clone(), |d, p| d.join(p));
    let fail =
        |e: std::io::Error| Error::Write(dir.join(name).display().to_string(), e.to_string());
    tokio::fs::create_dir_all(&dir).await.map_err(fail)?;
    let scratch = dir.join(scratch_name(name));
    let copied = match tokio::fs::copy(from, &scratch).await {
        Ok(copied) => copied,
        Err(e) => {
            let _ = tokio::fs::remove_file(&scratch).await;
            return Err(fail(e));
        }
    };
    if let Err(e) = tokio::fs::rename(&scratch, dir.join(name)).await {
        let _ = tokio::fs::remove_file(&scratch).await;
        return Err(fail(e));
    }
    Ok(copied)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(path: &Path) -> Local {
        Local {
            path: path.to_owned(),
            mount: false,
        }
    }

    #[tokio::test]
    async fn files_are_copied_into_made_directories() {
        let dir = tempfile::tempdir().expect("tempdir");
        let from = dir.path().join("user.tar.gz");
        std::fs::write(&from, b"archive").expect("write");
        let dest = dir.path().join("dest");
        std::fs::create_dir(&dest).expect("dest");
        check(&local(&dest)).await.expect("usable");
        let copied = put(&local(&dest), &from, "2026-12-07/accounts/user.tar.gz")
            .await
            .expect("copied");
        assert_eq!(copied, 7);
        let there = dest.join("2026-12-07/accounts/user.tar.gz");
        assert_eq!(std::fs::read(there).expect("read"), b"archive");
        let left: Vec<_> = std::fs::read_dir(dest.join("2026-12-07/accounts"))
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(left.len(), 1, "no scratch file is left: {left:?}");
        assert_eq!(
            std::fs::read_dir(&dest).expect("dir").count(),
            1,
            "the check left nothing"
        );
        // And back.
        let path = "2026-12-07/accounts/user.tar.gz";
        assert_eq!(size(&local(&dest), path).await.expect("size"), Some(7));
        assert_eq!(
            size(&local(&dest), "2026-12-07/none").await.expect("size"),
            None
        );
        let back = dir.path().join("back.tar.gz");
        assert_eq!(get(&local(&dest), path, &back).await.expect("got"), 7);
        assert_eq!(std::fs::read(&back).expect("read"), b"archive");
        assert!(
            get(&local(&dest), path, &back).await.is_err(),
            "never over a file"
        );
        assert_eq!(
            std::fs::read(&back).expect("kept"),
            b"archive",
            "which stays"
        );
        // Listed and removed.
        let d = local(&dest);
        assert_eq!(list(&d, "").await.expect("list"), ["2026-12-07"]);
        assert_eq!(
            list(&d, "2026-12-07/accounts").await.expect("list"),
            ["user.tar.gz"]
        );
        assert!(list(&d, "nope").await.expect("list").is_empty());
        remove_all(&d, "2026-12-07").await.expect("removed");
        assert!(list(&d, "").await.expect("list").is_empty());
    }

    #[tokio::test]
    async fn unusable_places_and_paths_are_refused() {
        let dir = tempfile::tempdir().expect("tempdir");
        let from = dir.path().join("f");
        std::fs::write(&from, b"x").expect("write");
        let missing = local(&dir.path().join("missing"));
        assert!(matches!(check(&missing).await, Err(Error::Place(..))));
        assert!(matches!(
            check(&local(Path::new("relative"))).await,
            Err(Error::Place(..))
        ));
        assert!(matches!(check(&local(&from)).await, Err(Error::Place(..))));
        let mounted = Local {
            path: dir.path().to_owned(),
            mount: true,
        };
        let refused = check(&mounted).await.expect_err("not a mount point");
        assert!(
            refused.to_string().contains("nothing is mounted"),
            "{refused}"
        );
        for bad in ["/abs", "../up", "a/../../b", "", "a/./b"] {
            assert!(put(&local(dir.path()), &from, bad).await.is_err(), "{bad}");
        }
    }
}
