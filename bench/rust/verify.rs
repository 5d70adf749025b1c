//! The rejections: what each kind of bad callback costs. The valid callback against a bare
//! HMAC-SHA256 is measured in alternating rounds instead (alternating.rs).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use postsyncer_delegation::Verifier;

const SECRET: &str = "ps_test_signing_secret_0001";
const NOW: i64 = 1_716_999_940;
const VALID: &str = "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane\
    &state=a1b2c3d4&expires=1717000000\
    &sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";

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

criterion_group!(benches, rejections);
criterion_main!(benches);
