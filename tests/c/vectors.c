/* Every case of tests/vectors/verify.json, converted by scripts/test-c to one tab-separated
 * line per case (the JSON is parsed by jq, not here):
 *   name input expected_state expected_platform leeway max_lifetime now
 *   ok platform platform_id handle state expires      | kind parameter code "" "" ""
 *   secret...
 * An empty expected_platform or parameter means absent; a code is written "=CODE" ("" when
 * absent, so that an empty code differs from none); max_lifetime -1 means no bound. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { FIXED_FIELDS = 13, MAX_FIELDS = 32, MAX_LINE = 16384 };

/* Splits line at tabs in place, keeping empty fields; returns the number of fields. */
static size_t split_tabs(char *line, char **fields, size_t max_fields) {
  size_t count = 0;
  char *start = line;
  for (;;) {
    char *tab = strchr(start, '\t');
    if (count == max_fields) {
      return count;
    }
    fields[count++] = start;
    if (tab == NULL) {
      return count;
    }
    *tab = '\0';
    start = tab + 1;
  }
}

static psd_platform platform_named(const char *name) {
  psd_platform platform = PSD_PLATFORM_NONE;
  if (name[0] != '\0') {
    CHECK(psd_platform_from_wire_name(ARG(name), &platform) == PSD_RESULT_OK);
  }
  return platform;
}

static bool proof_is(const psd_proof *proof, char **want) {
  psd_platform platform = PSD_PLATFORM_NONE;
  psd_str platform_name = {NULL, 0}, platform_id = {NULL, 0}, handle = {NULL, 0}, state = {NULL, 0};
  int64_t expires = 0;
  bool read = psd_proof_platform(proof, &platform) == PSD_RESULT_OK &&
              psd_platform_wire_name(platform, &platform_name) == PSD_RESULT_OK &&
              psd_proof_platform_id(proof, &platform_id) == PSD_RESULT_OK &&
              psd_proof_handle(proof, &handle) == PSD_RESULT_OK &&
              psd_proof_state(proof, &state) == PSD_RESULT_OK &&
              psd_proof_expires(proof, &expires) == PSD_RESULT_OK;
  return read && str_is(platform_name, want[0]) && str_is(platform_id, want[1]) &&
         str_is(handle, want[2]) && str_is(state, want[3]) && expires == strtoll(want[4], NULL, 10);
}

/* Whether two views are the same view: the same bytes, and both absent or both present. */
static bool same_view(psd_str a, psd_str b) {
  return (a.data == NULL) == (b.data == NULL) && str_eq(a, b);
}

static bool error_is(psd_result result, const psd_verify_error *error, char **want) {
  psd_str kind = {NULL, 0}, parameter = {NULL, 0}, code = {NULL, 0}, message = {NULL, 0};
  bool read = psd_verify_error_kind(error, &kind) == PSD_RESULT_OK &&
              psd_verify_error_parameter(error, &parameter) == PSD_RESULT_OK &&
              psd_verify_error_code(error, &code) == PSD_RESULT_OK &&
              psd_verify_error_message(error, &message) == PSD_RESULT_OK;
  /* All fields in one read agree with the per-field getters (absent stays absent). */
  psd_verify_error_fields fields;
  bool viewed = psd_verify_error_view(error, &fields) == PSD_RESULT_OK && same_view(fields.kind, kind) &&
                same_view(fields.parameter, parameter) && same_view(fields.code, code) &&
                same_view(fields.message, message);
  return read && viewed && str_is(psd_result_name(result), want[0]) && str_is(kind, want[0]) &&
         str_is(parameter, want[1][0] ? want[1] : NULL) && str_is(code, want[2][0] ? want[2] + 1 : NULL) &&
         message.len > 0;
}

static void run_case(char **field, size_t field_count) {
  size_t secret_count = field_count - FIXED_FIELDS;
  psd_str secrets[MAX_FIELDS];
  for (size_t i = 0; i < secret_count; i++) {
    secrets[i].data = field[FIXED_FIELDS + i];
    secrets[i].len = strlen(field[FIXED_FIELDS + i]);
  }
  /* max_lifetime -1 is the line format's "no bound": a NULL pointer. */
  int64_t max_lifetime = strtoll(field[5], NULL, 10);
  psd_verifier *verifier = NULL;
  psd_result built = psd_verifier_new(secrets, secret_count, strtoll(field[4], NULL, 10),
                                      max_lifetime < 0 ? NULL : &max_lifetime, &verifier, NULL);
  CHECK(built == PSD_RESULT_OK);
  if (built != PSD_RESULT_OK) {
    return;
  }

  int64_t now = strtoll(field[6], NULL, 10);
  psd_proof *proof = NULL;
  psd_verify_error *error = NULL;
  psd_result result = psd_verifier_verify(verifier, ARG(field[1]), ARG(field[2]), platform_named(field[3]),
                                          &now, &proof, &error);
  bool want_ok = strcmp(field[7], "ok") == 0;
  bool as_expected = want_ok ? result == PSD_RESULT_OK && error == NULL && proof_is(proof, &field[8])
                             : result != PSD_RESULT_OK && proof == NULL && error_is(result, error, &field[7]);
  check_record(as_expected, field[0], __FILE__, __LINE__);

  psd_proof_free(proof);
  psd_verify_error_free(error);
  psd_verifier_free(verifier);
}

void test_vectors(const char *vectors_path) {
  FILE *file = fopen(vectors_path, "r");
  CHECK(file != NULL);
  if (file == NULL) {
    return;
  }
  static char line[MAX_LINE];
  int cases = 0;
  while (fgets(line, sizeof line, file) != NULL) {
    line[strcspn(line, "\n")] = '\0';
    char *fields[MAX_FIELDS];
    size_t count = split_tabs(line, fields, MAX_FIELDS);
    CHECK(count > FIXED_FIELDS && count < MAX_FIELDS);
    if (count > FIXED_FIELDS && count < MAX_FIELDS) {
      run_case(fields, count);
      cases++;
    }
  }
  fclose(file);
  CHECK(cases >= 60);
  fprintf(stderr, "vectors: %d cases run\n", cases);
}
