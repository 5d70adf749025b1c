//! `Verifier::verify` (parsing included) against a bare HMAC-SHA256 keyed on every call over
//! the same base string, in alternating rounds: on a shared machine whose speed drifts by
//! tens of percent from one second to the next, two benchmarks run one after the other can
//! land in different weather; alternating rounds put both in the same. Prints one JSON
//! object: each one's time per call (ns) in every round.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    missing_docs
)]

use std::hint::black_box;
use std::time::Instant;

use hmac::{Hmac, KeyInit, Mac};
use postsyncer_delegation::Verifier;
use sha2::Sha256;

const SECRET: &str = "ps_test_signing_secret_0001";
const NOW: i64 = 1_716_999_940;
const VALID: &str = "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane\
    &state=a1b2c3d4&expires=1717000000\
    &sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
const BASE: &str =
    "platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4&expires=1717000000";

const CALLS_PER_ROUND: u32 = 50_000;
const WARM_UP_ROUNDS: usize = 5;
const ROUNDS: usize = 60;

/// Time per call, in ns, of one round of `call`.
fn round(mut call: impl FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..CALLS_PER_ROUND {
        call();
    }
    started.elapsed().as_secs_f64() * 1e9 / f64::from(CALLS_PER_ROUND)
}

fn main() {
    let verifier = Verifier::new([SECRET]).unwrap();
    let verify = || {
        black_box(
            verifier
                .verify_at(black_box(VALID), black_box("a1b2c3d4"), None, NOW)
                .unwrap(),
        );
    };
    let bare = || {
        let mut mac = Hmac::<Sha256>::new_from_slice(black_box(SECRET).as_bytes()).unwrap();
        mac.update(black_box(BASE).as_bytes());
        black_box(mac.finalize().into_bytes());
    };
    let (mut verify_ns, mut bare_ns) = (Vec::new(), Vec::new());
    for i in 0..WARM_UP_ROUNDS + ROUNDS {
        let (v, b) = (round(verify), round(bare));
        if i >= WARM_UP_ROUNDS {
            verify_ns.push(v);
            bare_ns.push(b);
        }
    }
    println!(
        "{}",
        serde_json::json!({
            "verifier_valid_callback": verify_ns,
            "bare_hmac_sha256_keyed_each_time": bare_ns,
        })
    );
}
