/*
 * google_providers.h — the Sheets, Calendar and Drive providers opened together.
 *
 * What a host (growthd serve/worker/run, or a test driver) calls once at start:
 * it decodes the service-account key if one is set, builds the shared Google
 * call path (token cache, limits) on the caller's HTTP client and rate
 * limiter, and opens each provider with the backend the settings select. The
 * HTTP client and limiter stay the caller's, since other providers (LLM, SMS)
 * share them. All members may be used from many threads.
 */
#ifndef GROWTH_PROVIDERS_GOOGLE_PROVIDERS_H
#define GROWTH_PROVIDERS_GOOGLE_PROVIDERS_H

#include "base/config.h"
#include "base/error.h"
#include "net/google_api.h"
#include "net/http_client.h"
#include "net/rate_limit.h"
#include "providers/calendar/calendar.h"
#include "providers/drive/drive.h"
#include "providers/sheets/sheets.h"

struct google_providers {
  struct google_api *api;      /* NULL when no key is configured (local backends) */
  struct sheets *sheets;
  struct calendar *calendar;
  struct drive *drive;
};

/* Opens all three; on failure nothing is left open. client and limiter are borrowed (limiter may be NULL). */
int google_providers_open(const struct config *cfg, struct http_client *client, struct rate_limiter *limiter,
                          struct google_providers *out, struct growth_error *err);

void google_providers_close(struct google_providers *providers);

/* "live" or "local" (all three share the choice); the account's e-mail or NULL, for readiness. */
const char *google_providers_backend(const struct google_providers *providers);
const char *google_providers_account(const struct google_providers *providers);

#endif
