//! Where an archive is read from: one file (`cpmove-bob.tar.gz`, `.tar`), the parts pkgacct's
//! `--split` writes (`cpmove-bob.tar.gz.part00001`, `.part00002`, … slices of one stream), or
//! an archive already unpacked into a directory. Each is opened as one tar stream (gzip or
//! not), as often as a reader needs it, so one reader checks every source the same way.

use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::thread::JoinHandle;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    File(PathBuf),
    /// The parts of a split archive, in order.
    Parts(Vec<PathBuf>),
    /// An unpacked archive: the directory holding `cp/`.
    Directory(PathBuf),
}

impl Source {
    /// The source `path` names: a directory (holding `cp/`, or one directory that does), a
    /// part of a split archive (every part beside it is taken, in order, and none may be
    /// missing), or a file.
    pub fn at(path: &Path) -> io::Result<Self> {
        let meta = fs::metadata(path)?;
        if meta.is_dir() {
            return unpacked(path).map(Self::Directory);
        }
        if part_number(path).is_some() {
            return parts(path).map(Self::Parts);
        }
        Ok(Self::File(path.to_owned()))
    }

    /// What to call the source in messages.
    pub fn display(&self) -> String {
        match self {
            Self::File(p) | Self::Directory(p) => p.display().to_string(),
            Self::Parts(parts) => format!(
                "{} ({} parts)",
                parts
                    .first()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
                parts.len()
            ),
        }
    }

    /// The bytes a reader goes through, when known before (not for a directory).
    pub fn size(&self) -> Option<u64> {
        let size = |p: &PathBuf| fs::metadata(p).map(|m| m.len()).ok();
        match self {
            Self::File(p) => size(p),
            Self::Parts(parts) => parts.iter().map(size).sum(),
            Self::Directory(_) => None,
        }
    }

    /// The source as one stream, from its start.
    pub fn open(&self) -> io::Result<Box<dyn Read + Send>> {
        match self {
            Self::File(p) => Ok(Box::new(File::open(p)?)),
            Self::Parts(parts) => {
                let mut stream: Box<dyn Read + Send> = Box::new(io::empty());
                for part in parts {
                    stream = Box::new(stream.chain(File::open(part)?));
                }
                Ok(stream)
            }
            Self::Directory(dir) => DirectoryStream::start(dir).map(|s| Box::new(s) as _),
        }
    }
}

/// The directory of an unpacked archive at or directly below `path`.
fn unpacked(path: &Path) -> io::Result<PathBuf> {
    if path.join("cp").is_dir() {
        return Ok(path.to_owned());
    }
    let mut found = Vec::new();
    for entry in fs::read_dir(path)? {
        let entry = entry?;
        if entry.file_type()?.is_dir() && entry.path().join("cp").is_dir() {
            found.push(entry.path());
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(io::Error::other(format!(
            "{} is not an unpacked account archive: it has no “cp” directory",
            path.display()
        ))),
        _ => Err(io::Error::other(format!(
            "{} holds more than one unpacked account archive",
            path.display()
        ))),
    }
}

/// The number of a split archive's part (`….part00002` is 2).
fn part_number(path: &Path) -> Option<u32> {
    let name = path.file_name()?.to_str()?;
    let (_, digits) = name.rsplit_once(".part")?;
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every part of the split archive `one` belongs to, in order.
fn parts(one: &Path) -> io::Result<Vec<PathBuf>> {
    let stem = |p: &Path| {
        p.file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.rsplit_once(".part"))
            .map(|(stem, _)| stem.to_owned())
    };
    let wanted = stem(one);
    let dir = match one.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_owned(),
        _ => PathBuf::from("."),
    };
    let mut found: Vec<(u32, PathBuf)> = Vec::new();
    for entry in fs::read_dir(&dir)? {
        let path = entry?.path();
        if let Some(n) = part_number(&path)
            && stem(&path) == wanted
        {
            found.push((n, path));
        }
    }
    found.sort();
    for (i, (n, _)) in found.iter().enumerate() {
        let expected = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if *n != expected {
            return Err(io::Error::other(format!(
                "part {expected} of {} is missing",
                one.display()
            )));
        }
    }
    Ok(found.into_iter().map(|(_, p)| p).collect())
}

/// A tar stream of an unpacked archive, written by a thread into a pipe. The directory's
/// links are stored as links and its special files as what they are, so the reader refuses
/// what it would refuse in an archive; a failure of the writer is the reader's error.
struct DirectoryStream {
    pipe: io::PipeReader,
    writer: Option<JoinHandle<io::Result<()>>>,
}

impl DirectoryStream {
    fn start(dir: &Path) -> io::Result<Self> {
        let top = dir
            .file_name()
            .map(PathBuf::from)
            .ok_or_else(|| io::Error::other(format!("{} has no name", dir.display())))?;
        let dir = dir.to_owned();
        let (pipe, out) = io::pipe()?;
        let writer = std::thread::Builder::new()
            .name("whmd-archive-dir".into())
            .spawn(move || {
                let mut tar = tar::Builder::new(out);
                tar.follow_symlinks(false);
                tar.mode(tar::HeaderMode::Complete);
                tar.append_dir_all(&top, &dir)?;
                tar.into_inner().map(drop)
            })?;
        Ok(Self {
            pipe,
            writer: Some(writer),
        })
    }
}

impl Read for DirectoryStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.pipe.read(buf)?;
        if n == 0
            && let Some(writer) = self.writer.take()
        {
            writer
                .join()
                .map_err(|_| io::Error::other("the directory's reader stopped"))??;
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_are_found_in_order_and_a_gap_is_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        for (n, text) in [(2, "b"), (1, "a"), (3, "c")] {
            fs::write(dir.path().join(format!("x.tar.gz.part{n:05}")), text).expect("part");
        }
        fs::write(dir.path().join("y.tar.gz.part00001"), "other").expect("other");
        let source = Source::at(&dir.path().join("x.tar.gz.part00002")).expect("parts");
        let mut all = String::new();
        source
            .open()
            .expect("open")
            .read_to_string(&mut all)
            .expect("read");
        assert_eq!(all, "abc");
        assert_eq!(source.size(), Some(3));
        fs::remove_file(dir.path().join("x.tar.gz.part00002")).expect("remove");
        let gap = Source::at(&dir.path().join("x.tar.gz.part00001")).expect_err("gap");
        assert!(gap.to_string().contains("part 2"), "{gap}");
    }

    #[test]
    fn an_unpacked_archive_is_found_at_or_below_the_directory() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(Source::at(dir.path()).is_err());
        fs::create_dir_all(dir.path().join("cpmove-bob/cp")).expect("cp");
        let expected = Source::Directory(dir.path().join("cpmove-bob"));
        assert_eq!(Source::at(dir.path()).expect("below"), expected);
        assert_eq!(
            Source::at(&dir.path().join("cpmove-bob")).expect("at"),
            expected
        );
    }
}
