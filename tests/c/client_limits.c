/* The client's time limits and settings through the C API, against the running emulator:
 * the timeout is a deadline for the whole call (a Retry-After past it is not waited for);
 * psd_client_create_session_within bounds one call by the caller's own deadline, and a
 * psd_cancel_token ends it from another thread; psd_client_builder sets what
 * psd_client_new cannot (backoffs, the cap on Retry-After, root certificates). Time bounds
 * are generous: they tell a deadline from none, not exact timings. */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "http.h"

static const char *emulator_url;
static char base_url[512];
static const char *const callback = "https://app.example/callback";

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A fresh API key from the control API with these faults; "" on failure. */
static const char *fresh_key(const char *faults_json, char *key, size_t key_len) {
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

/* How many sessions requests the emulator saw with key; -1 when it could not say. */
static long session_requests(const char *key) {
  char url[600];
  http_response response;
  snprintf(url, sizeof url, "%s/emulator/api-keys/%s/stats", emulator_url, key);
  const char *field = "\"session_requests\":";
  const char *at = NULL;
  if (!http_request("GET", url, NULL, &response) || response.status != 200 ||
      (at = strstr(response.body, field)) == NULL) {
    return -1;
  }
  return strtol(at + strlen(field), NULL, 10);
}

/* A client for key from a builder with this timeout and Retry-After cap (ms). */
static psd_client *built_client(const char *key, int64_t timeout_ms, int64_t max_retry_after_ms) {
  psd_client_builder *builder = NULL;
  psd_client *client = NULL;
  CHECK(psd_client_builder_new(ARG(key), &builder) == PSD_RESULT_OK);
  CHECK(psd_client_builder_set_base_url(builder, ARG(base_url)) == PSD_RESULT_OK);
  CHECK(psd_client_builder_set_timeout_ms(builder, timeout_ms) == PSD_RESULT_OK);
  CHECK(psd_client_builder_set_max_retry_after_ms(builder, max_retry_after_ms) == PSD_RESULT_OK);
  CHECK(psd_client_builder_set_backoff_ms(builder, 10, 50) == PSD_RESULT_OK);
  CHECK(psd_client_builder_build(builder, &client, NULL) == PSD_RESULT_OK);
  psd_client_builder_free(builder);
  return client;
}

/* The timeout bounds the whole call: 429 with Retry-After 5 against a 2 s timeout is
 * rate_limited at once (before: 10 s, the two 5 s waits on top of the attempts). */
static void test_timeout_is_a_deadline(void) {
  char key[128];
  fresh_key("{\"rate_limit_first\":5,\"retry_after\":5}", key, sizeof key);
  psd_client *client = NULL;
  CHECK(psd_client_new(ARG(key), ARG(base_url), 2000, PSD_DEFAULT_MAX_RETRIES, &client, NULL) == PSD_RESULT_OK);
  psd_session *session = NULL;
  psd_api_error *error = NULL;
  double started = now_seconds();
  psd_result result =
      psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, &session, &error);
  double took = now_seconds() - started;
  int64_t retry_after_ms = 0;
  CHECK(result == PSD_RESULT_RATE_LIMITED && session == NULL);
  CHECK(psd_api_error_retry_after_ms(error, &retry_after_ms) == PSD_RESULT_OK && retry_after_ms == 5000);
  CHECK(took < 2.5);
  CHECK(session_requests(key) == 1);
  psd_api_error_free(error);
  psd_client_free(client);
}

/* The builder's cap on Retry-After: a 3 s wait beyond a 1 s cap returns at once, within a
 * long timeout; a wait within the cap is taken. */
static void test_builder_retry_after_cap(void) {
  char key[128];
  fresh_key("{\"rate_limit_first\":5,\"retry_after\":3}", key, sizeof key);
  psd_client *client = built_client(key, 30000, 1000);
  psd_session *session = NULL;
  psd_api_error *error = NULL;
  double started = now_seconds();
  CHECK(psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, &session, &error) ==
        PSD_RESULT_RATE_LIMITED);
  CHECK(now_seconds() - started < 2.0);
  CHECK(session_requests(key) == 1);
  psd_api_error_free(error);
  psd_client_free(client);

  fresh_key("{\"rate_limit_first\":1,\"retry_after\":1}", key, sizeof key);
  client = built_client(key, 30000, 1000);
  session = NULL;
  CHECK(psd_client_create_session(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, &session, NULL) ==
        PSD_RESULT_OK);
  CHECK(session_requests(key) == 2);
  psd_session_free(session);
  psd_client_free(client);
}

/* The builder refuses what the core refuses, naming the setting; outputs untouched. */
static void test_builder_refusals(void) {
  static const struct {
    int64_t timeout_ms, initial_ms, max_ms, retry_after_ms;
    int32_t max_retries;
    const char *named;
  } refused[] = {
      {0, 200, 5000, 30000, 2, "timeout"},
      {-1, 200, 5000, 30000, 2, "timeout_ms"},
      {10000, -1, 5000, 30000, 2, "initial_backoff_ms"},
      {10000, 200, INT64_MIN, 30000, 2, "max_backoff_ms"},
      {10000, 200, 5000, -5, 2, "max_retry_after_ms"},
      {10000, 200, 5000, 30000, -1, "max_retries"},
      {10000, 200, 5000, 30000, 11, "max_retries"},
  };
  for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
    psd_client_builder *builder = NULL;
    CHECK(psd_client_builder_new(ARG("ps_test_api_key_0001"), &builder) == PSD_RESULT_OK);
    CHECK(psd_client_builder_set_base_url(builder, ARG(base_url)) == PSD_RESULT_OK);
    CHECK(psd_client_builder_set_timeout_ms(builder, refused[i].timeout_ms) == PSD_RESULT_OK);
    CHECK(psd_client_builder_set_backoff_ms(builder, refused[i].initial_ms, refused[i].max_ms) == PSD_RESULT_OK);
    CHECK(psd_client_builder_set_max_retry_after_ms(builder, refused[i].retry_after_ms) == PSD_RESULT_OK);
    CHECK(psd_client_builder_set_max_retries(builder, refused[i].max_retries) == PSD_RESULT_OK);
    psd_client *client = (psd_client *)&refused; /* must stay untouched */
    psd_string *message = NULL;
    char text[512];
    CHECK(psd_client_builder_build(builder, &client, &message) == PSD_RESULT_INVALID_ARGUMENT);
    CHECK(client == (psd_client *)&refused);
    check_record(message != NULL && strstr(take_string(message, text, sizeof text), refused[i].named) != NULL,
                 refused[i].named, __FILE__, __LINE__);
    psd_client_builder_free(builder);
  }

  psd_client_builder *builder = NULL;
  psd_client *client = NULL;
  psd_string *message = NULL;
  char text[512];
  CHECK(psd_client_builder_new(NULL, 0, &builder) == PSD_RESULT_OK);
  CHECK(psd_client_builder_build(builder, &client, NULL) == PSD_RESULT_EMPTY_API_KEY && client == NULL);
  psd_client_builder_free(builder);
  CHECK(psd_client_builder_new(ARG("ps_test_api_key_0001"), &builder) == PSD_RESULT_OK);
  CHECK(psd_client_builder_add_root_certificate_pem(builder, ARG("not a certificate")) == PSD_RESULT_OK);
  CHECK(psd_client_builder_build(builder, &client, &message) == PSD_RESULT_INVALID_ARGUMENT && client == NULL);
  CHECK(message != NULL && strstr(take_string(message, text, sizeof text), "root_certificate_pem") != NULL);
  psd_client_builder_free(builder);

  CHECK(psd_client_builder_new(ARG("k"), NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_client_builder_set_timeout_ms(NULL, 1000) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_client_builder_set_base_url(NULL, NULL, 0) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_client_builder_build(NULL, &client, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_cancel_token_new(NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_cancel_token_cancel(NULL) == PSD_RESULT_NULL_PARAMETER);
  psd_client_builder_free(NULL);
  psd_cancel_token_free(NULL);
}

/* A per-call time limit shorter than the client's timeout ends the call by then. */
static void test_call_time_limit(void) {
  char key[128];
  fresh_key("{\"latency_ms\":5000}", key, sizeof key);
  psd_client *client = built_client(key, 30000, PSD_DEFAULT_MAX_RETRY_AFTER_MS);
  psd_session *session = NULL;
  psd_api_error *error = NULL;
  const int64_t limit_ms = 500;
  double started = now_seconds();
  CHECK(psd_client_create_session_within(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, &limit_ms, NULL,
                                         &session, &error) == PSD_RESULT_TIMEOUT);
  CHECK(now_seconds() - started < 2.0);
  psd_str message = {NULL, 0};
  CHECK(psd_api_error_message(error, &message) == PSD_RESULT_OK && str_contains(message, "time limit"));
  psd_api_error_free(error);

  /* Zero and negative limits are refused, nothing is sent; NULL means the client's timeout. */
  const int64_t zero = 0, negative = -1;
  error = NULL;
  CHECK(psd_client_create_session_within(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, &zero, NULL,
                                         &session, &error) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(psd_client_create_session_within(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, &negative, NULL,
                                         &session, &error) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(session == NULL && error == NULL);
  CHECK(session_requests(key) == 1);
  psd_client_free(client);

  fresh_key("{}", key, sizeof key);
  client = built_client(key, 30000, PSD_DEFAULT_MAX_RETRY_AFTER_MS);
  CHECK(psd_client_create_session_within(client, PSD_PLATFORM_TIKTOK, ARG(callback), ARG("a1b2c3d4"), NULL, NULL,
                                         &session, NULL) == PSD_RESULT_OK);
  psd_str state = {NULL, 0};
  CHECK(psd_session_state(session, &state) == PSD_RESULT_OK && str_is(state, "a1b2c3d4"));
  psd_session_free(session);
  psd_client_free(client);
}

static void *cancel_soon(void *token) {
  struct timespec pause = {0, 300 * 1000 * 1000};
  nanosleep(&pause, NULL);
  psd_cancel_token_cancel(token);
  return NULL;
}

/* A cancel token ends a running call from another thread; an already cancelled one fails
 * the call before anything is sent. */
static void test_cancel_token(void) {
  char key[128];
  fresh_key("{\"latency_ms\":5000}", key, sizeof key);
  psd_client *client = built_client(key, 30000, PSD_DEFAULT_MAX_RETRY_AFTER_MS);
  psd_cancel_token *token = NULL;
  CHECK(psd_cancel_token_new(&token) == PSD_RESULT_OK);
  pthread_t canceller;
  CHECK(pthread_create(&canceller, NULL, cancel_soon, token) == 0);
  psd_session *session = NULL;
  psd_api_error *error = NULL;
  double started = now_seconds();
  CHECK(psd_client_create_session_within(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, NULL, token,
                                         &session, &error) == PSD_RESULT_TIMEOUT);
  CHECK(now_seconds() - started < 2.0);
  pthread_join(canceller, NULL);
  psd_str message = {NULL, 0};
  CHECK(psd_api_error_message(error, &message) == PSD_RESULT_OK && str_contains(message, "cancelled"));
  psd_api_error_free(error);
  CHECK(session_requests(key) == 1);

  /* Cancelled already (cancelling twice is harmless): nothing is sent. */
  CHECK(psd_cancel_token_cancel(token) == PSD_RESULT_OK);
  error = NULL;
  CHECK(psd_client_create_session_within(client, PSD_PLATFORM_TIKTOK, ARG(callback), NULL, 0, NULL, token,
                                         &session, &error) == PSD_RESULT_TIMEOUT);
  CHECK(session == NULL && error != NULL);
  psd_api_error_free(error);
  CHECK(session_requests(key) == 1);
  psd_cancel_token_free(token);
  psd_client_free(client);
}

void test_client_limits(void) {
  emulator_url = getenv("PSD_EMULATOR_URL");
  CHECK(emulator_url != NULL);
  if (emulator_url == NULL) {
    return;
  }
  snprintf(base_url, sizeof base_url, "%s/api", emulator_url);
  test_timeout_is_a_deadline();
  test_builder_retry_after_cap();
  test_builder_refusals();
  test_call_time_limit();
  test_cancel_token();
}
