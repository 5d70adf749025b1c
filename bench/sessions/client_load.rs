//! create_session load from the Rust client: `runs` rounds of `calls` sessions, `concurrency`
//! tasks sharing one `Client` (1 = sequential). Prints one JSON object for
//! bench/sessions/bench_sessions.py: per-run wall time and errors, and every call's latency.
//!
//! cargo run --release -p postsyncer-delegate --example bench-sessions -- \
//!     BASE_URL API_KEY CERT_PEM_PATH|- CALLS CONCURRENCY RUNS

#![allow(clippy::print_stdout)] // the JSON on stdout is this program's output

use std::process::ExitCode;
use std::time::Instant;

use postsyncer_delegation::{Client, Platform};
use serde_json::json;

const CALLBACK: &str = "https://app.example/callback";
/// Calls before timing (at least; two per worker), so that every run measures a warm pool
/// with as many open connections as workers.
const MIN_WARMUP_CALLS: usize = 20;

struct Settings {
    base_url: String,
    api_key: String,
    certificate_path: Option<String>,
    calls: usize,
    concurrency: usize,
    runs: usize,
}

fn settings() -> Result<Settings, String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base_url, api_key, certificate, calls, concurrency, runs] = <[String; 6]>::try_from(args)
        .map_err(|_| {
            "usage: bench-sessions BASE_URL API_KEY CERT_PEM_PATH|- CALLS CONCURRENCY RUNS"
                .to_owned()
        })?;
    let number = |text: &str, name: &str| {
        text.parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| format!("{name} must be a positive integer, got {text:?}"))
    };
    Ok(Settings {
        base_url,
        api_key,
        certificate_path: (certificate != "-").then_some(certificate),
        calls: number(&calls, "CALLS")?,
        concurrency: number(&concurrency, "CONCURRENCY")?,
        runs: number(&runs, "RUNS")?,
    })
}

/// One worker's share: sequential calls, each call's latency in milliseconds, and errors.
async fn worker(client: Client, calls: usize) -> (Vec<f64>, usize) {
    let mut latencies = Vec::with_capacity(calls);
    let mut errors = 0;
    for _ in 0..calls {
        let started = Instant::now();
        let outcome = client
            .create_session(Platform::Tiktok, CALLBACK, None)
            .await;
        latencies.push(started.elapsed().as_secs_f64() * 1e3);
        if outcome.is_err() {
            errors += 1;
        }
    }
    (latencies, errors)
}

/// `calls` sessions spread over `concurrency` workers: (seconds, latencies, errors).
async fn round(client: &Client, calls: usize, concurrency: usize) -> (f64, Vec<f64>, usize) {
    let started = Instant::now();
    let workers: Vec<_> = (0..concurrency)
        .map(|index| {
            // The first `calls % concurrency` workers take one call more.
            let share = calls / concurrency + usize::from(index < calls % concurrency);
            (share, tokio::spawn(worker(client.clone(), share)))
        })
        .collect();
    let mut latencies = Vec::with_capacity(calls);
    let mut errors = 0;
    for (share, handle) in workers {
        match handle.await {
            Ok((worker_latencies, worker_errors)) => {
                latencies.extend(worker_latencies);
                errors += worker_errors;
            }
            // A worker that died: none of its calls counts as done.
            Err(_) => errors += share,
        }
    }
    (started.elapsed().as_secs_f64(), latencies, errors)
}

async fn measure(settings: Settings) -> Result<serde_json::Value, String> {
    let mut builder = Client::builder(settings.api_key).base_url(settings.base_url);
    if let Some(path) = &settings.certificate_path {
        let pem = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        builder = builder.add_root_certificate_pem(&pem);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let warmup_calls = MIN_WARMUP_CALLS.max(2 * settings.concurrency);
    round(&client, warmup_calls, settings.concurrency).await;
    let mut runs = Vec::with_capacity(settings.runs);
    let mut latencies = Vec::with_capacity(settings.calls * settings.runs);
    for _ in 0..settings.runs {
        let (seconds, round_latencies, errors) =
            round(&client, settings.calls, settings.concurrency).await;
        runs.push(json!({"seconds": seconds, "calls": settings.calls, "errors": errors}));
        latencies.extend(round_latencies);
    }
    Ok(json!({"runs": runs, "latencies_ms": latencies}))
}

fn main() -> ExitCode {
    let outcome = settings().and_then(|settings| {
        // The caller's runtime only awaits; the client's own runtime does the I/O, as in an app.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        runtime.block_on(measure(settings))
    });
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-sessions: {message}");
            ExitCode::from(2)
        }
    }
}
