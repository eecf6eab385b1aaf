/*
 * worker.c — `growthd worker [--concurrency N]`: a worker process only, until SIGTERM/SIGINT.
 *
 * Run as many as you like on as many hosts as you like against the same Redis. On a stop signal it takes
 * no new job, lets running ones finish within GROWTH_SHUTDOWN_GRACE_S, gives the rest back to the queue
 * for another worker, and exits 0. The stop signals are taken with sigwait, as in serve.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "cmd/command.h"
#include "cmd/job_worker.h"

/* Reads "--NAME N" or "--NAME=N" at argv[*i]; 1 when it matched (advancing *i), -1 on a bad value. */
int command_option_long(int argc, char **argv, int *i, const char *name, long min, long max, long *out)
{
  size_t length = strlen(name);
  const char *value = NULL;
  if (strcmp(argv[*i], name) == 0) {
    if (*i + 1 >= argc) {
      fprintf(stderr, "growthd: %s needs a number\n", name);
      return -1;
    }
    value = argv[++*i];
  } else if (strncmp(argv[*i], name, length) == 0 && argv[*i][length] == '=') {
    value = argv[*i] + length + 1;
  } else {
    return 0;
  }
  char *end = NULL;
  errno = 0;
  long number = strtol(value, &end, 10);
  if (!*value || *end || errno || number < min || number > max) {
    fprintf(stderr, "growthd: %s '%s' is not valid; expected a whole number from %ld to %ld\n", name, value, min, max);
    return -1;
  }
  *out = number;
  return 1;
}

int command_worker(const struct config *config, int argc, char **argv)
{
  long concurrency = config->worker_concurrency;
  for (int i = 0; i < argc; i++) {
    int matched = command_option_long(argc, argv, &i, "--concurrency", 1, 1024, &concurrency);
    if (matched < 0)
      return EXIT_USAGE;
    if (matched == 0) {
      fprintf(stderr, "growthd worker: unknown option '%s'\n", argv[i]);
      return EXIT_USAGE;
    }
  }
  config_log_summary(config);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);
  signal(SIGPIPE, SIG_IGN);

  struct growth_error err = { 0 };
  struct job_worker *worker = job_worker_start(config, concurrency, NULL, NULL, &err);
  if (!worker) {
    log_error("Worker", "%s", err.message);
    return 1;
  }
  log_info("Worker", "growthd %s worker on queue %s, concurrency %ld", GROWTH_VERSION, config->queue_name,
           concurrency);
  int signal_number = 0;
  for (;;) {
    if (sigwait(&stop_signals, &signal_number) != 0)
      continue;
    if (signal_number != SIGHUP)
      break;
    job_worker_reload(worker, "SIGHUP");
  }
  log_info("Worker", "%s received: taking no new jobs; running ones have %ld s to finish", strsignal(signal_number),
           config->shutdown_grace_s);
  job_worker_stop(worker, config);
  return 0;
}
