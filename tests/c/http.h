/* A tiny HTTP/1.1 client for the tests: plain http to the local emulator, acting as the
 * browser (approve) and as the test harness (control API). Never used by the library. */
#ifndef PSD_TEST_HTTP_H
#define PSD_TEST_HTTP_H

#include <stdbool.h>

enum { HTTP_TEXT_MAX = 8192 };

typedef struct {
  int status;
  char location[HTTP_TEXT_MAX]; /* the Location header, or "" */
  char body[HTTP_TEXT_MAX];     /* the body, cut to fit */
} http_response;

/* Sends METHOD url (http://HOST:PORT/PATH) with an optional JSON body; no redirect is
 * followed. Returns false when the exchange failed. */
bool http_request(const char *method, const char *url, const char *json_body, http_response *response);

#endif
