//! Web sites: an Apache 2.4 virtual host per account (its domains and their `www.`), and a
//! PHP-FPM pool per account running as its user. whmd owns its sites directory wholly and the
//! pool files named `whmd-UID.conf`; each account's files are keyed by uid, so a rename
//! rewrites them in place. Every change is tested (`php-fpm -t`, `apache2ctl configtest`)
//! before it stays: on failure the previous files come back, so other sites keep serving
//! (and after a crash between a write and its test, at the next start: see [`crate::webstate`]).
//! Reloads wait for the end of a batch.

use crate::desired::Desired;
use crate::webstate::{Before, WebState};
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Where the web server's and PHP-FPM's files go, and the commands that test and reload them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Web {
    /// One file per account, `UID.conf`; Apache includes `*.conf` from here.
    pub sites: PathBuf,
    /// The administrator's own directives: `USERDATA/USER/DOMAIN/*.conf`, included last.
    pub userdata: PathBuf,
    /// PHP-FPM's pool directory; whmd's files in it are `whmd-UID.conf`.
    pub pools: PathBuf,
    /// Where pool sockets go.
    pub sockets: PathBuf,
    pub web_test: Vec<String>,
    pub web_reload: Vec<String>,
    pub php_test: Vec<String>,
    pub php_reload: Vec<String>,
}

impl Web {
    /// Debian's Apache 2.4 and PHP-FPM 8.2, reloaded through systemd.
    pub fn debian() -> Self {
        let words = |s: &str| s.split_whitespace().map(str::to_owned).collect();
        Self {
            sites: "/etc/apache2/whmd/sites".into(),
            userdata: "/etc/apache2/whmd/userdata".into(),
            pools: "/etc/php/8.2/fpm/pool.d".into(),
            sockets: "/run/php".into(),
            web_test: words("apache2ctl configtest"),
            web_reload: words("systemctl reload apache2"),
            php_test: words("php-fpm8.2 -t"),
            php_reload: words("systemctl reload php8.2-fpm"),
        }
    }

    pub fn site_path(&self, uid: u32) -> PathBuf {
        self.sites.join(format!("{uid}.conf"))
    }

    /// The first virtual host of an address, which answers names no account has: without it
    /// Apache would give them the first account's site.
    pub fn default_path(&self, ip: IpAddr) -> PathBuf {
        self.sites.join(format!("0-default-{ip}.conf"))
    }

    pub fn default_site(&self, ip: IpAddr) -> String {
        format!(
            "# Written by whmd: names no account has on {ip} get a 404, not an account's site.\n\
             <VirtualHost {ip}:80>\n\
             \x20   ServerName default.invalid\n\
             \x20   Redirect 404 /\n\
             \x20   ErrorDocument 404 \"No site is configured for this name.\"\n\
             </VirtualHost>\n"
        )
    }

    pub fn pool_path(&self, uid: u32) -> PathBuf {
        self.pools.join(format!("whmd-{uid}.conf"))
    }

    /// The account's virtual hosts: its site, or while suspended a page that answers 503.
    pub fn site(&self, d: &Desired) -> String {
        let mut out = format!(
            "# Written by whmd for {user} (uid {uid}); changes here are overwritten.\n\
             # Directives of your own go in {userdata}/{user}/DOMAIN/*.conf.\n",
            user = d.user,
            uid = d.uid,
            userdata = self.userdata.display()
        );
        let docroot = d.home.join("public_html");
        for domain in &d.domains {
            let _ = writeln!(out, "<VirtualHost {}:80>", d.ip);
            let _ = writeln!(out, "    ServerName {domain}");
            let _ = writeln!(out, "    ServerAlias www.{domain}");
            if d.suspended {
                out.push_str("    Redirect 503 /\n");
                out.push_str("    ErrorDocument 503 \"This account has been suspended.\"\n");
            } else {
                let _ = writeln!(out, "    DocumentRoot {}", docroot.display());
                let _ = writeln!(out, "    <Directory {}>", docroot.display());
                out.push_str("        Options -Indexes +SymLinksIfOwnerMatch\n");
                out.push_str("        AllowOverride All\n");
                out.push_str("        Require all granted\n");
                out.push_str("    </Directory>\n");
                out.push_str("    <FilesMatch \"\\.php$\">\n");
                let _ = writeln!(
                    out,
                    "        SetHandler \"proxy:unix:{}|fcgi://whmd-{}\"",
                    self.socket(d).display(),
                    d.user
                );
                out.push_str("    </FilesMatch>\n");
                let _ = writeln!(
                    out,
                    "    IncludeOptional {}/{}/{domain}/*.conf",
                    self.userdata.display(),
                    d.user
                );
            }
            out.push_str("</VirtualHost>\n");
        }
        out
    }

    /// The account's PHP-FPM pool; none while suspended, so no PHP of its runs.
    pub fn pool(&self, d: &Desired) -> Option<String> {
        if d.suspended {
            return None;
        }
        let home = d.home.display();
        Some(format!(
            "; Written by whmd for {user} (uid {uid}); changes here are overwritten.\n\
             [whmd-{user}]\n\
             user = {user}\n\
             group = {user}\n\
             listen = {socket}\n\
             listen.owner = {user}\n\
             listen.group = www-data\n\
             listen.mode = 0660\n\
             pm = ondemand\n\
             pm.max_children = 5\n\
             pm.process_idle_timeout = 10s\n\
             chdir = /\n\
             php_admin_value[open_basedir] = {home}\n\
             php_admin_value[upload_tmp_dir] = {home}/tmp\n\
             php_admin_value[session.save_path] = {home}/tmp\n",
            user = d.user,
            uid = d.uid,
            socket = self.socket(d).display(),
        ))
    }

    fn socket(&self, d: &Desired) -> PathBuf {
        self.sockets.join(format!("whmd-{}.sock", d.user))
    }

    /// Puts each file in place (`None` removes it); nothing is written for a file whose
    /// content is already right. What the changed files were is journaled in `state` first,
    /// so that a crash before [`Web::settle`] is undone at the next start.
    pub fn write(
        &self,
        files: &[(PathBuf, Option<String>)],
        state: &WebState,
    ) -> Result<Written, String> {
        let mut written = Written::default();
        for (path, content) in files {
            let bytes = match fs::read(path) {
                Ok(b) => Some(b),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(format!("{}: {e}", path.display())),
            };
            if bytes.as_deref() != content.as_deref().map(str::as_bytes) {
                written.php |= path.starts_with(&self.pools);
                written.web |= path.starts_with(&self.sites);
                written.previous.push(Before {
                    path: path.clone(),
                    bytes,
                });
            }
        }
        if written.is_empty() {
            return Ok(written);
        }
        state.begin(&written.previous)?;
        for (path, content) in files {
            if !written.previous.iter().any(|b| &b.path == path) {
                continue;
            }
            let result = match content {
                Some(text) => write_atomically(path, text.as_bytes()),
                None => fs::remove_file(path).map_err(|e| format!("{}: {e}", path.display())),
            };
            if let Err(e) = result {
                self.settle(&written, false, state);
                return Err(e);
            }
        }
        Ok(written)
    }

    /// Ends a write: kept when `keep` (it passed its test), else the previous files are put
    /// back; either way the journal goes.
    pub fn settle(&self, written: &Written, keep: bool, state: &WebState) {
        if !keep {
            put_back(&written.previous);
        }
        if let Err(e) = state.end() {
            tracing::error!(error = %e, "could not end the web journal");
        }
    }

    /// Puts back what a write interrupted by a crash had replaced, untested; whether there
    /// was one.
    pub fn recover(state: &WebState) -> Result<bool, String> {
        let Some(previous) = state.interrupted()? else {
            return Ok(false);
        };
        put_back(&previous);
        state.end()?;
        Ok(true)
    }

    /// Tests what `written` touched; the failing tool's output when it does not pass.
    pub fn test(&self, written: &Written) -> Result<(), String> {
        if written.php {
            run(&self.php_test)?;
        }
        if written.web {
            run(&self.web_test)?;
        }
        Ok(())
    }

    /// The uids of the account files in whmd's directories.
    pub fn uids_on_disk(&self) -> Vec<u32> {
        let mut uids = Vec::new();
        for (dir, prefix) in [(&self.sites, ""), (&self.pools, "whmd-")] {
            let Ok(entries) = fs::read_dir(dir) else {
                continue;
            };
            for entry in entries.filter_map(Result::ok) {
                let name = entry.file_name();
                let uid = name
                    .to_str()
                    .and_then(|n| n.strip_prefix(prefix))
                    .and_then(|n| n.strip_suffix(".conf"))
                    .and_then(|n| n.parse::<u32>().ok());
                uids.extend(uid);
            }
        }
        uids.sort_unstable();
        uids.dedup();
        uids
    }
}

/// What a write changed, to test, reload or put back.
#[derive(Debug, Default)]
pub struct Written {
    previous: Vec<Before>,
    /// Whether the web server's or PHP-FPM's files changed.
    pub web: bool,
    pub php: bool,
}

impl Written {
    pub fn is_empty(&self) -> bool {
        self.previous.is_empty()
    }

    /// Whether the write changed `path`.
    pub fn touched(&self, path: &Path) -> bool {
        self.previous.iter().any(|b| b.path == path)
    }
}

/// Writes each file back as it was (removing those that were not there).
fn put_back(previous: &[Before]) {
    for before in previous.iter().rev() {
        let path = &before.path;
        let result = match &before.bytes {
            Some(bytes) => write_atomically(path, bytes),
            None => match fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.to_string()),
                _ => Ok(()),
            },
        };
        if let Err(e) = result {
            tracing::error!(path = %path.display(), error = %e, "could not restore a web file");
        }
    }
}

/// Runs a command; its output when it fails.
pub fn run(command: &[String]) -> Result<(), String> {
    let Some((program, args)) = command.split_first() else {
        return Ok(());
    };
    let output = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{program}: {e}"))?;
    if output.status.success() {
        Ok(())
    } else {
        let text = String::from_utf8_lossy(&output.stderr);
        let text = if text.trim().is_empty() {
            String::from_utf8_lossy(&output.stdout)
        } else {
            text
        };
        Err(format!(
            "{} failed: {}",
            command.join(" "),
            text.trim().lines().last().unwrap_or_default()
        ))
    }
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    let dir = path.parent().ok_or_else(|| fail(&"no directory"))?;
    fs::create_dir_all(dir).map_err(|e| fail(&e))?;
    let mut file = tempfile::NamedTempFile::new_in(dir).map_err(|e| fail(&e))?;
    file.write_all(bytes).map_err(|e| fail(&e))?;
    file.as_file().sync_all().map_err(|e| fail(&e))?;
    // Readable by the web server and PHP-FPM, which read their configuration as root, and
    // by administrators.
    file.as_file()
        .set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .map_err(|e| fail(&e))?;
    file.persist(path).map_err(|e| fail(&e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn desired(suspended: bool) -> Desired {
        Desired {
            uid: 1001,
            user: "alice".into(),
            home: "/home/alice".into(),
            shell: "/usr/sbin/nologin".into(),
            password: "!".into(),
            suspended,
            domains: vec!["alice.example.com".into(), "alice.example.net".into()],
            ip: "192.0.2.1".parse().expect("ip"),
            quota: crate::Quota::Unenforced,
        }
    }

    #[test]
    fn a_site_per_domain_with_www_and_php_as_the_user() {
        let web = Web::debian();
        let site = web.site(&desired(false));
        for line in [
            "<VirtualHost 192.0.2.1:80>",
            "    ServerName alice.example.com",
            "    ServerAlias www.alice.example.com",
            "    ServerName alice.example.net",
            "    DocumentRoot /home/alice/public_html",
            "        SetHandler \"proxy:unix:/run/php/whmd-alice.sock|fcgi://whmd-alice\"",
            "    IncludeOptional /etc/apache2/whmd/userdata/alice/alice.example.com/*.conf",
        ] {
            assert!(site.lines().any(|l| l == line), "{line} in\n{site}");
        }
        let pool = web.pool(&desired(false)).expect("a pool");
        assert!(
            pool.contains("[whmd-alice]\nuser = alice\ngroup = alice\n"),
            "{pool}"
        );
        assert!(
            pool.contains("listen.group = www-data\nlisten.mode = 0660\n"),
            "{pool}"
        );
        let default = web.default_site("192.0.2.1".parse().expect("ip"));
        assert!(
            default.contains("<VirtualHost 192.0.2.1:80>\n    ServerName default.invalid\n"),
            "{default}"
        );
        assert!(
            web.default_path("192.0.2.1".parse().expect("ip"))
                .ends_with("0-default-192.0.2.1.conf")
        );
        let suspended = web.site(&desired(true));
        assert!(suspended.contains("Redirect 503 /"), "{suspended}");
        assert!(!suspended.contains("DocumentRoot"), "{suspended}");
        assert_eq!(web.pool(&desired(true)), None);
    }

    #[test]
    fn writes_are_skipped_when_right_and_undone_on_request() {
        let dir = tempfile::tempdir().expect("tempdir");
        let web = Web {
            sites: dir.path().join("sites"),
            pools: dir.path().join("pools"),
            ..Web::debian()
        };
        let state = WebState::open(&dir.path().join("state")).expect("state");
        let site = web.site_path(1001);
        let first = web
            .write(&[(site.clone(), Some("one\n".into()))], &state)
            .expect("write");
        assert!(first.web && !first.php);
        web.settle(&first, true, &state);
        assert_eq!(state.interrupted().expect("journal"), None);
        assert!(
            web.write(&[(site.clone(), Some("one\n".into()))], &state)
                .expect("write")
                .is_empty()
        );
        let files = [
            (site.clone(), Some("two\n".into())),
            (web.pool_path(1001), Some("p\n".into())),
        ];
        let second = web.write(&files, &state).expect("write");
        assert!(second.web && second.php);
        web.settle(&second, false, &state);
        assert_eq!(fs::read_to_string(&site).expect("read"), "one\n");
        assert!(!web.pool_path(1001).exists());
        // A crash between a write and its test: the next start puts the files back.
        web.write(&files, &state).expect("write");
        assert_eq!(fs::read_to_string(&site).expect("read"), "two\n");
        assert!(Web::recover(&state).expect("recover"));
        assert_eq!(fs::read_to_string(&site).expect("read"), "one\n");
        assert!(!web.pool_path(1001).exists());
        assert!(!Web::recover(&state).expect("nothing left"));
        fs::write(dir.path().join("pools/www.conf"), "x").expect("theirs");
        assert_eq!(web.uids_on_disk(), vec![1001]);
        let mode = fs::metadata(&site).expect("meta").permissions();
        assert_eq!(
            std::os::unix::fs::PermissionsExt::mode(&mode) & 0o777,
            0o644
        );
    }
}
