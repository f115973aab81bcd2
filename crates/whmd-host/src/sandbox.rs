//! A throwaway host for tests that change users, /etc and /home (compiled with the
//! `sandbox` feature, for tests only): each such test re-runs itself through `sandbox.sh`
//! (new mount, network and pid namespaces; an overlay over /etc; tmpfs over /home, /run,
//! /var/log and /var/spool), and refuses to do anything unless it finds itself inside one. The
//! machine's own /etc, /home, /run, /var/log and /var/spool are never written.

use std::path::Path;
use std::process::Command;

/// The script that makes the sandbox (also used by bench/provision).
const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/sandbox.sh");
/// Marks the overlay; present only inside a sandbox (the script makes it).
const MARKER: &str = "/etc/.whmd-test-sandbox";
const ENV: &str = "WHMD_TEST_SANDBOX";

/// What a test learns from [`enter`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Inside a sandbox: go on.
    Inside,
    /// The sandboxed run finished (and passed); the outer test has nothing left to do.
    Done,
}

/// Runs the test named `name` (this binary's test path, as `--exact` takes it) inside a
/// fresh sandbox and waits for it, or, when already inside one, says so. Without root the test cannot run: it fails when
/// `WHMD_REQUIRE_HOST_TESTS` is set (CI), and is skipped with a note otherwise.
pub fn enter(name: &str) -> Place {
    if std::env::var_os(ENV).is_some() {
        assert!(
            Path::new(MARKER).exists() && home_is_tmpfs(),
            "{ENV} is set but this is not a sandbox: refusing to touch the host"
        );
        return Place::Inside;
    }
    if !nix::unistd::Uid::effective().is_root() {
        assert!(
            std::env::var_os("WHMD_REQUIRE_HOST_TESTS").is_none(),
            "the host tests need root (they run in a throwaway namespace)"
        );
        eprintln!("skipped: {name} needs root");
        return Place::Done;
    }
    let exe = std::env::current_exe().expect("the test binary");
    let status = Command::new("sh")
        .arg(SCRIPT)
        .arg(exe)
        .args(["--exact", name, "--nocapture", "--test-threads", "1"])
        .env(ENV, "1")
        .status()
        .expect("the sandbox script runs");
    assert!(
        status.success(),
        "{name} failed inside its sandbox: {status}"
    );
    Place::Done
}

fn home_is_tmpfs() -> bool {
    std::fs::read_to_string("/proc/self/mountinfo").is_ok_and(|m| {
        m.lines().any(|l| {
            let fields: Vec<&str> = l.split_whitespace().collect();
            fields.get(4) == Some(&"/home") && l.contains(" - tmpfs ")
        })
    })
}

/// A line of a colon-separated database (/etc/passwd, /etc/shadow, /etc/group) by name.
pub fn entry(file: &str, name: &str) -> Option<Vec<String>> {
    std::fs::read_to_string(file).ok()?.lines().find_map(|l| {
        let fields: Vec<String> = l.split(':').map(str::to_owned).collect();
        (fields[0] == name).then_some(fields)
    })
}

/// How many lines of a database name `name`.
pub fn count(file: &str, name: &str) -> usize {
    std::fs::read_to_string(file).map_or(0, |t| {
        t.lines()
            .filter(|l| l.split(':').next() == Some(name))
            .count()
    })
}

/// Mounts a tmpfs at `path` (made when missing), inside a sandbox only.
pub fn mount_tmpfs(path: &Path) {
    assert_inside();
    std::fs::create_dir_all(path).expect("the mount point");
    mount(&["-t", "tmpfs", "tmpfs"], path);
}

pub fn unmount(path: &Path) {
    assert_inside();
    let status = Command::new("umount").arg(path).status().expect("umount");
    assert!(status.success(), "umount {}", path.display());
}

/// Fills the tmpfs at `path` as far as files go: only `more` new files or directories fit
/// (`None`: as many as ever). Inside a sandbox only.
pub fn limit_files(path: &Path, more: Option<u64>) {
    assert_inside();
    let stat = nix::sys::statvfs::statvfs(path).expect("statvfs");
    let used = stat.files() - stat.files_free();
    let total = more.map_or(1 << 20, |more| used + more);
    mount(&["-o", &format!("remount,nr_inodes={total}")], path);
}

fn mount(args: &[&str], path: &Path) {
    let status = Command::new("mount")
        .args(args)
        .arg(path)
        .status()
        .expect("mount");
    assert!(status.success(), "mount {args:?} {}", path.display());
}

fn assert_inside() {
    assert!(
        std::env::var_os(ENV).is_some() && Path::new(MARKER).exists() && home_is_tmpfs(),
        "not inside a sandbox: refusing to mount anything"
    );
}

/// Mounts a fresh btrfs filesystem over /home, made in the image file `image` (sparse), with
/// quotas on. Inside a sandbox only; the loop device goes with the mount.
pub fn btrfs_home(image: &Path) {
    assert_inside();
    let file = std::fs::File::create(image).expect("the image");
    file.set_len(256 << 20).expect("its size");
    let status = Command::new("mkfs.btrfs")
        .arg("-q")
        .arg(image)
        .status()
        .expect("mkfs.btrfs");
    assert!(status.success(), "mkfs.btrfs {}", image.display());
    let status = Command::new("mount")
        .args(["-o", "loop"])
        .arg(image)
        .arg("/home")
        .status()
        .expect("mount");
    assert!(status.success(), "mount {} on /home", image.display());
    let status = Command::new("btrfs")
        .args(["quota", "enable", "/home"])
        .status()
        .expect("btrfs");
    assert!(status.success(), "btrfs quota enable /home");
}

/// Whether `program` is on the PATH.
pub fn have(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// An OpenSSH server (Debian's openssh-server) on a free loopback port, inside a sandbox
/// only: password and key logins for the users a test adds, the sftp subsystem, nothing
/// else. Stopped (by its process id) when dropped.
#[derive(Debug)]
pub struct Sshd {
    child: std::process::Child,
    pub port: u16,
    /// Its host key's fingerprint, `SHA256:…`.
    pub host_key: String,
    _dir: tempfile::TempDir,
}

impl Sshd {
    pub fn start() -> Self {
        assert_inside();
        let dir = tempfile::tempdir().expect("tempdir");
        let key = dir.path().join("host_ed25519");
        run(
            "ssh-keygen",
            &[
                "-q",
                "-t",
                "ed25519",
                "-N",
                "",
                "-f",
                &key.to_string_lossy(),
            ],
        );
        let shown = Command::new("ssh-keygen")
            .arg("-lf")
            .arg(key.with_extension("pub"))
            .output()
            .expect("ssh-keygen -l");
        let host_key = String::from_utf8_lossy(&shown.stdout)
            .split_whitespace()
            .nth(1)
            .expect("a fingerprint")
            .to_owned();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let config = dir.path().join("sshd_config");
        std::fs::write(
            &config,
            format!(
                "Port {port}\nListenAddress 127.0.0.1\nHostKey {}\nPidFile none\nUsePAM no\n\
                 PasswordAuthentication yes\nKbdInteractiveAuthentication no\nPermitRootLogin no\n\
                 Subsystem sftp /usr/lib/openssh/sftp-server\n",
                key.display()
            ),
        )
        .expect("sshd_config");
        std::fs::create_dir_all("/run/sshd").expect("/run/sshd");
        let child = Command::new("/usr/sbin/sshd")
            .args(["-D", "-e", "-f"])
            .arg(&config)
            .spawn()
            .expect("sshd starts");
        let mut server = Self {
            child,
            port,
            host_key,
            _dir: dir,
        };
        for _ in 0..100 {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return server;
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("sshd stopped: {status}");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("sshd did not listen on port {port}");
    }

    /// A system user with `password`, a home and a shell, who may log in.
    pub fn add_user(&self, name: &str, password: &str) {
        run("useradd", &["-m", "-s", "/bin/sh", name]);
        let mut chpasswd = Command::new("chpasswd")
            .stdin(std::process::Stdio::piped())
            .spawn()
            .expect("chpasswd");
        use std::io::Write as _;
        chpasswd
            .stdin
            .take()
            .expect("stdin")
            .write_all(format!("{name}:{password}\n").as_bytes())
            .expect("chpasswd's input");
        assert!(chpasswd.wait().expect("chpasswd").success(), "chpasswd");
    }

    /// Lets `user` log in with the public key in `public` (an OpenSSH `.pub` file).
    pub fn authorize(&self, user: &str, public: &Path) {
        let ssh = Path::new("/home").join(user).join(".ssh");
        std::fs::create_dir_all(&ssh).expect(".ssh");
        std::fs::copy(public, ssh.join("authorized_keys")).expect("authorized_keys");
        run(
            "chown",
            &["-R", &format!("{user}:{user}"), &ssh.to_string_lossy()],
        );
        run("chmod", &["700", &ssh.to_string_lossy()]);
    }
}

impl Drop for Sshd {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn run(program: &str, args: &[&str]) {
    let status = Command::new(program)
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(status.success(), "{program} {args:?}: {status}");
}
