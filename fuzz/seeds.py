#!/usr/bin/env python3
"""Writes the fuzz targets' seed corpora (scripts/fuzz runs it into target/fuzz/seeds/):

- verify:           every case of tests/vectors/verify.json, its `input` as it is;
- c_api:            every case, its secrets, leeway, lifetime, clock, expected platform and
                    state and its input, in fuzz_targets/c_api.rs's input layout;
- session_response: answers of every kind the sessions endpoint can give (fuzz_targets/
                    session_response.rs's layout), hostile ones included.

Usage: fuzz/seeds.py VECTORS_JSON OUT_DIR
"""

import json
import re
import struct
import sys
from pathlib import Path

PLATFORMS = ["tiktok", "instagram", "twitter", "linkedin", "youtube", "facebook", "pinterest", "threads"]
API_KEY = "ps_live_fuzz_key_0123456789"  # session_response.rs's API_KEY


def c_api_seed(case):
    max_lifetime = case.get("max_lifetime", 3600)
    flags = 1 if max_lifetime is None else 0  # bit 0: no maximum lifetime (NULL)
    platform = PLATFORMS.index(case["expected_platform"]) + 1 if "expected_platform" in case else 0
    secrets = [s.encode() for s in case["secrets"]]
    assert len(secrets) <= 3
    out = bytes([flags, len(secrets) | platform << 2])
    out += struct.pack("<qqq", case.get("leeway", 0), max_lifetime or 0, case["now"])
    for secret in secrets + [case["expected_state"].encode()]:
        assert len(secret) < 256
        out += bytes([len(secret)]) + secret
    return out + case["input"].encode()


def answer(status, body, retry_after=""):
    body = body if isinstance(body, bytes) else body.encode()
    header = retry_after.encode()
    return struct.pack("<H", status) + bytes([len(header)]) + header + body


def grant(url, expires_in="900"):
    return '{"authorize_url": %s, "expires_in": %s}' % (json.dumps(url), expires_in)


ANSWERS = {
    "grant": answer(200, grant("https://app.postsyncer.com/oauth/delegate?request=psd_Zw8zKF_fznM43uPXSUhKEfOyp5PkTNNB")),
    "grant_201": answer(201, grant("https://postsyncer.com/oauth/delegate?request=psd_x")),
    "grant_other_host": answer(200, grant("https://evil.example/oauth/delegate?request=psd_x")),
    "grant_javascript": answer(200, grant("javascript:alert(1)")),
    "grant_crlf": answer(200, grant("https://app.postsyncer.com/x\r\nSet-Cookie: a=b")),
    "grant_userinfo": answer(200, grant("https://app.postsyncer.com@evil.example/")),
    "grant_negative_expiry": answer(200, grant("https://app.postsyncer.com/x", "-1")),
    "grant_float_expiry": answer(200, grant("https://app.postsyncer.com/x", "9.5e3")),
    "grant_huge_expiry": answer(200, grant("https://app.postsyncer.com/x", "184467440737095516150")),
    "grant_missing_url": answer(200, '{"expires_in": 900}'),
    "grant_not_json": answer(200, "<html>OK</html>"),
    "grant_array": answer(200, "[]"),
    "grant_nested": answer(200, "[" * 200 + "]" * 200),
    "grant_duplicate_keys": answer(200, grant("https://evil.example/") [:-1] + ', "authorize_url": "https://app.postsyncer.com/x"}'),
    "unauthenticated": answer(401, '{"message": "Unauthenticated."}'),
    "unauthenticated_echo": answer(401, '{"message": "Authorization: Bearer %s is not valid"}' % API_KEY),
    "forbidden": answer(403, '{"message": "This action is unauthorized."}'),
    "not_found_html": answer(404, "<!doctype html><title>404</title>"),
    "validation": answer(
        422,
        '{"message": "The given data was invalid.", "errors": {"callback_url": ["The callback url field must be a valid URL."], "platform": "The selected platform is invalid."}}',
    ),
    "validation_hostile": answer(
        422,
        '{"message": "\\u001b[31mred\\u0007\\r\\nX-Injected: 1", "errors": {"\\u202ecallback_url": ["%s", "line\\u2028break"], "n": [1, null, {"a": []}]}}' % API_KEY,
    ),
    "validation_many_fields": answer(
        422, '{"errors": {%s}}' % ", ".join('"f%d": ["%s"]' % (i, "m" * 300) for i in range(30))
    ),
    "rate_limited_seconds": answer(429, '{"message": "Too Many Attempts."}', "120"),
    "rate_limited_date": answer(429, "", "Sun, 06 Nov 1994 08:49:37 GMT"),
    "rate_limited_future_date": answer(429, "", "Fri, 31 Dec 9999 23:59:59 GMT"),
    "rate_limited_huge": answer(429, "", "99999999999999999999999"),
    "rate_limited_garbage": answer(429, "", "soon"),
    "server": answer(500, '{"message": "Server Error"}'),
    "unavailable_with_retry_after": answer(503, "", "5"),
    "redirect": answer(302, ""),
    "teapot": answer(418, '{"message": "I\'m a teapot"}'),
    "status_zero": answer(0, ""),
    "status_999": answer(999, "{}"),
    "invalid_utf8_body": answer(401, b'{"message": "\xff\xfe"}'),
}


def main() -> None:
    vectors_path, out_dir = Path(sys.argv[1]), Path(sys.argv[2])
    cases = json.loads(vectors_path.read_text(encoding="utf-8"))["cases"]
    written = {}
    for target, seeds in (
        ("verify", {c["name"]: c["input"].encode() for c in cases}),
        ("c_api", {c["name"]: c_api_seed(c) for c in cases}),
        ("session_response", ANSWERS),
    ):
        directory = out_dir / target
        directory.mkdir(parents=True, exist_ok=True)
        for old in directory.iterdir():
            old.unlink()
        for name, data in seeds.items():
            (directory / re.sub(r"[^A-Za-z0-9_.-]", "_", name)).write_bytes(data)
        written[target] = len(seeds)
    print(", ".join(f"{target}: {count} seeds" for target, count in written.items()))


if __name__ == "__main__":
    main()
