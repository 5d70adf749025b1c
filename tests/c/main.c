/* The C API's tests: the API contract, every conformance vector, and the flow against the
 * emulator. Usage: psd_c_tests VECTORS_LINES_FILE (see scripts/test-c); the emulator is found
 * through PSD_EMULATOR_URL, PSD_API_KEY and PSD_SIGNING_SECRET. */
#include <stdio.h>

#include "check.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s VECTORS_LINES_FILE\n", argv[0]);
    return 2;
  }
  test_api_contract();
  test_vectors(argv[1]);
  test_emulator_flow();
  printf("%d passed, %d failed\n", checks_passed, checks_failed);
  return checks_failed == 0 ? 0 : 1;
}
