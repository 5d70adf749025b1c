"""Generates callbacks for the differential test, valid and malformed, in the conformance
vectors' format, with each case's expected result taken from the Rust CLI
(`postsyncer-delegate verify --json`). Every language's vector runner then checks the same
file (PSD_VECTORS), so they all must decide every case exactly as the CLI and each other do.

Usage: make_cases.py CLI OUT_JSON [COUNT] [SEED]

The generator only builds inputs (and signs the ones meant to be authentic, as PostSyncer
does); it decides nothing: the results are the CLI's.
"""

import hashlib
import hmac
import json
import os
import random
import subprocess
import sys
from urllib.parse import quote, quote_plus

PLATFORMS = ["tiktok", "instagram", "twitter", "linkedin", "youtube", "facebook", "pinterest", "threads"]
NOT_PLATFORMS = ["", "TikTok", "x", "bluesky", "tiktok ", "mastodon"]
NOW = 1_717_000_000
# No tab or line break anywhere (the C runner's line format cannot carry them, not even
# decoded); \x01 stands in for control characters.
ALPHABET = "abcXYZ019_-.~ &=+%?#/é€\u2028\x01"


def text(rng, alphabet=ALPHABET, low=0, high=12):
    return "".join(rng.choice(alphabet) for _ in range(rng.randint(low, high)))


def encode(rng, value):
    style = rng.random()
    if style < 0.6:
        return quote_plus(value, safe="")
    if style < 0.9:
        return quote(value, safe="")
    # Raw where it is still one piece: leave safe characters as they are.
    return "".join(c if c.isalnum() or c in "_-.~" else quote(c, safe="") for c in value)


def expires_text(rng):
    choice = rng.random()
    if choice < 0.8:
        return str(NOW + rng.randint(-30, 400))
    return rng.choice([
        str(NOW * 1000), "0", "-5", "", "soon", "1e9", "0" * 19, "9" * 19, "9223372036854775807",
        "9223372036854775808", "0" + str(NOW), " " + str(NOW), str(NOW + 10**7), "１２３",
    ])


def sign(secret, fields):
    base = "platform={}&platform_id={}&handle={}&state={}&expires={}".format(*fields)
    return hmac.new(secret.encode(), base.encode(), hashlib.sha256).hexdigest()


def make_case(rng, index):
    secrets = [text(rng, "abcdef0123456789_", 4, 24) for _ in range(rng.randint(1, 2))]
    state = text(rng, "abcXYZ019_-", 1, 16) if rng.random() < 0.9 else text(rng)
    platform = rng.choice(PLATFORMS) if rng.random() < 0.9 else rng.choice(NOT_PLATFORMS)
    fields = [platform, text(rng, low=1 if rng.random() < 0.95 else 0), text(rng, low=0), state, expires_text(rng)]
    signer = rng.choice(secrets) if rng.random() < 0.85 else "not-the-secret"
    sig = sign(signer, fields)
    if rng.random() < 0.1:
        sig = rng.choice([sig.upper(), sig[:-1], sig + "0", sig[:-1] + "g", "", sig[:32]])
    names = ["platform", "platform_id", "handle", "state", "expires", "sig"]
    pairs = [[n, encode(rng, v)] for n, v in zip(names, fields + [sig])]

    mutation = rng.random()
    if mutation < 0.05:
        del pairs[rng.randrange(len(pairs))]
    elif mutation < 0.10:
        pairs.append(list(rng.choice(pairs)))
    elif mutation < 0.15:
        pairs.append([rng.choice(names), encode(rng, text(rng))])
    elif mutation < 0.20:
        pairs[rng.randrange(len(pairs))][1] = rng.choice(["%zz", "%f", "%", "%ff", "%c3%28", "a%2"])
    elif mutation < 0.25:
        pairs.insert(rng.randrange(len(pairs) + 1), ["error", encode(rng, rng.choice(["access_denied", text(rng)]))])
        if rng.random() < 0.5:
            pairs.append(["error_description", encode(rng, text(rng, high=40))])
    elif mutation < 0.30:
        pairs.insert(rng.randrange(len(pairs) + 1), [encode(rng, text(rng, low=1)), encode(rng, text(rng))])
    elif mutation < 0.35:
        pairs[rng.randrange(len(pairs))][0] = rng.choice(["Platform", "sig ", "st%61te", "platform%5F" + "id"])
    if rng.random() < 0.3:
        rng.shuffle(pairs)
    query = "&".join(f"{k}={v}" if rng.random() < 0.97 else k for k, v in pairs)
    if rng.random() < 0.1:
        query = query.replace("&", "&&", 1)
    prefix = rng.choice(["", "?", "https://app.example/cb?", "https://app.example/cb?x=1&"])
    suffix = rng.choice(["", "", "", "#frag", "#sig=00"])

    case = {
        "name": f"differential_{index}",
        "input": prefix + query + suffix,
        "secrets": secrets,
        "expected_state": state if rng.random() < 0.9 else text(rng, "abcXYZ019_-&=", 1, 16),
        "now": NOW + rng.choice([0, 0, 0, 300, -300, 10**6]),
    }
    if rng.random() < 0.4:
        case["expected_platform"] = rng.choice(PLATFORMS)
    if rng.random() < 0.3:
        case["leeway"] = rng.choice([0, 60, 600])
    if rng.random() < 0.3:
        case["max_lifetime"] = rng.choice([None, 300, 3600, 0])
    return case


def expected_result(cli, case):
    command = [cli, "verify", "--json"]
    env = dict(os.environ)
    for i, secret in enumerate(case["secrets"]):
        env[f"PSD_DIFF_SECRET_{i}"] = secret
        command += ["--secret-env", f"PSD_DIFF_SECRET_{i}"]
    # `--name=value`, so that a value starting with `-` stays a value.
    command += [f"--state={case['expected_state']}", f"--now={case['now']}"]
    if "expected_platform" in case:
        command += [f"--platform={case['expected_platform']}"]
    if "leeway" in case:
        command += [f"--leeway={case['leeway']}"]
    if "max_lifetime" in case:
        lifetime = case["max_lifetime"]
        command += [f"--max-lifetime={'none' if lifetime is None else lifetime}"]
    command += ["--", case["input"]]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{case['name']}: the CLI failed ({done.returncode}): {done.stderr}")
    result = json.loads(done.stdout)
    result.pop("message", None)
    return result


def main():
    cli, out = sys.argv[1], sys.argv[2]
    count = int(sys.argv[3]) if len(sys.argv) > 3 else 2000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 20261202)
    cases = []
    for index in range(count):
        case = make_case(rng, index)
        case["result"] = expected_result(cli, case)
        cases.append(case)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"format": "postsyncer-delegation/verify-vectors/v1", "cases": cases}, f, ensure_ascii=False)
    accepted = sum("ok" in c["result"] for c in cases)
    kinds = sorted({c["result"].get("error", "ok") for c in cases})
    print(f"differential: {count} cases ({accepted} accepted), outcomes: {', '.join(kinds)}")


if __name__ == "__main__":
    main()
