/* The C API's own contract, without the emulator: result names, platform codes, NULL and
 * bad arguments, outputs written only on success, ownership, signing, states, config errors. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"

static const char SECRET[] = "ps_test_signing_secret_0001";
static const int64_t DEFAULT_LIFETIME = PSD_DEFAULT_MAX_LIFETIME_SECONDS;

/* The crate's version, passed in by scripts/test-c from `cargo metadata`. */
#ifndef PSD_EXPECTED_VERSION
#error "build with -DPSD_EXPECTED_VERSION set to the version as a C string literal (scripts/test-c does)"
#endif

/* A pointer value that must survive a failed call untouched. */
#define UNTOUCHED(type) ((type *)&untouched_marker)
static int untouched_marker;

static void test_result_names(void) {
  CHECK(str_is(psd_result_name(PSD_RESULT_OK), "ok"));
  CHECK(str_is(psd_result_name(PSD_RESULT_NULL_PARAMETER), "null_parameter"));
  CHECK(str_is(psd_result_name(PSD_RESULT_PANIC), "panic"));
  CHECK(str_is(psd_result_name(PSD_RESULT_EMPTY_SECRET), "empty_secret"));
  CHECK(str_is(psd_result_name(PSD_RESULT_BAD_SIGNATURE), "bad_signature"));
  CHECK(str_is(psd_result_name(PSD_RESULT_RATE_LIMITED), "rate_limited"));
  CHECK(str_is(psd_result_name(9999), "unknown"));
}

static void test_platforms(void) {
  static const char *const names[] = {"tiktok",   "instagram", "twitter",   "linkedin",
                                      "youtube",  "facebook",  "pinterest", "threads"};
  for (psd_platform code = PSD_PLATFORM_TIKTOK; code <= PSD_PLATFORM_THREADS; code++) {
    psd_str name = {NULL, 0};
    psd_platform back = PSD_PLATFORM_NONE;
    CHECK(psd_platform_wire_name(code, &name) == PSD_RESULT_OK && str_is(name, names[code - 1]));
    CHECK(psd_platform_from_wire_name(name.data, name.len, &back) == PSD_RESULT_OK && back == code);
  }
  psd_str name = {NULL, 0};
  psd_platform platform = PSD_PLATFORM_NONE;
  CHECK(psd_platform_wire_name(PSD_PLATFORM_NONE, &name) == PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_platform_wire_name(42, &name) == PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_platform_wire_name(PSD_PLATFORM_TIKTOK, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_platform_from_wire_name(ARG("TikTok"), &platform) == PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_platform_from_wire_name(ARG("x"), &platform) == PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_platform_from_wire_name(NULL, 6, &platform) == PSD_RESULT_NULL_PARAMETER);
  CHECK(platform == PSD_PLATFORM_NONE);
}

static void test_verifier_configuration(void) {
  psd_verifier *verifier = UNTOUCHED(psd_verifier);
  psd_string *message = NULL;
  char text[512];

  CHECK(psd_verifier_new(NULL, 0, PSD_DEFAULT_LEEWAY_SECONDS, &DEFAULT_LIFETIME, &verifier, &message) ==
        PSD_RESULT_NO_SECRET);
  CHECK(verifier == UNTOUCHED(psd_verifier));
  CHECK(strstr(take_string(message, text, sizeof text), "no signing secret") != NULL);

  psd_str with_empty[] = {{ARG("keep_this_private")}, {"", 0}};
  message = NULL;
  CHECK(psd_verifier_new(with_empty, 2, 0, &DEFAULT_LIFETIME, &verifier, &message) == PSD_RESULT_EMPTY_SECRET);
  CHECK(verifier == UNTOUCHED(psd_verifier));
  take_string(message, text, sizeof text);
  CHECK(strstr(text, "#1") != NULL && strstr(text, "keep_this_private") == NULL);

  psd_str not_utf8[] = {{"\xff\xfe", 2}};
  CHECK(psd_verifier_new(not_utf8, 1, 0, &DEFAULT_LIFETIME, &verifier, NULL) == PSD_RESULT_INVALID_UTF8);
  psd_str null_bytes[] = {{NULL, 4}};
  CHECK(psd_verifier_new(null_bytes, 1, 0, &DEFAULT_LIFETIME, &verifier, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_verifier_new(NULL, 1, 0, &DEFAULT_LIFETIME, &verifier, NULL) == PSD_RESULT_NULL_PARAMETER);
  psd_str one[] = {{ARG(SECRET)}};
  CHECK(psd_verifier_new(one, 1, 0, &DEFAULT_LIFETIME, NULL, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(verifier == UNTOUCHED(psd_verifier));

  /* Negative numbers are refused by the core, by name, never read as a default. */
  message = UNTOUCHED(psd_string);
  CHECK(psd_verifier_new(one, 1, -1, &DEFAULT_LIFETIME, &verifier, &message) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(verifier == UNTOUCHED(psd_verifier) && message != UNTOUCHED(psd_string));
  CHECK(strstr(take_string(message, text, sizeof text), "leeway_seconds") != NULL);
  const int64_t negative_lifetime = -1;
  message = UNTOUCHED(psd_string);
  CHECK(psd_verifier_new(one, 1, 0, &negative_lifetime, &verifier, &message) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(verifier == UNTOUCHED(psd_verifier) && message != UNTOUCHED(psd_string));
  CHECK(strstr(take_string(message, text, sizeof text), "max_lifetime_seconds") != NULL);
  CHECK(psd_verifier_new(one, 1, INT64_MIN, NULL, &verifier, NULL) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(verifier == UNTOUCHED(psd_verifier));
}

/* NULL max lifetime turns the bound off: a vector-like proof expiring years ahead verifies,
 * while the default bound refuses it. */
static void test_no_max_lifetime(void) {
  const int64_t now = 1716999940;
  const int64_t far_ahead = now + 10 * 365 * 86400;
  psd_string *owned = NULL;
  psd_str query = {NULL, 0};
  CHECK(psd_sign_proof(ARG(SECRET), PSD_PLATFORM_TIKTOK, ARG("_000abc"), ARG("jane"), ARG("a1b2c3d4"), far_ahead,
                       &owned) == PSD_RESULT_OK);
  CHECK(psd_string_view(owned, &query) == PSD_RESULT_OK);
  psd_str one[] = {{ARG(SECRET)}};

  psd_verifier *bounded = NULL;
  CHECK(psd_verifier_new(one, 1, PSD_DEFAULT_LEEWAY_SECONDS, &DEFAULT_LIFETIME, &bounded, NULL) == PSD_RESULT_OK);
  psd_proof *proof = UNTOUCHED(psd_proof);
  CHECK(psd_verifier_verify(bounded, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_TIKTOK, &now, &proof,
                            NULL) == PSD_RESULT_EXPIRY_TOO_FAR);
  CHECK(proof == UNTOUCHED(psd_proof));
  psd_verifier_free(bounded);

  psd_verifier *unbounded = NULL;
  CHECK(psd_verifier_new(one, 1, PSD_DEFAULT_LEEWAY_SECONDS, NULL, &unbounded, NULL) == PSD_RESULT_OK);
  proof = NULL;
  psd_verify_error *error = NULL;
  CHECK(psd_verifier_verify(unbounded, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_TIKTOK, &now, &proof,
                            &error) == PSD_RESULT_OK);
  CHECK(error == NULL);
  psd_proof_fields fields;
  CHECK(psd_proof_view(proof, &fields) == PSD_RESULT_OK && fields.expires == far_ahead &&
        str_is(fields.platform_id, "_000abc"));
  psd_proof_free(proof);
  psd_verify_error_free(error);
  psd_verifier_free(unbounded);
  psd_string_free(owned);
}

static void test_version(void) {
  psd_str version = psd_version();
  CHECK(str_is(version, PSD_EXPECTED_VERSION));
  CHECK(psd_version().data == version.data); /* static storage: the same view every time */
}

/* Signs a proof for tiktok/_000abc/handle/a1b2c3d4 expiring at `expires`; NULL on failure. */
static psd_string *signed_query(const char *handle, int64_t expires) {
  psd_string *query = NULL;
  CHECK(psd_sign_proof(ARG(SECRET), PSD_PLATFORM_TIKTOK, ARG("_000abc"), ARG(handle), ARG("a1b2c3d4"),
                       expires, &query) == PSD_RESULT_OK);
  return query;
}

static void test_verify_arguments(void) {
  psd_str one[] = {{ARG(SECRET)}};
  psd_verifier *verifier = NULL;
  CHECK(psd_verifier_new(one, 1, 0, &DEFAULT_LIFETIME, &verifier, NULL) == PSD_RESULT_OK);

  /* A handle full of characters that need encoding survives sign -> verify. */
  const char *handle = "a&b=c+d%e ü/?#";
  psd_str query = {NULL, 0};
  psd_string *owned = signed_query(handle, (int64_t)time(NULL) + 300);
  CHECK(psd_string_view(owned, &query) == PSD_RESULT_OK);

  /* now == NULL: the system clock. */
  psd_proof *proof = NULL;
  psd_verify_error *error = UNTOUCHED(psd_verify_error);
  psd_str got = {NULL, 0};
  CHECK(psd_verifier_verify(verifier, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_TIKTOK, NULL, &proof,
                            &error) == PSD_RESULT_OK);
  CHECK(error == UNTOUCHED(psd_verify_error));
  CHECK(psd_proof_handle(proof, &got) == PSD_RESULT_OK && str_is(got, handle));
  CHECK(psd_proof_handle(proof, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_proof_handle(NULL, &got) == PSD_RESULT_NULL_PARAMETER);
  /* All fields in one read agree with the per-field getters. */
  psd_proof_fields fields;
  CHECK(psd_proof_view(proof, &fields) == PSD_RESULT_OK);
  CHECK(fields.platform == PSD_PLATFORM_TIKTOK && str_is(fields.handle, handle));
  CHECK(str_is(fields.platform_id, "_000abc") && str_is(fields.state, "a1b2c3d4"));
  CHECK(psd_proof_view(proof, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_proof_view(NULL, &fields) == PSD_RESULT_NULL_PARAMETER);
  psd_proof_free(proof);

  /* Failures leave proof_out untouched; error_out is optional. */
  proof = UNTOUCHED(psd_proof);
  CHECK(psd_verifier_verify(verifier, query.data, query.len, ARG("another_state"), PSD_PLATFORM_NONE, NULL, &proof,
                            NULL) == PSD_RESULT_STATE_MISMATCH);
  CHECK(proof == UNTOUCHED(psd_proof));
  CHECK(psd_verifier_verify(verifier, query.data, query.len, ARG("a1b2c3d4"), 42, NULL, &proof, NULL) ==
        PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_verifier_verify(NULL, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_NONE, NULL, &proof, NULL) ==
        PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_verifier_verify(verifier, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_NONE, NULL, NULL,
                            NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_verifier_verify(verifier, NULL, 10, ARG("a1b2c3d4"), PSD_PLATFORM_NONE, NULL, &proof, NULL) ==
        PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_verifier_verify(verifier, "\xc3(", 2, ARG("a1b2c3d4"), PSD_PLATFORM_NONE, NULL, &proof, NULL) ==
        PSD_RESULT_INVALID_UTF8);
  CHECK(proof == UNTOUCHED(psd_proof));
  /* The empty callback is (NULL, 0): a verification error, not a NULL parameter. */
  error = NULL;
  CHECK(psd_verifier_verify(verifier, NULL, 0, ARG("a1b2c3d4"), PSD_PLATFORM_NONE, NULL, &proof, &error) ==
        PSD_RESULT_MISSING_PARAMETER);
  psd_str parameter = {NULL, 0};
  CHECK(psd_verify_error_parameter(error, &parameter) == PSD_RESULT_OK && str_is(parameter, "platform"));
  CHECK(psd_verify_error_code(error, &parameter) == PSD_RESULT_OK && str_is(parameter, NULL));
  CHECK(psd_verify_error_kind(NULL, &parameter) == PSD_RESULT_NULL_PARAMETER);
  psd_verify_error_fields error_fields;
  CHECK(psd_verify_error_view(error, &error_fields) == PSD_RESULT_OK &&
        str_is(error_fields.kind, "missing_parameter") && str_is(error_fields.parameter, "platform") &&
        str_is(error_fields.code, NULL) && error_fields.message.len > 0);
  CHECK(psd_verify_error_view(error, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_verify_error_view(NULL, &error_fields) == PSD_RESULT_NULL_PARAMETER);
  psd_verify_error_free(error);
  psd_string_free(owned);

  /* An old proof against the system clock has expired. */
  owned = signed_query("jane", 1717000000);
  CHECK(psd_string_view(owned, &query) == PSD_RESULT_OK);
  CHECK(psd_verifier_verify(verifier, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_NONE, NULL, &proof,
                            NULL) == PSD_RESULT_EXPIRED);
  psd_string_free(owned);
  psd_verifier_free(verifier);
}

static void test_signing_and_states(void) {
  psd_string *out = UNTOUCHED(psd_string);
  CHECK(psd_sign_proof("", 0, PSD_PLATFORM_TIKTOK, ARG("_000abc"), ARG("jane"), ARG("s"), 1, &out) ==
        PSD_RESULT_EMPTY_SECRET);
  CHECK(psd_sign_proof(ARG(SECRET), PSD_PLATFORM_NONE, ARG("_000abc"), ARG("jane"), ARG("s"), 1, &out) ==
        PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_sign_proof(ARG(SECRET), PSD_PLATFORM_TIKTOK, ARG("_000abc"), ARG("jane"), ARG("s"), 1, NULL) ==
        PSD_RESULT_NULL_PARAMETER);
  CHECK(out == UNTOUCHED(psd_string));
  char text[512];
  CHECK(strstr(take_string(signed_query("jane", 1717000000), text, sizeof text),
               "sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14") != NULL);

  psd_string *first = NULL, *second = NULL;
  CHECK(psd_generate_state(&first) == PSD_RESULT_OK && psd_generate_state(&second) == PSD_RESULT_OK);
  psd_str a = {NULL, 0}, b = {NULL, 0};
  CHECK(psd_string_view(first, &a) == PSD_RESULT_OK && psd_string_view(second, &b) == PSD_RESULT_OK);
  CHECK(a.len == 43 && b.len == 43 && memcmp(a.data, b.data, 43) != 0);
  CHECK(memchr(a.data, '&', a.len) == NULL && memchr(a.data, '=', a.len) == NULL &&
        memchr(a.data, '+', a.len) == NULL);
  CHECK(psd_generate_state(NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_string_view(NULL, &a) == PSD_RESULT_NULL_PARAMETER);
  psd_string_free(first);
  psd_string_free(second);
}

static void test_client_without_network(void) {
  psd_client *client = UNTOUCHED(psd_client);
  psd_string *message = NULL;
  char text[512];
  CHECK(psd_client_new("", 0, NULL, 0, PSD_DEFAULT_TIMEOUT_MS, PSD_DEFAULT_MAX_RETRIES, &client, &message) ==
        PSD_RESULT_EMPTY_API_KEY);
  CHECK(strstr(take_string(message, text, sizeof text), "API key") != NULL);
  message = NULL;
  CHECK(psd_client_new(ARG("ps_test_api_key_0001"), ARG("ftp://example.com/api"), PSD_DEFAULT_TIMEOUT_MS,
                       PSD_DEFAULT_MAX_RETRIES, &client, &message) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(strstr(take_string(message, text, sizeof text), "ps_test_api_key_0001") == NULL);
  CHECK(psd_client_new(ARG("ps_test_api_key_0001"), NULL, 0, PSD_DEFAULT_TIMEOUT_MS, PSD_DEFAULT_MAX_RETRIES, NULL,
                       NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(client == UNTOUCHED(psd_client));

  /* A zero or negative timeout and negative retries are refused, never read as "the default". */
  static const struct {
    int64_t timeout_ms;
    int32_t max_retries;
    const char *named;
  } refused[] = {{0, PSD_DEFAULT_MAX_RETRIES, "timeout"},
                 {-1, PSD_DEFAULT_MAX_RETRIES, "timeout"},
                 {INT64_MIN, PSD_DEFAULT_MAX_RETRIES, "timeout"},
                 {PSD_DEFAULT_TIMEOUT_MS, -1, "max_retries"},
                 {PSD_DEFAULT_TIMEOUT_MS, INT32_MIN, "max_retries"}};
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    message = UNTOUCHED(psd_string);
    CHECK(psd_client_new(ARG("ps_test_api_key_0001"), NULL, 0, refused[i].timeout_ms, refused[i].max_retries,
                         &client, &message) == PSD_RESULT_INVALID_ARGUMENT);
    CHECK(client == UNTOUCHED(psd_client) && message != UNTOUCHED(psd_string));
    take_string(message, text, sizeof text);
    CHECK(strstr(text, refused[i].named) != NULL && strstr(text, "ps_test_api_key_0001") == NULL);
  }
  /* The defaults themselves are accepted. */
  psd_client *defaults = NULL;
  CHECK(psd_client_new(ARG("ps_test_api_key_0001"), NULL, 0, PSD_DEFAULT_TIMEOUT_MS, PSD_DEFAULT_MAX_RETRIES,
                       &defaults, NULL) == PSD_RESULT_OK &&
        defaults != NULL);
  psd_client_free(defaults);

  /* Port 1 on loopback refuses connections: a transport error, without retries. */
  CHECK(psd_client_new(ARG("ps_test_api_key_0001"), ARG("http://127.0.0.1:1/api"), 2000, 0, &client, NULL) ==
        PSD_RESULT_OK);
  psd_session *session = UNTOUCHED(psd_session);
  psd_api_error *error = NULL;
  CHECK(psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG("https://app.example/cb"), NULL, 0, &session,
                                  &error) == PSD_RESULT_TRANSPORT);
  psd_str kind = {NULL, 0};
  uint16_t status = 1;
  CHECK(psd_api_error_kind(error, &kind) == PSD_RESULT_OK && str_is(kind, "transport"));
  CHECK(psd_api_error_status(error, &status) == PSD_RESULT_OK && status == 0);
  psd_api_error_free(error);

  /* Refused locally, before anything is sent. */
  error = NULL;
  CHECK(psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG("/relative/cb"), NULL, 0, &session, &error) ==
        PSD_RESULT_INVALID_REQUEST);
  size_t count = 1;
  psd_str field = {NULL, 0}, field_message = {NULL, 0};
  CHECK(psd_api_error_kind(error, &kind) == PSD_RESULT_OK && str_is(kind, "invalid_request"));
  CHECK(psd_api_error_field_error_count(error, &count) == PSD_RESULT_OK && count == 0);
  CHECK(psd_api_error_field_error(error, 0, &field, &field_message) == PSD_RESULT_OUT_OF_RANGE);
  CHECK(psd_api_error_message(error, NULL) == PSD_RESULT_NULL_PARAMETER);
  psd_api_error_free(error);
  CHECK(psd_client_create_session(client, PSD_PLATFORM_NONE, ARG("https://app.example/cb"), NULL, 0, &session,
                                  NULL) == PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_client_create_session(NULL, PSD_PLATFORM_TIKTOK, ARG("https://app.example/cb"), NULL, 0, &session,
                                  NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(session == UNTOUCHED(psd_session));
  psd_client_free(client);
}

static void test_free_accepts_null(void) {
  psd_verifier_free(NULL);
  psd_proof_free(NULL);
  psd_verify_error_free(NULL);
  psd_client_free(NULL);
  psd_session_free(NULL);
  psd_api_error_free(NULL);
  psd_string_free(NULL);
  CHECK(true);
}

#if defined(PSD_TEST_PANIC)
/* A panic inside Rust comes back as PSD_RESULT_PANIC (psd_test_panic exists in builds with the
 * test-panic feature; scripts/test-c defines PSD_TEST_PANIC): the process lives on, and the
 * library goes on working, on this thread and for the vectors and the flow that follow. */
static void test_panic_is_an_error(void) {
  fprintf(stderr, "(two panic messages from psd_test_panic follow: expected)\n");
  CHECK(psd_test_panic() == PSD_RESULT_PANIC);
  CHECK(psd_test_panic() == PSD_RESULT_PANIC); /* again: nothing was left poisoned */
  CHECK(str_is(psd_result_name(PSD_RESULT_PANIC), "panic"));

  psd_str one[] = {{ARG(SECRET)}};
  psd_verifier *verifier = NULL;
  CHECK(psd_verifier_new(one, 1, 0, &DEFAULT_LIFETIME, &verifier, NULL) == PSD_RESULT_OK);
  psd_string *owned = signed_query("jane", 1717000000);
  psd_str query = {NULL, 0};
  CHECK(psd_string_view(owned, &query) == PSD_RESULT_OK);
  const int64_t now = 1716999940;
  psd_proof *proof = NULL;
  CHECK(psd_verifier_verify(verifier, query.data, query.len, ARG("a1b2c3d4"), PSD_PLATFORM_TIKTOK, &now, &proof,
                            NULL) == PSD_RESULT_OK);
  psd_str platform_id = {NULL, 0};
  CHECK(psd_proof_platform_id(proof, &platform_id) == PSD_RESULT_OK && str_is(platform_id, "_000abc"));
  psd_proof_free(proof);
  psd_string_free(owned);
  psd_verifier_free(verifier);
}
#endif

void test_api_contract(void) {
  test_result_names();
  test_platforms();
  test_version();
  test_verifier_configuration();
  test_no_max_lifetime();
  test_verify_arguments();
  test_signing_and_states();
  test_client_without_network();
  test_free_accepts_null();
#if defined(PSD_TEST_PANIC)
  test_panic_is_an_error();
#endif
}
