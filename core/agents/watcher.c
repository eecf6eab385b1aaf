/*
 * watcher.c — the inotify thread of hot reload (see watcher.h).
 *
 * The thread polls two descriptors: the inotify one and an eventfd that
 * watcher_stop writes to. After an event it keeps reading events until none
 * came for WATCHER_QUIET_MS, re-adds watches (a folder may have been created
 * or replaced), then runs one reload pass.
 */
#include "agents/watcher.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "agents/reload.h"
#include "base/log.h"

#define WATCH_EVENTS \
  (IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB | IN_DELETE_SELF)

struct watcher {
  struct agent_registry *registry;
  struct loader_options options;
  char *scripts_dir;
  int inotify_fd;
  int stop_fd;
  pthread_t thread;
  int started;
};

static void add_watch(struct watcher *watcher, const char *path)
{
  /* inotify_add_watch on a watched path returns the same descriptor, so re-adding is harmless */
  if (inotify_add_watch(watcher->inotify_fd, path, WATCH_EVENTS | IN_ONLYDIR) < 0 && errno != ENOENT)
    log_warn("Reload", "cannot watch %s: %s", path, strerror(errno));
}

/* Watches scripts_dir, agents/, lib/ and the folders below lib/. */
static void add_watches(struct watcher *watcher)
{
  char path[PATH_MAX];
  add_watch(watcher, watcher->scripts_dir);
  snprintf(path, sizeof path, "%s/agents", watcher->scripts_dir);
  add_watch(watcher, path);
  snprintf(path, sizeof path, "%s/lib", watcher->scripts_dir);
  add_watch(watcher, path);
  DIR *dir = opendir(path);
  if (!dir)
    return;
  struct dirent *entry;
  while ((entry = readdir(dir))) {
    if (entry->d_name[0] == '.' || entry->d_type != DT_DIR)
      continue;
    char sub[PATH_MAX + 256];
    snprintf(sub, sizeof sub, "%s/%s", path, entry->d_name);
    add_watch(watcher, sub);
  }
  closedir(dir);
}

/* Reads and discards the pending events; returns how many bytes were read (0 when none). */
static ssize_t drain_events(int fd)
{
  char buffer[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
  ssize_t total = 0, got;
  while ((got = read(fd, buffer, sizeof buffer)) > 0)
    total += got;
  return total;
}

static void reload_pass(struct watcher *watcher)
{
  struct reload_report report;
  struct growth_error err = { 0 };
  if (reload_scripts(watcher->registry, &watcher->options, &report, NULL, &err) != 0)
    log_error("Reload", "reload failed: %s", err.message);
  else if (report.loaded || report.refused || report.removed)
    log_info("Reload", "scripts changed: %zu loaded, %zu refused, %zu removed, %zu unchanged", report.loaded,
             report.refused, report.removed, report.unchanged);
}

static void *watch_loop(void *argument)
{
  struct watcher *watcher = argument;
  struct pollfd fds[2] = { { .fd = watcher->inotify_fd, .events = POLLIN }, { .fd = watcher->stop_fd, .events = POLLIN } };
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR)
        continue;
      log_error("Reload", "poll failed: %s; hot reload stops", strerror(errno));
      return NULL;
    }
    if (fds[1].revents)
      return NULL;
    drain_events(watcher->inotify_fd);
    /* wait for the burst to end */
    for (;;) {
      int ready = poll(fds, 2, WATCHER_QUIET_MS);
      if (ready < 0 && errno == EINTR)
        continue;
      if (ready <= 0)
        break;
      if (fds[1].revents)
        return NULL;
      drain_events(watcher->inotify_fd);
    }
    add_watches(watcher);
    reload_pass(watcher);
  }
}

struct watcher *watcher_start(struct agent_registry *registry, const struct loader_options *options,
                              struct growth_error *err)
{
  struct watcher *watcher = calloc(1, sizeof *watcher);
  if (!watcher) {
    error_set(err, ERR_NO_MEMORY, "hot reload: out of memory");
    return NULL;
  }
  watcher->inotify_fd = -1;
  watcher->stop_fd = -1;
  watcher->registry = registry;
  watcher->options = *options;
  watcher->scripts_dir = strdup(options->scripts_dir);
  if (!watcher->scripts_dir) {
    error_set(err, ERR_NO_MEMORY, "hot reload: out of memory");
    goto fail;
  }
  watcher->options.scripts_dir = watcher->scripts_dir;
  watcher->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  watcher->stop_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  if (watcher->inotify_fd < 0 || watcher->stop_fd < 0) {
    error_set(err, ERR_IO, "hot reload: cannot start inotify: %s", strerror(errno));
    goto fail;
  }
  add_watches(watcher);
  if (pthread_create(&watcher->thread, NULL, watch_loop, watcher) != 0) {
    error_set(err, ERR_INTERNAL, "hot reload: cannot start the watcher thread");
    goto fail;
  }
  watcher->started = 1;
  log_info("Reload", "watching %s for changes", watcher->scripts_dir);
  return watcher;

fail:
  watcher_stop(watcher);
  return NULL;
}

void watcher_stop(struct watcher *watcher)
{
  if (!watcher)
    return;
  if (watcher->started) {
    uint64_t one = 1;
    if (write(watcher->stop_fd, &one, sizeof one) != sizeof one)
      log_warn("Reload", "cannot signal the watcher thread: %s", strerror(errno));
    pthread_join(watcher->thread, NULL);
  }
  if (watcher->inotify_fd >= 0)
    close(watcher->inotify_fd);
  if (watcher->stop_fd >= 0)
    close(watcher->stop_fd);
  free(watcher->scripts_dir);
  free(watcher);
}
