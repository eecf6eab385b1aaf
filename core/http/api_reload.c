/*
 * api_reload.c — POST /api/orchestrator/reload: one hot-reload pass on demand
 * (the same pass as the inotify watcher and SIGHUP; see agents/reload.h).
 *
 * Answers 200 with what the pass did and every refused script's
 * "file:line: message", even when some were refused: the pass itself worked,
 * and the last good versions keep serving. 500 only when the folder cannot be
 * read.
 */
#include "agents/reload.h"
#include "base/log.h"
#include "http/api_handlers.h"

void api_orchestrator_reload(struct http_request *request, struct http_response *response)
{
  const struct api_context *context = request->context;
  struct growth_error err = { 0 };
  struct loader_options options = loader_options_from_config(context->config);
  struct reload_report report;
  json_t *problems = json_array();
  if (!problems || reload_scripts(context->registry, &options, &report, problems, &err) != 0) {
    json_decref(problems);
    if (err.code == ERR_NONE)
      error_set(&err, ERR_NO_MEMORY, "reload: out of memory");
    log_error("Reload", "reload requested over HTTP failed: %s", err.message);
    http_respond_growth_error(response, &err);
    return;
  }
  log_info("Reload", "reload requested over HTTP: %zu loaded, %zu refused, %zu unchanged, %zu removed",
           report.loaded, report.refused, report.unchanged, report.removed);
  json_t *registry = api_registry_json(context->registry, &err);
  http_respond_json(response, 200,
                    json_pack("{s:I, s:I, s:I, s:I, s:o, s:o}", "loaded", (json_int_t)report.loaded, "refused",
                              (json_int_t)report.refused, "unchanged", (json_int_t)report.unchanged, "removed",
                              (json_int_t)report.removed, "problems", problems, "agentRegistry",
                              registry ? registry : json_null()));
}
