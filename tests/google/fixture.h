/*
 * fixture.h — shared pieces of google_fixture (a test driver, not part of growthd).
 */
#ifndef GROWTH_TESTS_GOOGLE_FIXTURE_H
#define GROWTH_TESTS_GOOGLE_FIXTURE_H

#include <jansson.h>

#include "base/config.h"
#include "base/error.h"

/* Prints {"ok":true,"result":value} (steals value) and returns 0. */
int fixture_print_result(json_t *value);

/* Prints {"ok":false,"error":{code,message,status,retryable}} and returns 1. */
int fixture_print_error(const struct growth_error *err);

/* Runs "sheets|calendar|drive|ratelimit ..." commands; returns the exit status. */
int fixture_providers(const struct config *cfg, int argc, char **argv);

#endif
