/* The C API's tests: the API contract, every conformance vector, the flow against the
 * emulator, and psd_flow on each store. Usage: psd_c_tests VECTORS_LINES_FILE (see
 * scripts/test-c); the emulator is found through PSD_EMULATOR_URL, PSD_API_KEY and
 * PSD_SIGNING_SECRET, the Redis server through PSD_REDIS_URL.
 * psd_c_tests --vectors-only VECTORS_LINES_FILE runs the vectors alone (the differential test). */
#include <stdio.h>
#include <string.h>

#include "check.h"

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--vectors-only") == 0) {
    test_vectors(argv[2]);
  } else if (argc == 2) {
    test_api_contract();
    test_vectors(argv[1]);
    test_emulator_flow();
    test_client_limits();
    test_flow_stores();
  } else {
    fprintf(stderr, "usage: %s [--vectors-only] VECTORS_LINES_FILE\n", argv[0]);
    return 2;
  }
  printf("%d passed, %d failed\n", checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}
