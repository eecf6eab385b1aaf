/*
 * services_google.c — the backends of sheets, calendar and drive, and the HTTP
 * client and rate limiter a process shares (see services.h).
 *
 * The rule, decided once at start:
 *   - GOOGLE_SERVICE_ACCOUNT_JSON_B64 set and the key decodes, parses and its
 *     PEM reads: live, all three (one token serves them all);
 *   - set but broken: missing, all three, with the key's problem as the reason
 *     (google_key.c never quotes the key), so a typo is seen at readiness
 *     instead of a silent switch to local files;
 *   - not set: local files under GROWTH_DATA_DIR, or missing in production.
 *
 * The live reasons explain what design.md says shapes a service account's
 * life: it owns no Drive storage, so creating a spreadsheet or uploading a
 * file needs a shared-drive folder (GROWTH_DRIVE_FOLDER_ID) or domain-wide
 * delegation (GOOGLE_IMPERSONATE_SUBJECT); without either only what a user
 * shared with the account's address can be used, and its "primary" calendar
 * is its own, empty one.
 */
#include "providers/services_google.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"

static void set_all(struct service_status *status, enum service_state state, const char *reason)
{
  for (int id = SERVICE_SHEETS; id <= SERVICE_DRIVE; id++) {
    status[id].state = state;
    snprintf(status[id].reason, SERVICE_REASON_MAX, "%s", reason);
  }
}

static void describe_live(const struct config *cfg, const char *account, struct service_status *status)
{
  const char *folder = cfg->drive_folder_id, *subject = cfg->google_impersonate_subject;
  char who[256];
  if (subject)
    snprintf(who, sizeof who, "service account %.100s acting for %.100s (domain-wide delegation)", account, subject);
  else
    snprintf(who, sizeof who, "service account %.200s", account);
  set_all(status, SERVICE_LIVE, "");

  char *sheets = status[SERVICE_SHEETS].reason, *calendar = status[SERVICE_CALENDAR].reason;
  char *drive = status[SERVICE_DRIVE].reason;
  if (folder)
    snprintf(sheets, SERVICE_REASON_MAX, "Google Sheets as %s; new spreadsheets are created in the shared-drive "
             "folder %.100s (GROWTH_DRIVE_FOLDER_ID)", who, folder);
  else if (subject)
    snprintf(sheets, SERVICE_REASON_MAX, "Google Sheets as %s; new spreadsheets belong to %.100s", who, subject);
  else
    snprintf(sheets, SERVICE_REASON_MAX, "Google Sheets as %s; neither GROWTH_DRIVE_FOLDER_ID nor "
             "GOOGLE_IMPERSONATE_SUBJECT is set and a service account owns no Drive storage, so sheets.create "
             "fails: use a spreadsheet the user shared with %.100s (its id in the agent's input)", who, account);

  if (subject)
    snprintf(calendar, SERVICE_REASON_MAX, "Google Calendar as %s; \"primary\" is %.100s's calendar", who, subject);
  else
    snprintf(calendar, SERVICE_REASON_MAX, "Google Calendar as %s; \"primary\" is the service account's own, empty "
             "calendar: use the user's calendar id (their address), shared with %.100s with \"Make changes to "
             "events\"", who, account);

  if (folder)
    snprintf(drive, SERVICE_REASON_MAX, "Google Drive as %s; uploads go to the shared-drive folder %.100s "
             "(GROWTH_DRIVE_FOLDER_ID) unless the call names a folder", who, folder);
  else if (subject)
    snprintf(drive, SERVICE_REASON_MAX, "Google Drive as %s; uploads go to %.100s's My Drive unless the call names "
             "a folder", who, subject);
  else
    snprintf(drive, SERVICE_REASON_MAX, "Google Drive as %s; neither GROWTH_DRIVE_FOLDER_ID nor "
             "GOOGLE_IMPERSONATE_SUBJECT is set and a service account owns no Drive storage, so an upload needs "
             "folder = a folder shared with %.100s", who, account);
}

static void describe_local(const struct config *cfg, struct service_status *status)
{
  const char *data = cfg->data_dir;
  set_all(status, SERVICE_LOCAL, "");
  snprintf(status[SERVICE_SHEETS].reason, SERVICE_REASON_MAX, "GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set: "
           "spreadsheets are CSV files under %.200s/sheets/", data);
  if (cfg->calendar_ics)
    snprintf(status[SERVICE_CALENDAR].reason, SERVICE_REASON_MAX, "GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set: "
             "events are read from %.200s (GROWTH_CALENDAR_ICS); inserted events go to "
             "%.200s/calendar/<calendarId>.ics", cfg->calendar_ics, data);
  else
    snprintf(status[SERVICE_CALENDAR].reason, SERVICE_REASON_MAX, "GOOGLE_SERVICE_ACCOUNT_JSON_B64 and "
             "GROWTH_CALENDAR_ICS are not set: only events inserted locally are read, from "
             "%.200s/calendar/<calendarId>.ics", data);
  snprintf(status[SERVICE_DRIVE].reason, SERVICE_REASON_MAX, "GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set: uploads "
           "are files under %.200s/drive/", data);
}

int services_google_open(const struct config *cfg, struct redis_pool *pool, struct services_google *out,
                         struct service_status *status, struct growth_error *err)
{
  memset(out, 0, sizeof *out);
  struct http_client_options options;
  http_client_options_from_config(cfg, &options);
  if (!(out->http = http_client_new(&options, err)))
    goto fail;
  if (!(out->limiter = rate_limiter_new(pool, NULL, cfg->rate_wait_max_ms, err)))
    goto fail;

  if (!cfg->google_service_account_json_b64 && cfg->environment == ENV_PRODUCTION) {
    set_all(status, SERVICE_MISSING, "GOOGLE_SERVICE_ACCOUNT_JSON_B64 is not set; in production Sheets, Calendar "
                                     "and Drive never fall back to local files");
    return 0;
  }
  struct growth_error open_err = { 0 };
  if (google_providers_open(cfg, out->http, out->limiter, &out->providers, &open_err) != 0) {
    if (open_err.code == ERR_NO_MEMORY) {
      *err = open_err;
      goto fail;
    }
    set_all(status, SERVICE_MISSING, open_err.message);
    return 0;
  }
  if (out->providers.api)
    describe_live(cfg, google_providers_account(&out->providers), status);
  else
    describe_local(cfg, status);
  return 0;

fail:
  services_google_close(out);
  return -1;
}

void services_google_close(struct services_google *google)
{
  google_providers_close(&google->providers);
  rate_limiter_free(google->limiter);
  http_client_free(google->http);
  memset(google, 0, sizeof *google);
}
