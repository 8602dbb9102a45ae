//! A throwaway PgBouncer in front of a test's [`PostgresServer`], in transaction or session
//! pooling mode: listening on a free loopback port, authenticating the superuser with SCRAM
//! as the server does, and stopped when the value is dropped.
//!
//! The binary is `$TENANTFORM_PGBOUNCER_BIN` (default `/usr/sbin/pgbouncer`, Debian's package
//! `pgbouncer`, which `scripts/test.sh` installs). PgBouncer refuses to run as root, so as
//! root it runs as the `postgres` system user, like the server.

use std::fs;
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};

use crate::postgres::{PostgresServer, chown_to_postgres, free_port, is_root};

/// Where PgBouncer is looked for when `$TENANTFORM_PGBOUNCER_BIN` is unset.
pub const DEFAULT_PGBOUNCER_BIN: &str = "/usr/sbin/pgbouncer";
const START_TIMEOUT: Duration = Duration::from_secs(15);
const PID_FILE: &str = "pgbouncer.pid";
const LOG_FILE: &str = "pgbouncer.log";

/// PgBouncer's `pool_mode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PoolMode {
    /// A server session per client connection, for the connection's lifetime.
    Session,
    /// A server session per transaction: session state does not stay with the client.
    Transaction,
}

impl PoolMode {
    fn setting(self) -> &'static str {
        match self {
            PoolMode::Session => "session",
            PoolMode::Transaction => "transaction",
        }
    }
}

/// A running PgBouncer; dropping it stops it.
pub struct PgBouncer {
    port: u16,
    server_port: u16,
    process: Child,
    pid_file: PathBuf,
    root: tempfile::TempDir,
}

/// The PgBouncer binary, or a clear error when it is missing.
pub fn pgbouncer_binary() -> anyhow::Result<PathBuf> {
    let binary = std::env::var_os("TENANTFORM_PGBOUNCER_BIN")
        .filter(|value| !value.is_empty())
        .map_or_else(|| PathBuf::from(DEFAULT_PGBOUNCER_BIN), PathBuf::from);
    if !binary.is_file() {
        bail!(
            "PgBouncer not found at {}: install it (Debian: apt-get install pgbouncer) or point \
             TENANTFORM_PGBOUNCER_BIN at the binary.",
            binary.display()
        );
    }
    Ok(binary)
}

impl PgBouncer {
    /// Starts PgBouncer in `mode` in front of `server`'s database `tenants`, for its superuser.
    pub fn start(server: &PostgresServer, mode: PoolMode) -> anyhow::Result<PgBouncer> {
        let binary = pgbouncer_binary()?;
        let root = tempfile::Builder::new()
            .prefix("tenantform-pgbouncer-")
            .tempdir()
            .context("cannot create PgBouncer's temporary directory")?;
        let port = free_port()?;
        let config = write_config(root.path(), server, port, mode)?;
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&binary);
            command
        } else {
            Command::new(&binary)
        };
        let process = command
            .arg(&config)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("cannot start {}", binary.display()))?;
        let mut bouncer = PgBouncer {
            port,
            server_port: server.port(),
            process,
            pid_file: root.path().join(PID_FILE),
            root,
        };
        bouncer.wait_until_listening()?;
        Ok(bouncer)
    }

    fn wait_until_listening(&mut self) -> anyhow::Result<()> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if TcpStream::connect(("127.0.0.1", self.port)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.process.try_wait()? {
                bail!(
                    "PgBouncer exited ({status}) while starting:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!(
            "PgBouncer did not listen within {START_TIMEOUT:?}:\n{}",
            self.log()
        )
    }

    /// `direct_dsn` (a dsn of the server behind) redirected through this PgBouncer.
    pub fn dsn_through(&self, direct_dsn: &str) -> String {
        direct_dsn.replace(
            &format!("@127.0.0.1:{}/", self.server_port),
            &format!("@127.0.0.1:{}/", self.port),
        )
    }

    /// PgBouncer's log so far (for failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.root.path().join(LOG_FILE)).unwrap_or_default()
    }
}

impl Drop for PgBouncer {
    fn drop(&mut self) {
        // PgBouncer may run under runuser: stop PgBouncer itself by its pid file, then reap.
        if let Some(pid) = fs::read_to_string(&self.pid_file)
            .ok()
            .and_then(|text| text.trim().parse::<i32>().ok())
        {
            // SAFETY: kill has no memory preconditions; a stale pid at worst fails.
            unsafe {
                libc::kill(pid, libc::SIGTERM);
            }
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if matches!(self.process.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

/// Writes PgBouncer's user list and configuration into `root` (handed to the `postgres`
/// system user when we are root) for `server`'s superuser, listening on `port` in `mode`;
/// returns the configuration's path.
fn write_config(
    root: &Path,
    server: &PostgresServer,
    port: u16,
    mode: PoolMode,
) -> anyhow::Result<PathBuf> {
    fs::set_permissions(root, fs::Permissions::from_mode(0o755))?;
    let (user, password) = credentials_of(&server.superuser_dsn())?;
    let users = root.join("userlist.txt");
    fs::write(&users, format!("\"{user}\" \"{password}\"\n"))?;
    fs::set_permissions(&users, fs::Permissions::from_mode(0o600))?;
    let config = root.join("pgbouncer.ini");
    fs::write(
        &config,
        format!(
            "[databases]\n* = host=127.0.0.1 port={server_port}\n\n[pgbouncer]\n\
             listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n\
             auth_type = scram-sha-256\nauth_file = {users}\npool_mode = {mode}\n\
             server_round_robin = 0\nmax_client_conn = 200\ndefault_pool_size = 20\n\
             ignore_startup_parameters = extra_float_digits,options\n\
             logfile = {log}\npidfile = {pid}\n",
            server_port = server.port(),
            users = users.display(),
            mode = mode.setting(),
            log = root.join(LOG_FILE).display(),
            pid = root.join(PID_FILE).display(),
        ),
    )?;
    if is_root() {
        for path in [root, users.as_path(), config.as_path()] {
            chown_to_postgres(path)?;
        }
    }
    Ok(config)
}

/// The user and password of a `postgresql://USER:PASSWORD@HOST:PORT/DB` dsn, percent-decoded.
fn credentials_of(dsn: &str) -> anyhow::Result<(String, String)> {
    let credentials = dsn
        .strip_prefix("postgresql://")
        .and_then(|rest| rest.split_once('@'))
        .map(|(credentials, _)| credentials)
        .context("the dsn has no credentials")?;
    let (user, password) = credentials
        .split_once(':')
        .context("the dsn has no password")?;
    Ok((percent_decode(user)?, percent_decode(password)?))
}

fn percent_decode(text: &str) -> anyhow::Result<String> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&first, tail)) = rest.split_first() {
        if first == b'%' && tail.len() >= 2 {
            let hex = std::str::from_utf8(&tail[..2])?;
            bytes.push(u8::from_str_radix(hex, 16)?);
            rest = &tail[2..];
        } else {
            bytes.push(first);
            rest = tail;
        }
    }
    Ok(String::from_utf8(bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_come_out_of_the_dsn_decoded() {
        let (user, password) =
            credentials_of("postgresql://platform_admin:p%40ss%3Aword@127.0.0.1:5432/tenants")
                .unwrap();
        assert_eq!(user, "platform_admin");
        assert_eq!(password, "p@ss:word");
    }
}
