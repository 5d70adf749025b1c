//! `demo`: the whole delegation flow on one machine, through the library's `Flow`, against an
//! embedded emulator: begin, approve without a browser, complete, and see a replay refused.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use postsyncer_delegation::{Client, Flow, FlowErrorKind, Platform, Verifier};

use crate::emulator::{self, Config, DEFAULT_API_KEY, DEFAULT_SIGNING_SECRET};

/// Where the demo app would receive its callback; nothing needs to listen there, since the
/// demo reads the redirect instead of following it.
const CALLBACK_URL: &str = "https://yourapp.example/auth/postsyncer/callback";

pub fn run() -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    runtime.block_on(async {
        let loopback = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
        let running = match emulator::start(loopback, Config::defaults()).await {
            Ok(running) => running,
            Err(e) => return fail(&format!("cannot start the emulator: {e}")),
        };
        step(
            "emulator",
            &format!("PostSyncer emulator listening on {}", running.url),
        );
        let outcome = flow(&running.url).await;
        let stopped = running.stop().await;
        step("emulator", "stopped");
        match (outcome, stopped) {
            (Ok(platform_id), Ok(())) => {
                step("done", &format!("verified platform_id: {platform_id}"));
                ExitCode::SUCCESS
            }
            (Err(e), _) => fail(&e),
            (Ok(_), Err(e)) => fail(&format!("the emulator failed: {e}")),
        }
    })
}

/// The browser session the demo's flow is bound to (an app uses its session cookie's id).
const SUBJECT: &str = "demo-browser-session";

/// The app's side of the flow; returns the verified `platform_id`.
async fn flow(emulator_url: &str) -> Result<String, String> {
    let client = Client::builder(DEFAULT_API_KEY)
        .base_url(format!("{emulator_url}/api"))
        .build()
        .map_err(|e| format!("cannot build the client: {e}"))?;
    let verifier = Verifier::new([DEFAULT_SIGNING_SECRET])
        .map_err(|e| format!("cannot build the verifier: {e}"))?;
    let flow = Flow::with_memory_store(client, verifier);

    let begun = flow
        .begin(Platform::Tiktok, CALLBACK_URL, SUBJECT, None)
        .await
        .map_err(|e| format!("begin failed: {e}"))?;
    step(
        "begin",
        &format!(
            "Flow::begin(tiktok, {CALLBACK_URL}, {SUBJECT}) -> authorize_url {} (valid {} s); \
             the state is kept by the flow's store",
            begun.authorize_url, begun.expires_in
        ),
    );

    let callback = approve(&begun.authorize_url).await?;
    step(
        "approval",
        &format!("the user approved; PostSyncer redirects to {callback}"),
    );

    let completed = flow
        .complete(&callback, SUBJECT)
        .await
        .map_err(|e| format!("complete failed: {e}"))?;
    let proof = completed.proof;
    step(
        "complete",
        &format!(
            "Flow::complete -> state taken once; signature, platform, state and expiry passed: \
             {} account {} (handle {})",
            proof.platform, proof.platform_id, proof.handle
        ),
    );

    match flow.complete(&callback, SUBJECT).await {
        Err(e) if e.flow_kind() == Some(FlowErrorKind::StateNotFound) => step(
            "replay",
            &format!(
                "the same callback again -> {}: {}",
                e.kind_word(),
                e.message()
            ),
        ),
        Err(e) => {
            return Err(format!(
                "the replay got {} instead of state_not_found",
                e.kind_word()
            ))
        }
        Ok(_) => return Err("the replayed callback was accepted".to_owned()),
    }
    Ok(proof.platform_id)
}

/// Approves without a browser and returns the callback URL the emulator redirects to.
async fn approve(authorize_url: &str) -> Result<String, String> {
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| format!("cannot build the HTTP client: {e}"))?;
    let response = browser
        .get(format!("{authorize_url}&decision=approve"))
        .send()
        .await
        .map_err(|e| format!("cannot reach the consent page: {e}"))?;
    if response.status() != reqwest::StatusCode::SEE_OTHER {
        return Err(format!(
            "the consent page answered {} instead of a redirect",
            response.status()
        ));
    }
    response
        .headers()
        .get(reqwest::header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .ok_or_else(|| "the consent redirect has no Location".to_owned())
}

fn step(name: &str, text: &str) {
    // A closed stdout must not stop the demo from cleaning up; the exit code still tells.
    let _ = writeln!(std::io::stdout(), "[{name:<8}] {text}");
}

fn fail(message: &str) -> ExitCode {
    eprintln!("demo failed: {message}");
    ExitCode::FAILURE
}
