/* The flow (psd_flow_begin / psd_flow_complete, protocol.md §5) against the running emulator,
 * on each store: in memory, a real redis-server (PSD_REDIS_URL, from scripts/lib/redis.sh),
 * and an application store written here in C (a mutex-guarded table, taking once): replays,
 * another subject, a forged signature, a denial, threads racing to complete one callback,
 * failing stores. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "http.h"

static const char *emulator_url;
static const char *api_key;
static const char *signing_secret;
static char base_url[512];

static const char *CALLBACK_URL = "https://app.example/callback";

/* ---- the flow's objects ---- */

static psd_flow *flow_over(psd_store *store) {
  psd_client *client = NULL;
  psd_verifier *verifier = NULL;
  psd_flow *flow = NULL;
  psd_str secrets[] = {{ARG(signing_secret)}};
  const int64_t max_lifetime = PSD_DEFAULT_MAX_LIFETIME_SECONDS;
  CHECK(psd_client_new(ARG(api_key), ARG(base_url), PSD_DEFAULT_TIMEOUT_MS, 0, &client, NULL) == PSD_RESULT_OK);
  CHECK(psd_verifier_new(secrets, 1, PSD_DEFAULT_LEEWAY_SECONDS, &max_lifetime, &verifier, NULL) == PSD_RESULT_OK);
  CHECK(psd_flow_new(client, verifier, store, NULL, &flow) == PSD_RESULT_OK);
  /* The flow keeps its own references: the caller's may go at once. */
  psd_client_free(client);
  psd_verifier_free(verifier);
  psd_store_free(store);
  return flow;
}

/* Begins a flow for subject; NULL (and a failed check) when it fails. */
static psd_begun *begin(const psd_flow *flow, const char *subject, const char *metadata) {
  psd_begun *begun = NULL;
  psd_flow_error *error = NULL;
  psd_result result = psd_flow_begin(flow, PSD_PLATFORM_TIKTOK, ARG(CALLBACK_URL), ARG(subject), metadata,
                                     metadata != NULL ? strlen(metadata) : 0, &begun, &error);
  CHECK(result == PSD_RESULT_OK && begun != NULL && error == NULL);
  if (error != NULL) {
    psd_flow_error_fields fields;
    psd_flow_error_view(error, &fields);
    fprintf(stderr, "begin: %.*s: %.*s\n", (int)fields.kind.len, fields.kind.data, (int)fields.message.len,
            fields.message.data);
    psd_flow_error_free(error);
  }
  return begun;
}

/* The browser through the consent page with `decision`: the callback URL it is sent to. */
static void decide(const psd_begun *begun, const char *decision, char *callback, size_t callback_len) {
  psd_begun_fields fields;
  CHECK(psd_begun_view(begun, &fields) == PSD_RESULT_OK);
  char url[HTTP_TEXT_MAX];
  snprintf(url, sizeof url, "%.*s&decision=%s", (int)fields.authorize_url.len, fields.authorize_url.data, decision);
  http_response response;
  CHECK(http_request("GET", url, NULL, &response) && response.status == 303);
  snprintf(callback, callback_len, "%s", response.location);
}

/* Completes and checks the result and the error's kind word; frees what it got. */
static void complete_expecting(const psd_flow *flow, const char *callback, const char *subject, psd_result expected,
                               int line) {
  psd_completed *completed = NULL;
  psd_flow_error *error = NULL;
  psd_result result = psd_flow_complete(flow, ARG(callback), ARG(subject), &completed, &error);
  psd_flow_error_fields fields;
  bool ok = result == expected && completed == NULL && error != NULL &&
            psd_flow_error_view(error, &fields) == PSD_RESULT_OK && str_eq(fields.kind, psd_result_name(result)) &&
            fields.message.len > 0 && (strlen(subject) < 8 || !str_contains(fields.message, subject)) &&
            !str_contains(fields.message, signing_secret);
  /* A psd_str is not NUL-terminated: print it with its length. */
  psd_str name = psd_result_name(expected);
  char what[96];
  snprintf(what, sizeof what, "complete gives %.*s", (int)name.len, name.data);
  check_record(ok, what, __FILE__, line);
  if (ok && expected >= PSD_RESULT_AUTHORIZATION_DENIED && expected <= PSD_RESULT_EXPIRY_TOO_FAR) {
    psd_str kind = {NULL, 0};
    CHECK(fields.verify_error != NULL && fields.api_error == NULL);
    CHECK(psd_verify_error_kind(fields.verify_error, &kind) == PSD_RESULT_OK && str_eq(kind, fields.kind));
  } else if (ok) {
    CHECK(fields.verify_error == NULL && fields.api_error == NULL);
  }
  psd_completed_free(completed);
  psd_flow_error_free(error);
}

/* begin → approve → complete (with metadata) → the same callback again → another subject →
 * a tampered signature spends the state → a denial. */
static void run_flow(const psd_flow *flow, const char *label) {
  fprintf(stderr, "flow on the %s store\n", label);
  char callback[HTTP_TEXT_MAX];
  psd_begun *begun = begin(flow, "session-42", "return_to=/settings");
  if (begun == NULL) {
    return;
  }
  psd_begun_fields begun_fields;
  char prefix[600];
  snprintf(prefix, sizeof prefix, "%s/oauth/delegate?request=psd_", emulator_url);
  CHECK(psd_begun_view(begun, &begun_fields) == PSD_RESULT_OK);
  CHECK(begun_fields.authorize_url.len > strlen(prefix) &&
        memcmp(begun_fields.authorize_url.data, prefix, strlen(prefix)) == 0);
  CHECK(begun_fields.state.len == 43 && begun_fields.expires_in == 900);
  CHECK(psd_begun_view(begun, NULL) == PSD_RESULT_NULL_PARAMETER);
  decide(begun, "approve", callback, sizeof callback);

  psd_completed *completed = NULL;
  psd_flow_error *error = NULL;
  CHECK(psd_flow_complete(flow, ARG(callback), ARG("session-42"), &completed, &error) == PSD_RESULT_OK);
  CHECK(error == NULL);
  psd_completed_fields fields;
  CHECK(psd_completed_view(completed, &fields) == PSD_RESULT_OK);
  CHECK(str_is(fields.metadata, "return_to=/settings"));
  CHECK(fields.proof.platform == PSD_PLATFORM_TIKTOK && str_is(fields.proof.platform_id, "_000abc"));
  CHECK(str_eq(fields.proof.state, begun_fields.state));
  psd_completed_free(completed);
  psd_begun_free(begun);

  /* The record was taken: a replayed (or reloaded) callback finds nothing. */
  complete_expecting(flow, callback, "session-42", PSD_RESULT_STATE_NOT_FOUND, __LINE__);

  /* Begun by one browser, completed by another. */
  begun = begin(flow, "session-attacker", NULL);
  if (begun != NULL) {
    decide(begun, "approve", callback, sizeof callback);
    complete_expecting(flow, callback, "session-victim", PSD_RESULT_SUBJECT_MISMATCH, __LINE__);
    /* The mismatch spent the state: the right subject cannot use it either. */
    complete_expecting(flow, callback, "session-attacker", PSD_RESULT_STATE_NOT_FOUND, __LINE__);
    psd_begun_free(begun);
  }

  /* No metadata comes back absent; a forged signature is refused and spends the state. */
  begun = begin(flow, "session-7", NULL);
  if (begun != NULL) {
    decide(begun, "approve", callback, sizeof callback);
    char forged[HTTP_TEXT_MAX];
    snprintf(forged, sizeof forged, "%s", callback);
    char *sig = strstr(forged, "sig=");
    CHECK(sig != NULL);
    if (sig != NULL) {
      /* Another hex value (hex is read in either case, so 'a' -> 'A' would change nothing). */
      sig[4] = sig[4] == '0' ? '1' : '0';
    }
    complete_expecting(flow, forged, "session-7", PSD_RESULT_BAD_SIGNATURE, __LINE__);
    complete_expecting(flow, callback, "session-7", PSD_RESULT_STATE_NOT_FOUND, __LINE__);
    psd_begun_free(begun);
  }
  begun = begin(flow, "session-8", NULL);
  if (begun != NULL) {
    decide(begun, "approve", callback, sizeof callback);
    completed = NULL;
    CHECK(psd_flow_complete(flow, ARG(callback), ARG("session-8"), &completed, NULL) == PSD_RESULT_OK);
    CHECK(psd_completed_view(completed, &fields) == PSD_RESULT_OK && str_is(fields.metadata, NULL));
    psd_completed_free(completed);
    psd_begun_free(begun);
  }

  /* The user denies: authorization_denied, with the verification error lent whole. */
  begun = begin(flow, "session-9", NULL);
  if (begun != NULL) {
    decide(begun, "deny", callback, sizeof callback);
    complete_expecting(flow, callback, "session-9", PSD_RESULT_AUTHORIZATION_DENIED, __LINE__);
    psd_begun_free(begun);
  }
}

/* Threads completing one callback at once: exactly one gets the proof. */
enum { RACERS = 8 };

typedef struct {
  const psd_flow *flow;
  const char *callback;
  psd_result result;
} racer;

static void *race(void *arg) {
  racer *r = arg;
  psd_completed *completed = NULL;
  r->result = psd_flow_complete(r->flow, ARG(r->callback), ARG("session-race"), &completed, NULL);
  psd_completed_free(completed);
  return NULL;
}

static void run_race(const psd_flow *flow) {
  char callback[HTTP_TEXT_MAX];
  psd_begun *begun = begin(flow, "session-race", NULL);
  if (begun == NULL) {
    return;
  }
  decide(begun, "approve", callback, sizeof callback);
  psd_begun_free(begun);
  pthread_t threads[RACERS];
  racer racers[RACERS];
  int started = 0, succeeded = 0, not_found = 0;
  for (int i = 0; i < RACERS; i++) {
    racers[i] = (racer){flow, callback, PSD_RESULT_PANIC};
    if (pthread_create(&threads[i], NULL, race, &racers[i]) == 0) {
      started++;
    }
  }
  for (int i = 0; i < started; i++) {
    pthread_join(threads[i], NULL);
    succeeded += racers[i].result == PSD_RESULT_OK;
    not_found += racers[i].result == PSD_RESULT_STATE_NOT_FOUND;
  }
  CHECK(started == RACERS && succeeded == 1 && not_found == RACERS - 1);
}

/* ---- an application store in C: a fixed table under a mutex, taking once ---- */

enum { TABLE_SLOTS = 64, KEY_MAX = 80, RECORD_MAX = 8192 };

typedef struct {
  pthread_mutex_t lock;
  bool used[TABLE_SLOTS];
  char keys[TABLE_SLOTS][KEY_MAX];
  char records[TABLE_SLOTS][RECORD_MAX];
  size_t record_lens[TABLE_SLOTS];
  int puts, takes, releases;
  bool fail; /* every call fails, with a message */
} table_store;

static int find_slot(const table_store *table, psd_str key) {
  for (int i = 0; i < TABLE_SLOTS; i++) {
    if (table->used[i] && strlen(table->keys[i]) == key.len && memcmp(table->keys[i], key.data, key.len) == 0) {
      return i;
    }
  }
  return -1;
}

static int32_t table_put(void *user_data, psd_str key, psd_str record, uint64_t ttl_seconds, psd_store_reply *reply) {
  table_store *table = user_data;
  int32_t status = PSD_STORE_FAILED;
  (void)ttl_seconds; /* a table without expiry: the flow refuses records past their expiry */
  pthread_mutex_lock(&table->lock);
  table->puts++;
  if (table->fail) {
    psd_store_reply_error(reply, ARG("the test database is down"));
  } else if (key.len < KEY_MAX && record.len <= RECORD_MAX && find_slot(table, key) < 0) {
    for (int i = 0; i < TABLE_SLOTS; i++) {
      if (!table->used[i]) {
        table->used[i] = true;
        memcpy(table->keys[i], key.data, key.len);
        table->keys[i][key.len] = '\0';
        memcpy(table->records[i], record.data, record.len);
        table->record_lens[i] = record.len;
        status = PSD_STORE_OK;
        break;
      }
    }
  }
  pthread_mutex_unlock(&table->lock);
  return status;
}

static int32_t table_take(void *user_data, psd_str key, psd_store_reply *reply) {
  table_store *table = user_data;
  int32_t status = PSD_STORE_NOT_FOUND;
  pthread_mutex_lock(&table->lock);
  table->takes++;
  int slot = find_slot(table, key);
  if (table->fail) {
    status = PSD_STORE_FAILED;
  } else if (slot >= 0) {
    /* The library copies the record before psd_store_reply_record returns. */
    table->used[slot] = false;
    status = psd_store_reply_record(reply, table->records[slot], table->record_lens[slot]) == PSD_RESULT_OK
                 ? PSD_STORE_OK
                 : PSD_STORE_FAILED;
  }
  pthread_mutex_unlock(&table->lock);
  return status;
}

static void table_release(void *user_data) {
  table_store *table = user_data;
  table->releases++;
}

static void counting_release(void *user_data) { (*(int *)user_data)++; }

/* A take that says "found" without giving the record. */
static int32_t forgetful_take(void *user_data, psd_str key, psd_store_reply *reply) {
  (void)user_data;
  (void)key;
  (void)reply;
  return PSD_STORE_OK;
}

static psd_store *table_store_new(table_store *table) {
  psd_store_callbacks callbacks = {table, table_put, table_take, table_release};
  psd_store *store = NULL;
  CHECK(psd_store_new_callbacks(&callbacks, &store) == PSD_RESULT_OK);
  return store;
}

static void test_application_store(void) {
  table_store *table = calloc(1, sizeof *table);
  if (table == NULL) {
    CHECK(table != NULL);
    return;
  }
  pthread_mutex_init(&table->lock, NULL);
  psd_flow *flow = flow_over(table_store_new(table));
  run_flow(flow, "application (C)");
  CHECK(table->puts == 5 && table->takes >= 6 && table->releases == 0);
  run_race(flow);

  /* The application's store fails: store_unavailable, with its message quoted. */
  table->fail = true;
  psd_begun *begun = NULL;
  psd_flow_error *error = NULL;
  CHECK(psd_flow_begin(flow, PSD_PLATFORM_TIKTOK, ARG(CALLBACK_URL), ARG("session-1"), NULL, 0, &begun, &error) ==
        PSD_RESULT_STORE_UNAVAILABLE);
  psd_flow_error_fields fields;
  CHECK(begun == NULL && psd_flow_error_view(error, &fields) == PSD_RESULT_OK &&
        str_is(fields.kind, "store_unavailable") && str_contains(fields.message, "the test database is down"));
  psd_flow_error_free(error);
  complete_expecting(flow, "?platform=tiktok&state=abc&sig=x", "session-1", PSD_RESULT_STORE_UNAVAILABLE, __LINE__);
  table->fail = false;
  psd_flow_free(flow);
  /* release: once, when the last reference (the flow's) went. */
  CHECK(table->releases == 1);
  pthread_mutex_destroy(&table->lock);
  free(table);

  /* A take answering "found" without a record is a failure, never a proof. */
  int releases = 0;
  psd_store_callbacks forgetful = {&releases, table_put, forgetful_take, NULL};
  psd_store *store = NULL;
  CHECK(psd_store_new_callbacks(&forgetful, &store) == PSD_RESULT_OK);
  flow = flow_over(store);
  complete_expecting(flow, "?platform=tiktok&state=abc&sig=x", "session-1", PSD_RESULT_STORE_UNAVAILABLE, __LINE__);
  psd_flow_free(flow);

  /* put and take are required; a failed constructor never calls release. */
  psd_store_callbacks no_take = {&releases, table_put, NULL, counting_release};
  store = NULL;
  CHECK(psd_store_new_callbacks(&no_take, &store) == PSD_RESULT_NULL_PARAMETER && store == NULL);
  CHECK(psd_store_new_callbacks(NULL, &store) == PSD_RESULT_NULL_PARAMETER);
  CHECK(releases == 0);
}

/* ---- Redis ---- */

static void test_redis_store(void) {
  const char *redis_url = getenv("PSD_REDIS_URL");
  const char *ci = getenv("CI");
  if (redis_url == NULL) {
    /* Under CI a missing server is a failure, never a silent skip. */
    CHECK(ci == NULL || strcmp(ci, "true") != 0);
    fprintf(stderr, "flow: PSD_REDIS_URL is not set (scripts/test-c starts redis-server): Redis tests skipped\n");
    return;
  }
  psd_store *store = NULL;
  psd_string *message = NULL;
  CHECK(psd_store_new_redis(ARG(redis_url), ARG("psd-c-test:"), PSD_DEFAULT_REDIS_TIMEOUT_MS,
                            PSD_DEFAULT_REDIS_TIMEOUT_MS, NULL, 0, &store, &message) == PSD_RESULT_OK);
  CHECK(message == NULL);
  psd_flow *flow = flow_over(store);
  run_flow(flow, "Redis");
  run_race(flow);
  psd_flow_free(flow);

  /* Nothing listens on port 1: store_unavailable at begin and at complete, within the timeouts. */
  store = NULL;
  CHECK(psd_store_new_redis(ARG("redis://127.0.0.1:1/"), NULL, 0, 300, 300, NULL, 0, &store, NULL) == PSD_RESULT_OK);
  flow = flow_over(store);
  psd_begun *begun = NULL;
  psd_flow_error *error = NULL;
  CHECK(psd_flow_begin(flow, PSD_PLATFORM_TIKTOK, ARG(CALLBACK_URL), ARG("session-1"), NULL, 0, &begun, &error) ==
        PSD_RESULT_STORE_UNAVAILABLE);
  CHECK(begun == NULL && error != NULL);
  psd_flow_error_free(error);
  complete_expecting(flow, "?platform=tiktok&state=abc&sig=x", "session-1", PSD_RESULT_STORE_UNAVAILABLE, __LINE__);
  psd_flow_free(flow);

  /* Configuration mistakes, with a message and no password in it. */
  store = NULL;
  char buf[512];
  CHECK(psd_store_new_redis(ARG("http://:hunter2@127.0.0.1/"), NULL, 0, 300, 300, NULL, 0, &store, &message) ==
        PSD_RESULT_INVALID_ARGUMENT);
  CHECK(store == NULL && message != NULL && strstr(take_string(message, buf, sizeof buf), "hunter2") == NULL);
  message = NULL;
  CHECK(psd_store_new_redis(ARG(redis_url), NULL, 0, 0, 300, NULL, 0, &store, &message) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(store == NULL && message != NULL && strstr(take_string(message, buf, sizeof buf), "connect_timeout") != NULL);
  message = NULL;
  CHECK(psd_store_new_redis(ARG(redis_url), NULL, 0, 300, -1, NULL, 0, &store, &message) == PSD_RESULT_INVALID_ARGUMENT);
  CHECK(store == NULL && message != NULL && strstr(take_string(message, buf, sizeof buf), "command_timeout_ms") != NULL);
}

/* ---- arguments ---- */

static void test_arguments(void) {
  psd_store *store = NULL;
  CHECK(psd_store_new_memory(0, &store) == PSD_RESULT_INVALID_ARGUMENT && store == NULL);
  CHECK(psd_store_new_memory(-1, &store) == PSD_RESULT_INVALID_ARGUMENT && store == NULL);
  CHECK(psd_store_new_memory(16, NULL) == PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_store_new_memory(PSD_DEFAULT_MEMORY_STORE_CAPACITY, &store) == PSD_RESULT_OK);
  psd_flow *flow = NULL;
  CHECK(psd_flow_new(NULL, NULL, store, NULL, &flow) == PSD_RESULT_NULL_PARAMETER && flow == NULL);
  psd_store_free(store);
  CHECK(str_is(psd_result_name(PSD_RESULT_STATE_NOT_FOUND), "state_not_found"));
  CHECK(str_is(psd_result_name(PSD_RESULT_SUBJECT_MISMATCH), "subject_mismatch"));
  CHECK(str_is(psd_result_name(PSD_RESULT_STORE_UNAVAILABLE), "store_unavailable"));

  flow = flow_over(NULL); /* NULL store: a memory store of the default capacity */
  psd_begun *begun = NULL;
  psd_flow_error *error = NULL;
  CHECK(psd_flow_begin(flow, PSD_PLATFORM_TIKTOK, ARG(CALLBACK_URL), "", 0, NULL, 0, &begun, &error) ==
        PSD_RESULT_INVALID_ARGUMENT);
  psd_flow_error_fields fields;
  CHECK(begun == NULL && psd_flow_error_view(error, &fields) == PSD_RESULT_OK && str_is(fields.kind, "invalid_argument"));
  psd_flow_error_free(error);
  CHECK(psd_flow_begin(flow, PSD_PLATFORM_NONE, ARG(CALLBACK_URL), ARG("s"), NULL, 0, &begun, NULL) ==
        PSD_RESULT_INVALID_PLATFORM);
  CHECK(psd_flow_begin(flow, PSD_PLATFORM_TIKTOK, ARG(CALLBACK_URL), ARG("s"), NULL, 0, NULL, NULL) ==
        PSD_RESULT_NULL_PARAMETER);
  CHECK(psd_flow_complete(flow, ARG("?state=x"), ARG("s"), NULL, NULL) == PSD_RESULT_NULL_PARAMETER);
  /* A callback without a state: the verification kind, and nothing taken. */
  complete_expecting(flow, "?platform=tiktok", "s", PSD_RESULT_MISSING_PARAMETER, __LINE__);
  psd_flow_free(flow);
  psd_flow_free(NULL);
  psd_store_free(NULL);
  psd_begun_free(NULL);
  psd_completed_free(NULL);
  psd_flow_error_free(NULL);

  const int64_t zero = 0;
  psd_client *client = NULL;
  psd_verifier *verifier = NULL;
  psd_str secrets[] = {{ARG("secret")}};
  CHECK(psd_client_new(ARG("key"), ARG(base_url), PSD_DEFAULT_TIMEOUT_MS, 0, &client, NULL) == PSD_RESULT_OK);
  CHECK(psd_verifier_new(secrets, 1, 0, NULL, &verifier, NULL) == PSD_RESULT_OK);
  CHECK(psd_flow_new(client, verifier, NULL, &zero, &flow) == PSD_RESULT_INVALID_ARGUMENT);
  psd_client_free(client);
  psd_verifier_free(verifier);
}

void test_flow_stores(void) {
  emulator_url = getenv("PSD_EMULATOR_URL");
  api_key = getenv("PSD_API_KEY");
  signing_secret = getenv("PSD_SIGNING_SECRET");
  CHECK(emulator_url != NULL && api_key != NULL && signing_secret != NULL);
  if (emulator_url == NULL || api_key == NULL || signing_secret == NULL) {
    return;
  }
  snprintf(base_url, sizeof base_url, "%s/api", emulator_url);
  test_arguments();

  psd_store *memory = NULL;
  CHECK(psd_store_new_memory(1000, &memory) == PSD_RESULT_OK);
  psd_flow *flow = flow_over(memory);
  run_flow(flow, "memory");
  run_race(flow);
  psd_flow_free(flow);

  test_application_store();
  test_redis_store();
}
