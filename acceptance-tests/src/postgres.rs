//! A throwaway PostgreSQL 15 server for tests: `initdb` and `pg_ctl` into a temporary
//! directory, listening on a free loopback port with SCRAM password authentication, stopped
//! (immediately) when the value is dropped, even when the test panicked.
//!
//! The binaries come from `$TENANTFORM_POSTGRES_BIN` (default `/usr/lib/postgresql/15/bin`).
//! `initdb` refuses to run as root, so as root every server command runs as the `postgres`
//! system user through `runuser`, with the data directory handed to that user.
//!
//! Two profiles model how the provider meets PostgreSQL in practice: as the superuser, and
//! as a managed database's administrator (`platform_admin`: `LOGIN CREATEROLE CREATEDB`, not a
//! superuser) that owns the database `tenants`.
//!
//! [`PostgresServer::start_tls_only`] starts one that accepts TCP connections over TLS only
//! (see [`tls`]).

pub mod tls;

use std::fs;
use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, anyhow, bail};

/// Where the PostgreSQL binaries are looked for when `$TENANTFORM_POSTGRES_BIN` is unset.
pub const DEFAULT_POSTGRES_BIN: &str = "/usr/lib/postgresql/15/bin";
/// The database every profile works in.
pub const DATABASE: &str = "tenants";
/// The non-superuser administrator of the [`Profile::ManagedAdmin`] profile.
pub const MANAGED_ADMIN_ROLE: &str = "platform_admin";
const SUPERUSER_ROLE: &str = "postgres";
const SYSTEM_USER: &str = "postgres";
const START_ATTEMPTS: usize = 3;

/// Which role the provider connects as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// The bootstrap superuser `postgres`.
    Superuser,
    /// `platform_admin`: `LOGIN CREATEROLE CREATEDB`, owner of the database `tenants`.
    ManagedAdmin,
}

/// A running server; dropping it stops the server and removes its files.
pub struct PostgresServer {
    profile: Profile,
    port: u16,
    bin_dir: PathBuf,
    data_dir: PathBuf,
    superuser_password: String,
    admin_password: String,
    run_as_postgres: bool,
    tls_files: Option<tls::TlsFiles>,
    // Declared last so the directory outlives the server it holds.
    root: tempfile::TempDir,
}

/// The folder holding `initdb`, `pg_ctl` and `psql`, or a clear error when it does not.
pub fn bin_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::var_os("TENANTFORM_POSTGRES_BIN")
        .filter(|value| !value.is_empty())
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_POSTGRES_BIN));
    for binary in ["initdb", "pg_ctl", "postgres", "psql"] {
        let path = dir.join(binary);
        if !path.is_file() {
            let psql_note = if binary == "psql" {
                " (psql must sit beside initdb)"
            } else {
                ""
            };
            bail!(
                "PostgreSQL binaries not found: {} does not exist{psql_note}. Install \
                 PostgreSQL 15 (Debian: apt-get install postgresql-15) or point \
                 TENANTFORM_POSTGRES_BIN at the folder holding initdb, pg_ctl, postgres and psql.",
                path.display()
            );
        }
    }
    Ok(dir)
}

impl PostgresServer {
    /// Creates a cluster, starts it and prepares the database `tenants` for `profile`.
    pub fn start(profile: Profile) -> anyhow::Result<PostgresServer> {
        Self::start_with(profile, None)
    }

    /// Like [`PostgresServer::start`], for a server that accepts TCP connections over TLS
    /// only; [`PostgresServer::tls_files`] holds the client's certificates.
    pub fn start_tls_only(
        profile: Profile,
        setup: &tls::TlsSetup,
    ) -> anyhow::Result<PostgresServer> {
        Self::start_with(profile, Some(setup))
    }

    fn start_with(profile: Profile, tls: Option<&tls::TlsSetup>) -> anyhow::Result<PostgresServer> {
        let bin_dir = bin_dir()?;
        let mut last_error = None;
        // Another process may take the free port between our probe and the server's bind.
        for _ in 0..START_ATTEMPTS {
            match Self::start_once(profile, &bin_dir, tls) {
                Ok(server) => return Ok(server),
                Err(error) => last_error = Some(error),
            }
        }
        Err(last_error.unwrap_or_else(|| anyhow!("PostgreSQL did not start")))
    }

    fn start_once(
        profile: Profile,
        bin_dir: &Path,
        tls: Option<&tls::TlsSetup>,
    ) -> anyhow::Result<PostgresServer> {
        let run_as_postgres = is_root();
        let root = tempfile::Builder::new()
            .prefix("tenantform-pg-")
            .tempdir_in(std::env::temp_dir())
            .context("cannot create the server's temporary directory")?;
        // The postgres system user must be able to traverse into its folders.
        fs::set_permissions(root.path(), fs::Permissions::from_mode(0o755))?;
        let data_dir = root.path().join("data");
        let socket_dir = root.path().join("socket");
        fs::create_dir(&data_dir)?;
        fs::create_dir(&socket_dir)?;
        fs::set_permissions(&data_dir, fs::Permissions::from_mode(0o700))?;
        let superuser_password = random_password()?;
        let admin_password = random_password()?;
        let password_file = root.path().join("pwfile");
        fs::write(&password_file, format!("{superuser_password}\n"))?;
        fs::set_permissions(&password_file, fs::Permissions::from_mode(0o600))?;
        if run_as_postgres {
            for path in [&data_dir, &socket_dir, &password_file] {
                chown_to_postgres(path)?;
            }
        }
        let mut server = PostgresServer {
            profile,
            port: free_port()?,
            bin_dir: bin_dir.to_path_buf(),
            data_dir,
            superuser_password,
            admin_password,
            run_as_postgres,
            tls_files: None,
            root,
        };
        server.run_server_tool(
            "initdb",
            &[
                "-D",
                &server.data_dir.display().to_string(),
                "-U",
                SUPERUSER_ROLE,
                "--pwfile",
                &password_file.display().to_string(),
                "--auth-host=scram-sha-256",
                "--auth-local=scram-sha-256",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        )?;
        let mut options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -k {} -c fsync=off -c synchronous_commit=off \
             -c full_page_writes=off -c max_connections=250",
            server.port,
            socket_dir.display()
        );
        if let Some(setup) = tls {
            let (tls_options, files) =
                setup.install(server.root.path(), &server.data_dir, run_as_postgres)?;
            options.push_str(&tls_options);
            server.tls_files = Some(files);
        }
        let log_file = server.data_dir.join("server.log");
        let started = server.run_server_tool(
            "pg_ctl",
            &[
                "-D",
                &server.data_dir.display().to_string(),
                "-l",
                &log_file.display().to_string(),
                "-o",
                &options,
                "-w",
                "-t",
                "60",
                "start",
            ],
        );
        if let Err(error) = started {
            let log = fs::read_to_string(&log_file).unwrap_or_default();
            // Nothing to stop: keep Drop from running pg_ctl on a server that never started.
            server.port = 0;
            bail!("{error}\n--- server log:\n{log}");
        }
        server.prepare_database()?;
        Ok(server)
    }

    fn prepare_database(&self) -> anyhow::Result<()> {
        let bootstrap = self.dsn_for(SUPERUSER_ROLE, &self.superuser_password, "postgres");
        match self.profile {
            Profile::Superuser => {
                self.psql(&bootstrap, &format!("CREATE DATABASE {DATABASE}"))?;
            }
            Profile::ManagedAdmin => {
                self.psql(
                    &bootstrap,
                    &format!(
                        "CREATE ROLE {MANAGED_ADMIN_ROLE} LOGIN CREATEROLE CREATEDB PASSWORD '{}'",
                        self.admin_password
                    ),
                )?;
                self.psql(
                    &bootstrap,
                    &format!("CREATE DATABASE {DATABASE} OWNER {MANAGED_ADMIN_ROLE}"),
                )?;
            }
        }
        Ok(())
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// The role the provider connects as under this profile.
    pub fn admin_role(&self) -> &'static str {
        match self.profile {
            Profile::Superuser => SUPERUSER_ROLE,
            Profile::ManagedAdmin => MANAGED_ADMIN_ROLE,
        }
    }

    /// The provider's dsn: the profile's admin user on database `tenants`, over TCP 127.0.0.1.
    pub fn dsn(&self) -> String {
        match self.profile {
            Profile::Superuser => self.superuser_dsn(),
            Profile::ManagedAdmin => {
                self.dsn_for(MANAGED_ADMIN_ROLE, &self.admin_password, DATABASE)
            }
        }
    }

    /// A superuser dsn on database `tenants` (for inspecting catalogs and out-of-band changes).
    pub fn superuser_dsn(&self) -> String {
        self.dsn_for(SUPERUSER_ROLE, &self.superuser_password, DATABASE)
    }

    /// The superuser dsn on database `tenants` through `host` (a name or address of
    /// 127.0.0.1, such as `localhost`), without TLS parameters.
    pub fn superuser_dsn_via(&self, host: &str) -> String {
        self.superuser_dsn()
            .replacen("@127.0.0.1:", &format!("@{host}:"), 1)
    }

    /// The client's certificates of a server from [`PostgresServer::start_tls_only`].
    pub fn tls_files(&self) -> Option<&tls::TlsFiles> {
        self.tls_files.as_ref()
    }

    /// A dsn for an arbitrary login role and password on database `tenants`.
    pub fn login_dsn(&self, role: &str, password: &str) -> String {
        self.dsn_for(role, password, DATABASE)
    }

    fn dsn_for(&self, role: &str, password: &str, database: &str) -> String {
        format!(
            "postgresql://{}:{}@127.0.0.1:{}/{}",
            percent_encode(role),
            percent_encode(password),
            self.port,
            percent_encode(database)
        )
    }

    /// Runs `psql -X -v ON_ERROR_STOP=1 -At -d <dsn> -c <sql>`; Ok(stdout) or Err(stderr).
    pub fn psql(&self, dsn: &str, sql: &str) -> anyhow::Result<String> {
        self.run_psql(dsn, &["-c", sql])
    }

    /// Runs a whole SQL file with psql (ON_ERROR_STOP).
    pub fn psql_file(&self, dsn: &str, file: &Path) -> anyhow::Result<String> {
        self.run_psql(dsn, &["-f", &file.display().to_string()])
    }

    fn run_psql(&self, dsn: &str, args: &[&str]) -> anyhow::Result<String> {
        let output = Command::new(self.bin_dir.join("psql"))
            .args(["-X", "-v", "ON_ERROR_STOP=1", "-At", "-d", dsn])
            .args(args)
            .env("PGCONNECT_TIMEOUT", "10")
            .output()
            .context("cannot run psql")?;
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        if output.status.success() {
            Ok(stdout)
        } else {
            Err(anyhow!(
                "psql failed ({}): {}",
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }

    /// The server's log so far (useful in failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.data_dir.join("server.log")).unwrap_or_default()
    }

    /// Restarts the server on the same port (`pg_ctl restart -m fast`): every session ends,
    /// with it every session advisory lock.
    pub fn restart(&self) -> anyhow::Result<()> {
        let data_dir = self.data_dir.display().to_string();
        let log_file = self.data_dir.join("server.log").display().to_string();
        self.run_server_tool(
            "pg_ctl",
            &[
                "-D", &data_dir, "-l", &log_file, "-m", "fast", "-w", "-t", "60", "restart",
            ],
        )
    }

    /// The temporary directory holding the cluster.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// Runs `initdb` or `pg_ctl`, as the `postgres` system user when we are root.
    fn run_server_tool(&self, tool: &str, args: &[&str]) -> anyhow::Result<()> {
        let binary = self.bin_dir.join(tool);
        let mut command = if self.run_as_postgres {
            let mut command = Command::new("runuser");
            command.args(["-u", SYSTEM_USER, "--"]).arg(&binary);
            command
        } else {
            Command::new(&binary)
        };
        let output = command
            .args(args)
            .current_dir(self.root.path())
            .output()
            .with_context(|| format!("cannot run {}", binary.display()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(anyhow!(
                "{tool} failed ({}):\n{}\n{}",
                output.status,
                String::from_utf8_lossy(&output.stdout).trim(),
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
    }
}

impl Drop for PostgresServer {
    fn drop(&mut self) {
        if self.port == 0 {
            return;
        }
        let data_dir = self.data_dir.display().to_string();
        let _ = self.run_server_tool("pg_ctl", &["-D", &data_dir, "-m", "immediate", "stop"]);
    }
}

pub(crate) fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

pub(crate) fn chown_to_postgres(path: &Path) -> anyhow::Result<()> {
    let status = Command::new("chown")
        .arg(format!("{SYSTEM_USER}:"))
        .arg(path)
        .status()
        .context("cannot run chown")?;
    if !status.success() {
        bail!(
            "cannot hand {} to the {SYSTEM_USER} system user (does that user exist?)",
            path.display()
        );
    }
    Ok(())
}

/// A port nobody listens on right now.
pub(crate) fn free_port() -> anyhow::Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot probe for a free port")?;
    Ok(listener.local_addr()?.port())
}

/// 32 random hex digits.
fn random_password() -> anyhow::Result<String> {
    let mut bytes = [0u8; 16];
    fs::File::open("/dev/urandom")
        .and_then(|mut source| source.read_exact(&mut bytes))
        .context("cannot read /dev/urandom")?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Percent-encodes everything but unreserved URI characters.
fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests;
