/* ns per verification through the C ABI: psd_verifier_verify on a valid callback, then all
 * proof fields in one psd_proof_view, then psd_proof_free, as a C caller would. Prints one
 * line per run: the mean ns per verification over ITERATIONS calls (clock_gettime). */
#define _POSIX_C_SOURCE 199309L /* clock_gettime under -std=c11 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "postsyncer_delegation.h"

#define ITERATIONS 200000
#define RUNS 15
#define ARG(s) (s), strlen(s)

static const char *SECRET = "ps_test_signing_secret_0001";
static const char *CALLBACK =
    "https://yourapp.com/cb?platform=tiktok&platform_id=_000abc&handle=jane&state=a1b2c3d4"
    "&expires=1717000000&sig=c6d39ec8b0fd92943a59ec2d9fa0d081eda01c7d8830daf9dd4b771278ee9a14";
static const int64_t NOW = 1716999940;

static double seconds_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int verify_once(const psd_verifier *verifier, size_t *checksum) {
  psd_proof *proof = NULL;
  psd_proof_fields fields;
  if (psd_verifier_verify(verifier, ARG(CALLBACK), ARG("a1b2c3d4"), PSD_PLATFORM_NONE, &NOW, &proof, NULL) !=
          PSD_RESULT_OK ||
      psd_proof_view(proof, &fields) != PSD_RESULT_OK) {
    return 0;
  }
  *checksum += fields.platform_id.len + fields.handle.len; /* keeps the reads alive */
  psd_proof_free(proof);
  return 1;
}

int main(void) {
  psd_str secrets[] = {{ARG(SECRET)}};
  const int64_t max_lifetime = PSD_DEFAULT_MAX_LIFETIME_SECONDS;
  psd_verifier *verifier = NULL;
  if (psd_verifier_new(secrets, 1, PSD_DEFAULT_LEEWAY_SECONDS, &max_lifetime, &verifier, NULL) != PSD_RESULT_OK) {
    fprintf(stderr, "verify_bench: psd_verifier_new failed\n");
    return 1;
  }
  size_t checksum = 0;
  for (int i = 0; i < ITERATIONS / 10; i++) { /* warm-up */
    verify_once(verifier, &checksum);
  }
  for (int run = 0; run < RUNS; run++) {
    double start = seconds_now();
    for (int i = 0; i < ITERATIONS; i++) {
      if (!verify_once(verifier, &checksum)) {
        fprintf(stderr, "verify_bench: the valid callback was rejected\n");
        return 1;
      }
    }
    printf("%.2f\n", (seconds_now() - start) * 1e9 / ITERATIONS);
  }
  psd_verifier_free(verifier);
  return checksum == 0;
}
