//! `Flow::complete` load (scripts/bench-flow): completions of begun flows, with the memory
//! store in this process or with a Redis shared by several processes. Prints one JSON object
//! for bench/flow/bench_flow.py.
//!
//! The emulator comes from `PSD_EMULATOR_URL`, `PSD_API_KEY` and `PSD_SIGNING_SECRET`
//! (scripts/lib/emulator.sh). Callbacks are signed here with `sign_proof` and the emulator's
//! secret, as the emulator would sign them, so that only `complete` is timed.
//!
//!   bench-flow memory CALLS CONCURRENCY RUNS
//!       begins CALLS flows per run (untimed), completes them on CONCURRENCY tasks (timed),
//!       then completes each again (untimed; each must be refused as state_not_found).
//!   bench-flow prepare REDIS_URL PREFIX COUNT FILE
//!       begins COUNT flows into Redis; writes "subject<TAB>callback" lines to FILE.
//!   bench-flow run REDIS_URL PREFIX FILE CONCURRENCY START_AT_UNIX_MS
//!       completes FILE's flows on CONCURRENCY tasks, starting at START_AT (timed).
//!   bench-flow replay REDIS_URL PREFIX FILE CONCURRENCY
//!       completes FILE's flows again: each must be refused as state_not_found.

#![allow(clippy::print_stdout)] // the JSON on stdout is this program's output

use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use postsyncer_delegation::{
    sign_proof, unix_now, Client, Flow, FlowErrorKind, MemoryStore, Platform, Proof, RedisStore,
    StateStore, Verifier,
};
use serde_json::json;

const CALLBACK: &str = "https://app.example/callback";
/// Flows begun at once while preparing: enough to keep the emulator busy, untimed anyway.
const PREPARE_CONCURRENCY: usize = 64;

/// One flow ready to complete: who began it and the signed callback it came back with.
#[derive(Clone)]
struct Pending {
    subject: String,
    callback: String,
}

struct Emulator {
    api_base: String,
    api_key: String,
    secret: String,
}

fn emulator() -> Result<Emulator, String> {
    let var = |name: &str| std::env::var(name).map_err(|_| format!("{name} is not set"));
    Ok(Emulator {
        api_base: format!("{}/api", var("PSD_EMULATOR_URL")?),
        api_key: var("PSD_API_KEY")?,
        secret: var("PSD_SIGNING_SECRET")?,
    })
}

fn flow(emulator: &Emulator, store: Arc<dyn StateStore>) -> Result<Flow, String> {
    let client = Client::builder(emulator.api_key.clone())
        .base_url(emulator.api_base.clone())
        .build()
        .map_err(|e| e.to_string())?;
    let verifier = Verifier::new([emulator.secret.as_str()]).map_err(|e| e.to_string())?;
    Ok(Flow::new(client, verifier, store))
}

fn redis_store(url: &str, prefix: &str) -> Result<Arc<dyn StateStore>, String> {
    let store = RedisStore::builder(url)
        .key_prefix(prefix)
        .build()
        .map_err(|e| e.to_string())?;
    Ok(Arc::new(store))
}

/// The ith of `count` shares, the first ones taking one more.
fn share(count: usize, parts: usize, index: usize) -> usize {
    count / parts + usize::from(index < count % parts)
}

/// Begins `count` flows (`tag` keeps subjects distinct across calls) and signs each one's
/// callback as the emulator would after an approval.
async fn prepare(
    flow: &Flow,
    secret: &str,
    tag: &str,
    count: usize,
) -> Result<Vec<Pending>, String> {
    let mut tasks = Vec::new();
    let mut next = 0;
    for index in 0..PREPARE_CONCURRENCY {
        let n = share(count, PREPARE_CONCURRENCY, index);
        let (flow, secret, tag, first) = (flow.clone(), secret.to_owned(), tag.to_owned(), next);
        next += n;
        tasks.push(tokio::spawn(async move {
            let mut pending = Vec::with_capacity(n);
            for i in first..first + n {
                let subject = format!("bench-{tag}-{i}");
                let begun = flow
                    .begin(Platform::Tiktok, CALLBACK, &subject, None)
                    .await
                    .map_err(|e| format!("begin: {e}"))?;
                let proof = Proof {
                    platform: Platform::Tiktok,
                    platform_id: format!("user-{i}"),
                    handle: "bench".to_owned(),
                    state: begun.state,
                    expires: unix_now() + 600,
                };
                let query = sign_proof(&secret, &proof).map_err(|e| e.to_string())?;
                pending.push(Pending {
                    subject,
                    callback: format!("{CALLBACK}?{query}"),
                });
            }
            Ok::<_, String>(pending)
        }));
    }
    let mut all = Vec::with_capacity(count);
    for task in tasks {
        all.extend(task.await.map_err(|e| e.to_string())??);
    }
    Ok(all)
}

/// What a set of workers did: each completion's latency (ms) and the failures.
struct Outcome {
    latencies_ms: Vec<f64>,
    errors: usize,
}

/// Completes `pending` on `concurrency` tasks; with `replay`, a success (or any error but
/// `state_not_found`) is the failure.
async fn complete_all(
    flow: &Flow,
    pending: &Arc<[Pending]>,
    concurrency: usize,
    replay: bool,
) -> Outcome {
    let mut tasks = Vec::new();
    let mut next = 0;
    for index in 0..concurrency {
        let n = share(pending.len(), concurrency, index);
        let (flow, pending, first) = (flow.clone(), Arc::clone(pending), next);
        next += n;
        tasks.push((
            n,
            tokio::spawn(async move {
                let mut latencies = Vec::with_capacity(n);
                let mut errors = 0;
                for p in &pending[first..first + n] {
                    let started = Instant::now();
                    let result = flow.complete(&p.callback, &p.subject).await;
                    latencies.push(started.elapsed().as_secs_f64() * 1e3);
                    let failed = match result {
                        Ok(completed) => replay || completed.proof.state.is_empty(),
                        Err(e) => !(replay && e.flow_kind() == Some(FlowErrorKind::StateNotFound)),
                    };
                    errors += usize::from(failed);
                }
                (latencies, errors)
            }),
        ));
    }
    let mut outcome = Outcome {
        latencies_ms: Vec::with_capacity(pending.len()),
        errors: 0,
    };
    for (n, task) in tasks {
        match task.await {
            Ok((latencies, errors)) => {
                outcome.latencies_ms.extend(latencies);
                outcome.errors += errors;
            }
            // A worker that died: none of its completions counts.
            Err(_) => outcome.errors += n,
        }
    }
    outcome
}

fn unix_nanos() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

fn number(text: &str, name: &str) -> Result<usize, String> {
    text.parse::<usize>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{name} must be a positive integer, got {text:?}"))
}

fn read_pending(path: &str) -> Result<Vec<Pending>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    text.lines()
        .map(|line| {
            let (subject, callback) = line
                .split_once('\t')
                .ok_or_else(|| format!("{path}: not a subject<TAB>callback line"))?;
            Ok(Pending {
                subject: subject.to_owned(),
                callback: callback.to_owned(),
            })
        })
        .collect()
}

async fn memory(
    calls: usize,
    concurrency: usize,
    runs: usize,
) -> Result<serde_json::Value, String> {
    let emulator = emulator()?;
    // Room for every run's records, so that eviction never decides an outcome.
    let store = Arc::new(MemoryStore::with_capacity(calls.max(100_000)));
    let flow = flow(&emulator, store)?;
    let mut results = Vec::with_capacity(runs);
    let mut latencies = Vec::with_capacity(calls * runs);
    for run in 0..runs {
        let pending: Arc<[Pending]> =
            prepare(&flow, &emulator.secret, &format!("memory-{run}"), calls)
                .await?
                .into();
        let started = Instant::now();
        let outcome = complete_all(&flow, &pending, concurrency, false).await;
        let seconds = started.elapsed().as_secs_f64();
        let replayed = complete_all(&flow, &pending, concurrency, true).await;
        results.push(json!({
            "seconds": seconds, "calls": calls, "errors": outcome.errors,
            "replay_errors": replayed.errors,
        }));
        latencies.extend(outcome.latencies_ms);
    }
    Ok(json!({"runs": results, "latencies_ms": latencies}))
}

async fn prepare_redis(
    url: &str,
    prefix: &str,
    count: usize,
    path: &str,
) -> Result<serde_json::Value, String> {
    let emulator = emulator()?;
    let flow = flow(&emulator, redis_store(url, prefix)?)?;
    let tag = format!("{}-{}", std::process::id(), unix_nanos());
    let pending = prepare(&flow, &emulator.secret, &tag, count).await?;
    let lines: String = pending
        .iter()
        .map(|p| format!("{}\t{}\n", p.subject, p.callback))
        .collect();
    std::fs::write(path, lines).map_err(|e| format!("cannot write {path}: {e}"))?;
    Ok(json!({"prepared": pending.len()}))
}

async fn run_redis(
    url: &str,
    prefix: &str,
    path: &str,
    concurrency: usize,
    start_at_ms: u64,
) -> Result<serde_json::Value, String> {
    let emulator = emulator()?;
    let flow = flow(&emulator, redis_store(url, prefix)?)?;
    let pending: Arc<[Pending]> = read_pending(path)?.into();
    // Connect before the start, so that the clock measures completions, not the connect.
    let _ = flow.complete("?state=warm-up-never-begun", "bench").await;
    let start_at = UNIX_EPOCH + Duration::from_millis(start_at_ms);
    if let Ok(wait) = start_at.duration_since(SystemTime::now()) {
        tokio::time::sleep(wait).await;
    }
    let start_ns = unix_nanos();
    let outcome = complete_all(&flow, &pending, concurrency, false).await;
    let end_ns = unix_nanos();
    Ok(json!({
        "start_ns": start_ns.to_string(), "end_ns": end_ns.to_string(),
        "calls": pending.len(), "errors": outcome.errors, "latencies_ms": outcome.latencies_ms,
    }))
}

async fn replay_redis(
    url: &str,
    prefix: &str,
    path: &str,
    concurrency: usize,
) -> Result<serde_json::Value, String> {
    let emulator = emulator()?;
    let flow = flow(&emulator, redis_store(url, prefix)?)?;
    let pending: Arc<[Pending]> = read_pending(path)?.into();
    let outcome = complete_all(&flow, &pending, concurrency, true).await;
    Ok(json!({"calls": pending.len(), "errors": outcome.errors}))
}

async fn dispatch(args: Vec<String>) -> Result<serde_json::Value, String> {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    match args.as_slice() {
        ["memory", calls, concurrency, runs] => {
            memory(
                number(calls, "CALLS")?,
                number(concurrency, "CONCURRENCY")?,
                number(runs, "RUNS")?,
            )
            .await
        }
        ["prepare", url, prefix, count, path] => {
            prepare_redis(url, prefix, number(count, "COUNT")?, path).await
        }
        ["run", url, prefix, path, concurrency, start_at] => {
            let start_at = start_at
                .parse::<u64>()
                .map_err(|_| format!("START_AT must be unix milliseconds, got {start_at:?}"))?;
            run_redis(url, prefix, path, number(concurrency, "CONCURRENCY")?, start_at).await
        }
        ["replay", url, prefix, path, concurrency] => {
            replay_redis(url, prefix, path, number(concurrency, "CONCURRENCY")?).await
        }
        _ => Err("usage: bench-flow memory CALLS CONCURRENCY RUNS | prepare REDIS_URL PREFIX COUNT FILE \
                  | run REDIS_URL PREFIX FILE CONCURRENCY START_AT_UNIX_MS \
                  | replay REDIS_URL PREFIX FILE CONCURRENCY"
            .to_owned()),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // A multi-threaded runtime, as an app's server would run `complete` on.
    let outcome = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start a runtime: {e}"))
        .and_then(|runtime| runtime.block_on(dispatch(args)));
    match outcome {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("bench-flow: {message}");
            ExitCode::from(2)
        }
    }
}
