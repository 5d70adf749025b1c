//! Secrets for `verify`, `sign` and `emulate`: read from environment variables or files, never
//! from the command line (where `ps`, shell history and CI logs would show them).

use std::fmt;
use std::path::{Path, PathBuf};

use clap::Args;
use postsyncer_delegation::Secret;
use zeroize::Zeroizing;

/// Where the signing secrets come from. Repeat the flags during a rotation.
#[derive(Debug, Args)]
pub struct SecretSources {
    /// Read a signing secret from this environment variable (exactly as set).
    #[arg(long = "secret-env", value_name = "NAME", allow_hyphen_values = true)]
    pub env: Vec<String>,
    /// Read a signing secret from this file (one trailing newline is dropped).
    #[arg(long = "secret-file", value_name = "PATH", allow_hyphen_values = true)]
    pub file: Vec<PathBuf>,
}

/// Why a secret could not be read. Names the source, never the value.
#[derive(Debug)]
pub enum SecretSourceError {
    None,
    EnvUnset(String),
    EnvNotUnicode(String),
    File(PathBuf, std::io::Error),
    FileNotUnicode(PathBuf),
}

impl fmt::Display for SecretSourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretSourceError::None => f.write_str(
                "no signing secret given: pass --secret-env NAME or --secret-file PATH \
                 (secrets are never accepted on the command line)",
            ),
            SecretSourceError::EnvUnset(name) => write!(
                f,
                "environment variable {name} is not set: export the secret in it, or read it \
                 from a file instead"
            ),
            SecretSourceError::EnvNotUnicode(name) => {
                write!(f, "environment variable {name} is not valid UTF-8")
            }
            SecretSourceError::File(path, e) => {
                write!(f, "cannot read secret file {}: {e}", path.display())
            }
            SecretSourceError::FileNotUnicode(path) => {
                write!(f, "secret file {} is not valid UTF-8", path.display())
            }
        }
    }
}

impl SecretSources {
    /// Every secret, environment variables first, in the order given. Emptiness is left to
    /// the core, which refuses an empty secret with its own message.
    pub fn read(&self) -> Result<Vec<Secret>, SecretSourceError> {
        let mut secrets = Vec::with_capacity(self.env.len() + self.file.len());
        for name in &self.env {
            secrets.push(from_env(name)?);
        }
        for path in &self.file {
            secrets.push(from_file(path)?);
        }
        if secrets.is_empty() {
            return Err(SecretSourceError::None);
        }
        Ok(secrets)
    }
}

/// The secret in environment variable `name`, exactly as set.
pub fn from_env(name: &str) -> Result<Secret, SecretSourceError> {
    std::env::var(name).map(Secret::new).map_err(|e| match e {
        std::env::VarError::NotPresent => SecretSourceError::EnvUnset(name.to_owned()),
        std::env::VarError::NotUnicode(_) => SecretSourceError::EnvNotUnicode(name.to_owned()),
    })
}

/// The secret in the file at `path`, without one trailing newline (`\n` or `\r\n`).
pub fn from_file(path: &Path) -> Result<Secret, SecretSourceError> {
    let bytes = Zeroizing::new(
        std::fs::read(path).map_err(|e| SecretSourceError::File(path.to_owned(), e))?,
    );
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| SecretSourceError::FileNotUnicode(path.to_owned()))?;
    let line = text
        .strip_suffix('\n')
        .map_or(text, |t| t.strip_suffix('\r').unwrap_or(t));
    Ok(Secret::new(line))
}
