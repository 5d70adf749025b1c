//! `Verifier::verify` (parsing included) against a bare HMAC-SHA256 keyed on every call over
//! the same base string: what a hand-written verifier pays at least. Also the rejections.

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
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

fn verify_against_bare_hmac(c: &mut Criterion) {
    let verifier = Verifier::new([SECRET]).unwrap();
    let mut group = c.benchmark_group("verify");
    group.bench_function("verifier_valid_callback", |b| {
        b.iter(|| {
            verifier
                .verify_at(black_box(VALID), black_box("a1b2c3d4"), None, NOW)
                .unwrap()
        })
    });
    group.bench_function("bare_hmac_sha256_keyed_each_time", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(black_box(SECRET).as_bytes()).unwrap();
            mac.update(black_box(BASE).as_bytes());
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

fn rejections(c: &mut Criterion) {
    let verifier = Verifier::new([SECRET]).unwrap();
    let cases = [
        (
            "bad_signature",
            VALID.replace("_000abc", "_000abd"),
            "a1b2c3d4",
            NOW,
        ),
        (
            "malformed_sig",
            VALID.replace("sig=c6", "sig=z6"),
            "a1b2c3d4",
            NOW,
        ),
        (
            "missing_parameter",
            VALID.replace("&handle=jane", ""),
            "a1b2c3d4",
            NOW,
        ),
        ("state_mismatch", VALID.to_owned(), "zzzz9999", NOW),
        ("expired", VALID.to_owned(), "a1b2c3d4", NOW + 3600),
        (
            "authorization_denied",
            "error=access_denied&state=a1b2c3d4".to_owned(),
            "a1b2c3d4",
            NOW,
        ),
    ];
    let mut group = c.benchmark_group("reject");
    for (name, input, state, now) in &cases {
        group.bench_function(*name, |b| {
            b.iter(|| {
                verifier
                    .verify_at(black_box(input), black_box(state), None, *now)
                    .unwrap_err()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, verify_against_bare_hmac, rejections);
criterion_main!(benches);
