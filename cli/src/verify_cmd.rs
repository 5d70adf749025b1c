//! `verify`: one callback against the signing secret(s); exit 0 verified, 1 rejected,
//! 2 usage or configuration error.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::Args;
use postsyncer_delegation::{Platform, Proof, Verifier, VerifyError};

use crate::checks::{checks_of, result_json};
use crate::secrets::SecretSources;
use crate::EXIT_USAGE;
use postsyncer_delegation::unix_now;

/// Exit status of a rejected callback.
const EXIT_REJECTED: u8 = 1;

#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    secrets: SecretSources,
    /// The state your app issued for this session (may begin with `-`, as a base64url
    /// state does one time in 64).
    #[arg(long, allow_hyphen_values = true)]
    state: String,
    /// The platform the session was created for (checked when given).
    #[arg(long, allow_hyphen_values = true)]
    platform: Option<Platform>,
    /// Seconds a proof may be late, for clocks that disagree.
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 0,
        allow_negative_numbers = true
    )]
    leeway: u64,
    /// How far ahead an expiry may be, in seconds, or `none` for no bound.
    #[arg(
        long,
        value_name = "SECS|none",
        default_value = "3600",
        value_parser = parse_max_lifetime,
        allow_negative_numbers = true
    )]
    max_lifetime: MaxLifetime,
    /// Verify as of this unix time instead of the system clock.
    #[arg(long, value_name = "UNIX", allow_negative_numbers = true)]
    now: Option<i64>,
    /// Print exactly one JSON object: {"ok": proof} or {"error", "parameter"?, "code"?, "message"}.
    #[arg(long)]
    json: bool,
    /// The callback URL, or its query string with or without `?`.
    #[arg(value_name = "INPUT")]
    input: String,
}

#[derive(Clone, Copy, Debug)]
struct MaxLifetime(Option<u64>);

fn parse_max_lifetime(text: &str) -> Result<MaxLifetime, String> {
    if text == "none" {
        return Ok(MaxLifetime(None));
    }
    text.parse::<u64>()
        .map(|secs| MaxLifetime(Some(secs)))
        .map_err(|_| format!("`{text}` is neither a number of seconds nor `none`"))
}

pub fn run(args: &VerifyArgs) -> ExitCode {
    let verifier = match build_verifier(args) {
        Ok(verifier) => verifier,
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let now = args.now.unwrap_or_else(unix_now);
    let result = verifier.verify_at(&args.input, &args.state, args.platform, now);

    let mut out = std::io::stdout().lock();
    let written = if args.json {
        writeln!(out, "{}", result_json(&result))
    } else {
        write_report(&mut out, &result, args.platform)
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        eprintln!("error: cannot write the result: {e}");
        return ExitCode::from(EXIT_USAGE);
    }
    if result.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(EXIT_REJECTED)
    }
}

fn build_verifier(args: &VerifyArgs) -> Result<Verifier, String> {
    let secrets = args.secrets.read().map_err(|e| e.to_string())?;
    secrets
        .into_iter()
        .fold(Verifier::builder(), |b, s| b.secret(s))
        .leeway(Duration::from_secs(args.leeway))
        .max_lifetime(args.max_lifetime.0.map(Duration::from_secs))
        .build()
        .map_err(|e| e.to_string())
}

fn write_report(
    out: &mut impl Write,
    result: &Result<Proof, VerifyError>,
    expected_platform: Option<Platform>,
) -> std::io::Result<()> {
    for (check, outcome) in checks_of(result, expected_platform) {
        writeln!(
            out,
            "{:<11} {:<12} {}",
            check.as_str(),
            outcome.status(),
            outcome.detail()
        )?;
    }
    match result {
        Ok(p) => writeln!(
            out,
            "\nverified: {} account {} (handle {:?}); trust platform_id, not the handle",
            p.platform, p.platform_id, p.handle
        ),
        Err(e) => writeln!(out, "\nrejected: {}", e.kind()),
    }
}
