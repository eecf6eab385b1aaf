/*
 * services_google.h — the Google part of the services (internal to core/providers/services*.c):
 * the process's HTTP client and rate limiter, and Sheets, Calendar and Drive with their states.
 */
#ifndef GROWTH_PROVIDERS_SERVICES_GOOGLE_H
#define GROWTH_PROVIDERS_SERVICES_GOOGLE_H

#include "providers/google_providers.h"
#include "providers/services.h"

struct services_google {
  struct http_client *http;
  struct rate_limiter *limiter;
  struct google_providers providers;   /* all NULL when the three are missing */
};

/* Opens the client, the limiter (on pool, or in-process when NULL) and the providers, and fills
 * status[SERVICE_SHEETS], status[SERVICE_CALENDAR] and status[SERVICE_DRIVE]. -1 only when out of
 * memory or the HTTP client cannot start; a broken key makes the three missing. */
int services_google_open(const struct config *cfg, struct redis_pool *pool, struct services_google *out,
                         struct service_status *status, struct growth_error *err);

void services_google_close(struct services_google *google);

#endif
