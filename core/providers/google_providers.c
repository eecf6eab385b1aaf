/*
 * google_providers.c — opening the Google providers together (see google_providers.h).
 */
#include "providers/google_providers.h"

#include <string.h>

#include "base/log.h"

int google_providers_open(const struct config *cfg, struct http_client *client, struct rate_limiter *limiter,
                          struct google_providers *out, struct growth_error *err)
{
  memset(out, 0, sizeof *out);
  if (google_api_open(cfg, client, limiter, &out->api, err) != 0)
    goto fail;
  if (!(out->sheets = sheets_open(cfg, out->api, err)))
    goto fail;
  if (!(out->calendar = calendar_open(cfg, out->api, err)))
    goto fail;
  if (!(out->drive = drive_open(cfg, out->api, err)))
    goto fail;
  if (out->api)
    log_info("Google", "live Sheets, Calendar and Drive as %s%s%s", google_providers_account(out),
             cfg->google_impersonate_subject ? " for " : "",
             cfg->google_impersonate_subject ? cfg->google_impersonate_subject : "");
  else
    log_info("Google", "no service account key: local Sheets, Calendar and Drive under %s", cfg->data_dir);
  return 0;

fail:
  google_providers_close(out);
  return -1;
}

void google_providers_close(struct google_providers *providers)
{
  drive_free(providers->drive);
  calendar_free(providers->calendar);
  sheets_free(providers->sheets);
  google_api_free(providers->api);
  memset(providers, 0, sizeof *providers);
}

const char *google_providers_backend(const struct google_providers *providers)
{
  return providers->api ? "live" : "local";
}

const char *google_providers_account(const struct google_providers *providers)
{
  return providers->api ? google_api_client_email(providers->api) : NULL;
}
