#include "check.h"

#include <stdio.h>
#include <string.h>

int checks_passed = 0;
int checks_failed = 0;

void check_record(bool ok, const char *what, const char *file, int line) {
  if (ok) {
    checks_passed++;
  } else {
    checks_failed++;
    fprintf(stderr, "FAILED %s:%d: %s\n", file, line, what);
  }
}

bool str_is(psd_str view, const char *text) {
  if (text == NULL) {
    return view.data == NULL && view.len == 0;
  }
  return view.data != NULL && view.len == strlen(text) && memcmp(view.data, text, view.len) == 0;
}

bool str_eq(psd_str a, psd_str b) {
  return a.len == b.len && (a.len == 0 || memcmp(a.data, b.data, a.len) == 0);
}

bool str_contains(psd_str haystack, const char *needle) {
  size_t needle_len = strlen(needle);
  for (size_t at = 0; needle_len <= haystack.len && at <= haystack.len - needle_len; at++) {
    if (memcmp(haystack.data + at, needle, needle_len) == 0) {
      return true;
    }
  }
  return false;
}

const char *take_string(psd_string *string, char *buf, size_t buf_len) {
  psd_str view = {NULL, 0};
  buf[0] = '\0';
  if (psd_string_view(string, &view) == PSD_RESULT_OK && view.len < buf_len) {
    memcpy(buf, view.data, view.len);
    buf[view.len] = '\0';
  }
  psd_string_free(string);
  return buf;
}
