//! `sign`: proof fields in, a signed callback query (or URL) out, for test fixtures.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use postsyncer_delegation::{sign_proof, Platform, Proof};

use crate::callback::{append_query, PROOF_LIFETIME_SECS};
use crate::secrets::SecretSources;
use crate::EXIT_USAGE;
use postsyncer_delegation::unix_now;

#[derive(Debug, Args)]
pub struct SignArgs {
    #[command(flatten)]
    secrets: SecretSources,
    /// The platform (wire name: tiktok, instagram, twitter, …).
    #[arg(long, allow_hyphen_values = true)]
    platform: Platform,
    /// The platform's permanent user id.
    #[arg(long, allow_hyphen_values = true)]
    platform_id: String,
    /// The account's handle (may be empty).
    #[arg(long, default_value = "", allow_hyphen_values = true)]
    handle: String,
    /// The state the app issued for the session (may begin with `-`).
    #[arg(long, allow_hyphen_values = true)]
    state: String,
    /// Expiry in unix seconds; default: now + 300, like a genuine proof.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    expires: Option<i64>,
    /// Print a whole callback URL: this URL with the signed query appended.
    #[arg(long, value_name = "URL", allow_hyphen_values = true)]
    callback_url: Option<String>,
}

pub fn run(args: &SignArgs) -> ExitCode {
    let secrets = match args.secrets.read() {
        Ok(secrets) => secrets,
        Err(e) => return usage_error(&e),
    };
    if secrets.len() != 1 {
        return usage_error(&"sign takes exactly one signing secret");
    }
    let proof = Proof {
        platform: args.platform,
        platform_id: args.platform_id.clone(),
        handle: args.handle.clone(),
        state: args.state.clone(),
        expires: args
            .expires
            .unwrap_or_else(|| unix_now().saturating_add(PROOF_LIFETIME_SECS)),
    };
    let query = match secrets.first().map(|s| sign_proof(s.expose(), &proof)) {
        Some(Ok(query)) => query,
        Some(Err(e)) => return usage_error(&e),
        None => return usage_error(&"no signing secret given"),
    };
    let line = match &args.callback_url {
        Some(url) => append_query(url, &query),
        None => query,
    };
    match writeln!(std::io::stdout(), "{line}") {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => usage_error(&format!("cannot write the result: {e}")),
    }
}

fn usage_error(message: &dyn std::fmt::Display) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(EXIT_USAGE)
}
