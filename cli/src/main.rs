//! `postsyncer-delegate`: verify and sign PostSyncer callbacks, run the local emulator of
//! PostSyncer's delegation API, and run the whole flow end to end (`demo`).

mod callback;
mod checks;
mod demo;
mod emulator;
mod secrets;
mod sign_cmd;
mod verify_cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Prove social-account ownership through PostSyncer's OAuth delegation, locally.
#[derive(Debug, Parser)]
#[command(name = "postsyncer-delegate", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Verify a callback URL (or its query) against the signing secret(s).
    Verify(verify_cmd::VerifyArgs),
    /// Sign proof fields into a callback query (test fixtures).
    Sign(sign_cmd::SignArgs),
    /// Run the local PostSyncer emulator until SIGTERM/SIGINT.
    Emulate(emulator::EmulateArgs),
    /// Run the whole flow against an embedded emulator: session, approval, verification.
    Demo,
}

/// Exit status for usage and configuration errors (clap uses it for bad arguments too).
pub(crate) const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Verify(args) => verify_cmd::run(&args),
        Command::Sign(args) => sign_cmd::run(&args),
        Command::Emulate(args) => emulator::run(args),
        Command::Demo => demo::run(),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used, clippy::panic)]
    use clap::CommandFactory;

    use super::Cli;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    /// States are base64url and may begin with `-`, times may be negative: an option of
    /// `verify` or `sign` that refused a value starting with `-` would make clap call it an
    /// unexpected argument. Every option that takes a value must accept one.
    #[test]
    fn every_value_of_verify_and_sign_may_begin_with_a_hyphen() {
        let cli = Cli::command();
        for name in ["verify", "sign"] {
            let command = cli.find_subcommand(name).expect("the subcommand exists");
            for arg in command.get_arguments() {
                if arg.is_positional() || !arg.get_action().takes_values() {
                    continue;
                }
                assert!(
                    arg.is_allow_hyphen_values_set() || arg.is_allow_negative_numbers_set(),
                    "{name} --{}: set allow_hyphen_values (text) or allow_negative_numbers \
                     (numbers)",
                    arg.get_id()
                );
            }
        }
    }
}
