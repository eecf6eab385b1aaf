/*
 * kill_switch_launch.c — a launch that skips disabled agents (see kill_switch.h): the one place where
 * the kill switch meets the launcher, shared by `growthd launch` and the HTTP launch.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agents/kill_switch.h"
#include "agents/launcher.h"
#include "base/log.h"

int kill_switch_launch(struct kill_switch *kill_switch, struct queue *queue, const char *scripts_dir,
                       const char *const *names, size_t count, json_t *profile, char ***ids_out,
                       size_t *ids_count, struct kill_switch_filter *filter_out, struct growth_error *err)
{
  *ids_out = NULL;
  *ids_count = 0;
  memset(filter_out, 0, sizeof *filter_out);
  char **listed = NULL;
  size_t listed_count = 0;
  int status = -1;
  if (count == 0) {
    if (launcher_list_agents(scripts_dir, &listed, &listed_count, err) != 0)
      return -1;
    names = (const char *const *)listed;
    count = listed_count;
  }
  if (kill_switch_filter(kill_switch, names, count, filter_out, err) != 0)
    goto done;
  if (filter_out->launch_count == 0 && filter_out->skipped_count > 0) {
    char message[ERROR_MESSAGE_MAX];
    kill_switch_filter_message(filter_out, message, sizeof message);
    error_set(err, ERR_CONFLICT, "nothing launched: %s", message);
    log_warn("Orchestrator", "Launch refused: %s", err->message);
    goto done;
  }
  log_info("Orchestrator", "Launching %zu agents%s", filter_out->launch_count,
           filter_out->skipped_count ? " (disabled agents skipped)" : "");
  if (filter_out->launch_count == 0) {
    status = 0;   /* an empty agents folder: nothing to launch, nothing refused */
    goto done;
  }
  if (launcher_launch(queue, scripts_dir, filter_out->launch, filter_out->launch_count, profile, ids_out,
                      ids_count, err) != 0) {
    log_error("Orchestrator", "Launch failed: %s", err->message);
    goto done;
  }
  status = 0;
done:
  queue_free_strings(listed, listed_count);
  return status;
}
