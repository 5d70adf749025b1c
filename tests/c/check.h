/* A minimal test harness: CHECK records a pass or a failure (with its location) and goes on. */
#ifndef PSD_TEST_CHECK_H
#define PSD_TEST_CHECK_H

#include <stdbool.h>
#include <stddef.h>

#include "postsyncer_delegation.h"

extern int checks_passed;
extern int checks_failed;

void check_record(bool ok, const char *what, const char *file, int line);
#define CHECK(cond) check_record((cond), #cond, __FILE__, __LINE__)

/* Whether a psd_str view holds exactly the NUL-terminated text (NULL text: the absent view). */
bool str_is(psd_str view, const char *text);

/* Whether two views hold the same bytes. */
bool str_eq(psd_str a, psd_str b);

/* Whether the view contains the NUL-terminated needle. */
bool str_contains(psd_str haystack, const char *needle);

/* (text, strlen(text)) for the pointer + length arguments of the C API. */
#define ARG(text) (text), strlen(text)

/* The text of an owned psd_string copied into buf (NUL-terminated), then the string freed. */
const char *take_string(psd_string *string, char *buf, size_t buf_len);

/* The suites, each in its own file. */
void test_api_contract(void);
void test_vectors(const char *vectors_path);
void test_emulator_flow(void);
void test_client_limits(void);
void test_flow_stores(void);

#endif
