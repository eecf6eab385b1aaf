/*
 * command.h — growthd's subcommands. main.c parses the global options, loads
 * the configuration and hands it to one of these; each returns the process's
 * exit status (0 ok, 1 failure while running, 2 bad usage or configuration).
 */
#ifndef GROWTH_CMD_COMMAND_H
#define GROWTH_CMD_COMMAND_H

#include "base/config.h"

#define EXIT_USAGE 2

struct command {
  const char *name;
  const char *synopsis;   /* options after the name, for usage */
  const char *summary;
  int (*run)(const struct config *config, int argc, char **argv);
};

int command_serve(const struct config *config, int argc, char **argv);
int command_run(const struct config *config, int argc, char **argv);
int command_check(const struct config *config, int argc, char **argv);
int command_worker(const struct config *config, int argc, char **argv);
int command_launch(const struct config *config, int argc, char **argv);
int command_agents(const struct config *config, int argc, char **argv);

/* Reads "--NAME N" or "--NAME=N" at argv[*i] (worker.c); 1 when it matched (advancing *i), 0 when it is
 * another option, -1 after printing why the value is bad. */
int command_option_long(int argc, char **argv, int *i, const char *name, long min, long max, long *out);

#endif
