//! Layered configuration: built-in defaults, then `tandem.toml`, then `TANDEM_*` environment
//! variables, then command-line flags (clap reads the environment and the flags; this module adds
//! the file and the defaults underneath).

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./tandem.db";
pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

/// What `tandem.toml` may hold. Every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub database: Option<DatabaseUrl>,
    pub addr: Option<SocketAddr>,
}

impl FileConfig {
    /// Reads `path` when given (it must exist), else `./tandem.toml` when present, else nothing.
    pub fn load(path: Option<&Path>) -> anyhow::Result<FileConfig> {
        let (path, required) = match path {
            Some(path) => (path.to_path_buf(), true),
            None => (PathBuf::from("tandem.toml"), false),
        };
        if !required && !path.exists() {
            return Ok(FileConfig::default());
        }
        let text =
            std::fs::read_to_string(&path).with_context(|| format!("cannot read config file {}", path.display()))?;
        toml::from_str(&text).with_context(|| format!("invalid config file {}", path.display()))
    }
}

/// A database URL. Its `Debug` and `Display` hide any password, so it can be logged.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    pub fn new(url: impl Into<String>) -> DatabaseUrl {
        DatabaseUrl(url.into())
    }

    /// The full URL, password included: only for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }

    fn redacted(&self) -> String {
        // scheme://user:password@host -> scheme://user:***@host
        let Some((scheme, rest)) = self.0.split_once("://") else { return self.0.clone() };
        match rest.split_once('@') {
            Some((credentials, host)) => match credentials.split_once(':') {
                Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
                None => self.0.clone(),
            },
            None => self.0.clone(),
        }
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({})", self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

/// The first of flag-or-environment, file, default.
pub fn database_url(from_flag_or_env: Option<&str>, file: &FileConfig) -> DatabaseUrl {
    match from_flag_or_env {
        Some(url) => DatabaseUrl::new(url),
        None => file.database.clone().unwrap_or_else(|| DatabaseUrl::new(DEFAULT_DATABASE_URL)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_reach_logs() {
        let url = DatabaseUrl::new("postgres://tandem:s3cret@db.internal:5432/tandem");
        assert_eq!(url.to_string(), "postgres://tandem:***@db.internal:5432/tandem");
        assert_eq!(format!("{url:?}"), "DatabaseUrl(postgres://tandem:***@db.internal:5432/tandem)");
        assert_eq!(url.expose(), "postgres://tandem:s3cret@db.internal:5432/tandem");
        assert_eq!(DatabaseUrl::new("sqlite://./tandem.db").to_string(), "sqlite://./tandem.db");
    }

    #[test]
    fn flag_beats_file_beats_default() {
        let file: FileConfig = toml::from_str("database = \"sqlite://file.db\"").unwrap();
        assert_eq!(database_url(Some("sqlite://flag.db"), &file).expose(), "sqlite://flag.db");
        assert_eq!(database_url(None, &file).expose(), "sqlite://file.db");
        assert_eq!(database_url(None, &FileConfig::default()).expose(), DEFAULT_DATABASE_URL);
        assert!(toml::from_str::<FileConfig>("databse = \"x\"").is_err());
    }
}
