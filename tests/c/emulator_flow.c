/* The whole flow against the running emulator: create a session, approve or deny it as the
 * browser would (a raw HTTP GET), verify the callback; faulty proofs; every API error kind
 * the emulator can produce; retries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "http.h"

static const char *emulator_url;
static const char *signing_secret;
static char base_url[512];

static psd_client *client_for(const char *api_key, int64_t timeout_ms, int32_t max_retries) {
  psd_client *client = NULL;
  CHECK(psd_client_new(ARG(api_key), ARG(base_url), timeout_ms, max_retries, &client, NULL) == PSD_RESULT_OK);
  return client;
}

/* A fresh API key from the control API with these faults; "" on failure. */
static const char *key_with_faults(const char *faults_json, char *key, size_t key_len) {
  char url[600];
  http_response response;
  snprintf(url, sizeof url, "%s/emulator/api-keys", emulator_url);
  key[0] = '\0';
  const char *field = "\"api_key\":\"";
  const char *start = NULL;
  if (http_request("POST", url, faults_json, &response) && response.status == 201 &&
      (start = strstr(response.body, field)) != NULL) {
    start += strlen(field);
    size_t len = strcspn(start, "\"");
    if (len < key_len) {
      memcpy(key, start, len);
      key[len] = '\0';
    }
  }
  CHECK(key[0] != '\0');
  return key;
}

/* Sends the browser through the consent page with `decision`; the callback URL it was
 * redirected to goes to callback (NUL-terminated). Returns the HTTP status. */
static int decide(const psd_session *session, const char *decision, char *callback, size_t callback_len) {
  psd_str authorize_url = {NULL, 0};
  CHECK(psd_session_authorize_url(session, &authorize_url) == PSD_RESULT_OK);
  char url[HTTP_TEXT_MAX];
  snprintf(url, sizeof url, "%.*s&decision=%s", (int)authorize_url.len, authorize_url.data, decision);
  http_response response;
  CHECK(http_request("GET", url, NULL, &response));
  snprintf(callback, callback_len, "%s", response.location);
  return response.status;
}

static psd_result verify_callback(const char *callback, const psd_session *session, psd_proof **proof,
                                  psd_verify_error **error) {
  psd_str one[] = {{ARG(signing_secret)}};
  psd_verifier *verifier = NULL;
  const int64_t max_lifetime = PSD_DEFAULT_MAX_LIFETIME_SECONDS;
  CHECK(psd_verifier_new(one, 1, PSD_DEFAULT_LEEWAY_SECONDS, &max_lifetime, &verifier, NULL) == PSD_RESULT_OK);
  psd_str state = {NULL, 0};
  psd_platform platform = PSD_PLATFORM_NONE;
  CHECK(psd_session_state(session, &state) == PSD_RESULT_OK);
  CHECK(psd_session_platform(session, &platform) == PSD_RESULT_OK);
  psd_result result = psd_verifier_verify(verifier, ARG(callback), state.data, state.len, platform, NULL, proof, error);
  psd_verifier_free(verifier);
  return result;
}

static psd_session *create_session(const psd_client *client, const char *state) {
  psd_session *session = NULL;
  psd_api_error *error = NULL;
  psd_result result = psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG("https://app.example/callback"),
                                                state, state != NULL ? strlen(state) : 0, &session, &error);
  CHECK(result == PSD_RESULT_OK);
  if (error != NULL) {
    psd_str message = {NULL, 0};
    psd_api_error_message(error, &message);
    fprintf(stderr, "create_session: %.*s\n", (int)message.len, message.data);
    psd_api_error_free(error);
  }
  return session;
}

static void test_approve_and_verify(const psd_client *client) {
  psd_session *session = create_session(client, NULL);
  if (session == NULL) {
    return;
  }
  char prefix[600];
  snprintf(prefix, sizeof prefix, "%s/oauth/delegate?request=psd_", emulator_url);
  psd_str url = {NULL, 0}, state = {NULL, 0}, callback_url = {NULL, 0};
  int64_t expires_in = 0, expires_at = 0;
  psd_platform platform = PSD_PLATFORM_NONE;
  CHECK(psd_session_authorize_url(session, &url) == PSD_RESULT_OK && url.len > strlen(prefix) &&
        memcmp(url.data, prefix, strlen(prefix)) == 0);
  CHECK(psd_session_expires_in(session, &expires_in) == PSD_RESULT_OK && expires_in == 900);
  CHECK(psd_session_expires_at(session, &expires_at) == PSD_RESULT_OK && expires_at >= (int64_t)time(NULL) + 890);
  CHECK(psd_session_state(session, &state) == PSD_RESULT_OK && state.len == 43);
  CHECK(psd_session_callback_url(session, &callback_url) == PSD_RESULT_OK &&
        str_is(callback_url, "https://app.example/callback"));
  CHECK(psd_session_platform(session, &platform) == PSD_RESULT_OK && platform == PSD_PLATFORM_TIKTOK);
  /* All fields in one read agree with the per-field getters, down to the borrowed bytes. */
  psd_session_fields fields;
  CHECK(psd_session_view(session, &fields) == PSD_RESULT_OK);
  CHECK(fields.authorize_url.data == url.data && str_eq(fields.authorize_url, url));
  CHECK(fields.expires_in == expires_in && fields.expires_at == expires_at);
  CHECK(fields.state.data == state.data && str_eq(fields.state, state));
  CHECK(fields.platform == platform);
  CHECK(fields.callback_url.data == callback_url.data && str_eq(fields.callback_url, callback_url));
  CHECK(psd_session_view(session, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_session_view(NULL, &fields) == PSD_RESULT_NULL_PARAMETER);

  char callback[HTTP_TEXT_MAX];
  CHECK(decide(session, "approve", callback, sizeof callback) == 303);
  psd_proof *proof = NULL;
  CHECK(verify_callback(callback, session, &proof, NULL) == PSD_RESULT_OK);
  psd_str platform_id = {NULL, 0}, handle = {NULL, 0};
  CHECK(psd_proof_platform_id(proof, &platform_id) == PSD_RESULT_OK && str_is(platform_id, "_000abc"));
  CHECK(psd_proof_handle(proof, &handle) == PSD_RESULT_OK && str_is(handle, "jane"));
  psd_proof_free(proof);

  /* The authorize URL is single-use. */
  CHECK(decide(session, "approve", callback, sizeof callback) == 410);
  psd_session_free(session);
}

static void test_deny(const psd_client *client) {
  psd_session *session = create_session(client, "c_flow_given_state");
  if (session == NULL) {
    return;
  }
  psd_str state = {NULL, 0};
  CHECK(psd_session_state(session, &state) == PSD_RESULT_OK && str_is(state, "c_flow_given_state"));
  char callback[HTTP_TEXT_MAX];
  CHECK(decide(session, "deny", callback, sizeof callback) == 303);
  psd_proof *proof = NULL;
  psd_verify_error *error = NULL;
  CHECK(verify_callback(callback, session, &proof, &error) == PSD_RESULT_AUTHORIZATION_DENIED);
  psd_str code = {NULL, 0};
  CHECK(psd_verify_error_code(error, &code) == PSD_RESULT_OK && str_is(code, "access_denied"));
  psd_verify_error_fields fields;
  CHECK(psd_verify_error_view(error, &fields) == PSD_RESULT_OK && str_is(fields.code, "access_denied") &&
        str_is(fields.kind, "authorization_denied") && fields.message.len > 0);
  psd_verify_error_free(error);
  psd_session_free(session);
}

static void test_proof_faults(void) {
  static const struct {
    const char *fault;
    psd_result expected;
  } faults[] = {{"bad_signature", PSD_RESULT_BAD_SIGNATURE},
                {"expired", PSD_RESULT_EXPIRED},
                {"wrong_state", PSD_RESULT_STATE_MISMATCH},
                {"duplicate_parameter", PSD_RESULT_DUPLICATE_PARAMETER}};
  for (size_t i = 0; i < sizeof faults / sizeof faults[0]; i++) {
    char body[128], key[128], callback[HTTP_TEXT_MAX];
    snprintf(body, sizeof body, "{\"proof_fault\":\"%s\"}", faults[i].fault);
    psd_client *client = client_for(key_with_faults(body, key, sizeof key), PSD_DEFAULT_TIMEOUT_MS, 0);
    psd_session *session = create_session(client, NULL);
    if (session != NULL) {
      CHECK(decide(session, "approve", callback, sizeof callback) == 303);
      psd_proof *proof = NULL;
      psd_result result = verify_callback(callback, session, &proof, NULL);
      check_record(result == faults[i].expected, faults[i].fault, __FILE__, __LINE__);
      psd_session_free(session);
    }
    psd_client_free(client);
  }
}

static void test_api_errors(void) {
  static const struct {
    const char *faults; /* NULL: an API key the emulator does not know */
    int64_t timeout_ms;
    psd_result expected;
    uint16_t status;
  } cases[] = {
      {NULL, PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_UNAUTHENTICATED, 401},
      {"{\"status\":403}", PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_FORBIDDEN, 403},
      {"{\"status\":404}", PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_NOT_FOUND, 404},
      {"{\"status\":422}", PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_VALIDATION, 422},
      {"{\"rate_limit_first\":5,\"retry_after\":7}", PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_RATE_LIMITED, 429},
      {"{\"fail_first\":5,\"fail_status\":503}", PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_SERVER, 503},
      {"{\"malformed_json\":true}", PSD_DEFAULT_TIMEOUT_MS, PSD_RESULT_INVALID_RESPONSE, 200},
      {"{\"latency_ms\":3000}", 300, PSD_RESULT_TIMEOUT, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    char key[128] = "ps_test_unknown_key";
    if (cases[i].faults != NULL) {
      key_with_faults(cases[i].faults, key, sizeof key);
    }
    psd_client *client = client_for(key, cases[i].timeout_ms, 0);
    psd_session *session = NULL;
    psd_api_error *error = NULL;
    psd_result result = psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG("https://app.example/callback"),
                                                  NULL, 0, &session, &error);
    psd_str kind = {NULL, 0}, message = {NULL, 0};
    uint16_t status = 1;
    bool as_expected = result == cases[i].expected && session == NULL &&
                       psd_api_error_kind(error, &kind) == PSD_RESULT_OK && str_eq(kind, psd_result_name(result)) &&
                       psd_api_error_status(error, &status) == PSD_RESULT_OK && status == cases[i].status &&
                       psd_api_error_message(error, &message) == PSD_RESULT_OK && message.len > 0 &&
                       !str_contains(message, key);
    check_record(as_expected, psd_result_name(cases[i].expected).data, __FILE__, __LINE__);

    if (result == PSD_RESULT_RATE_LIMITED) {
      int64_t retry_after_ms = 0;
      CHECK(psd_api_error_retry_after_ms(error, &retry_after_ms) == PSD_RESULT_OK && retry_after_ms == 7000);
    }
    if (result == PSD_RESULT_VALIDATION) {
      size_t count = 0;
      psd_str field = {NULL, 0}, field_message = {NULL, 0};
      CHECK(psd_api_error_field_error_count(error, &count) == PSD_RESULT_OK && count > 0);
      CHECK(psd_api_error_field_error(error, 0, &field, &field_message) == PSD_RESULT_OK && field.len > 0 &&
            field_message.len > 0);
      CHECK(psd_api_error_field_error(error, count, &field, &field_message) == PSD_RESULT_OUT_OF_RANGE);
    }
    psd_api_error_free(error);
    psd_client_free(client);
  }
}

static void test_retries(void) {
  char key[128], url[600];
  key_with_faults("{\"fail_first\":2,\"fail_status\":503}", key, sizeof key);
  psd_client *client = client_for(key, PSD_DEFAULT_TIMEOUT_MS, 2);
  psd_session *session = create_session(client, NULL);
  psd_session_free(session);
  psd_client_free(client);
  http_response response;
  snprintf(url, sizeof url, "%s/emulator/api-keys/%s/stats", emulator_url, key);
  CHECK(http_request("GET", url, NULL, &response) && response.status == 200);
  CHECK(strstr(response.body, "\"session_requests\":3") != NULL);
}

void test_emulator_flow(void) {
  emulator_url = getenv("PSD_EMULATOR_URL");
  const char *api_key = getenv("PSD_API_KEY");
  signing_secret = getenv("PSD_SIGNING_SECRET");
  CHECK(emulator_url != NULL && api_key != NULL && signing_secret != NULL);
  if (emulator_url == NULL || api_key == NULL || signing_secret == NULL) {
    fprintf(stderr, "emulator: PSD_EMULATOR_URL, PSD_API_KEY, PSD_SIGNING_SECRET are not set\n");
    return;
  }
  snprintf(base_url, sizeof base_url, "%s/api", emulator_url);
  psd_client *client = client_for(api_key, PSD_DEFAULT_TIMEOUT_MS, PSD_DEFAULT_MAX_RETRIES);
  test_approve_and_verify(client);
  test_deny(client);
  psd_client_free(client);
  test_proof_faults();
  test_api_errors();
  test_retries();
}
