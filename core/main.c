/*
 * main.c — the growthd command line: global options, configuration, and the
 * dispatch to a subcommand (core/cmd/).
 *
 *   growthd [--env-file FILE] COMMAND [OPTIONS]
 *
 * --env-file may appear anywhere; the real environment wins over the file.
 * Usage errors and bad configuration exit 2 with one line on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/config.h"
#include "base/dotenv.h"
#include "base/log.h"
#include "cmd/command.h"

static const struct command commands[] = {
  { "serve", "[--workers N]", "serve the REST API and the /agents dashboard (and N in-process workers)",
    command_serve },
  { "worker", "[--concurrency N]", "run queued jobs until SIGTERM", command_worker },
  { "launch", "[--agents a,b]", "enqueue agents and print their job ids", command_launch },
  { "run", "AGENT [--profile FILE] [--input FILE] [--state FILE] [--task NAME]", "run one agent once in the foreground; result JSON on stdout",
    command_run },
  { "check", "[FILE...]", "compile and check agent scripts; file:line for each problem", command_check },
  { "agents", "disable|enable|list ...", "the per-agent kill switch: disable NAME --reason \"...\", enable NAME, list",
    command_agents },
};

#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_usage(FILE *out)
{
  fprintf(out, "usage: growthd [--env-file FILE] COMMAND [OPTIONS]\n"
               "       growthd --help | --version\n\ncommands:\n");
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    fprintf(out, "  %-8s %-22s %s\n", commands[i].name, commands[i].synopsis, commands[i].summary);
}

static const char *lookup_setting(const char *name, void *context)
{
  const char *value = getenv(name);
  if (value)
    return value;
  return dotenv_get(context, name);
}

static const struct command *find_command(const char *name)
{
  for (size_t i = 0; i < COMMAND_COUNT; i++)
    if (strcmp(commands[i].name, name) == 0)
      return &commands[i];
  return NULL;
}

/* Removes --env-file FILE / --env-file=FILE from argv; returns the file, NULL if absent, or sets *bad. */
static const char *take_env_file(int *argc, char **argv, int *bad)
{
  const char *file = NULL;
  int kept = 1;
  for (int i = 1; i < *argc; i++) {
    if (strcmp(argv[i], "--env-file") == 0) {
      if (i + 1 >= *argc) {
        fprintf(stderr, "growthd: --env-file needs a file name\n");
        *bad = 1;
        return NULL;
      }
      file = argv[++i];
    } else if (strncmp(argv[i], "--env-file=", 11) == 0) {
      file = argv[i] + 11;
    } else {
      argv[kept++] = argv[i];
    }
  }
  *argc = kept;
  argv[kept] = NULL;
  return file;
}

static int run_command(const struct command *command, const char *env_file, int argc, char **argv)
{
  struct growth_error err = { 0 };
  struct dotenv *dotenv = NULL;
  if (env_file) {
    dotenv = dotenv_read_file(env_file, &err);
    if (!dotenv) {
      fprintf(stderr, "growthd: %s\n", err.message);
      return EXIT_USAGE;
    }
  }
  struct config config;
  int loaded = config_load(&config, lookup_setting, dotenv, &err);
  dotenv_free(dotenv);
  if (loaded != 0) {
    fprintf(stderr, "growthd: configuration error: %s\n", err.message);
    return EXIT_USAGE;
  }
  config.env_file = env_file;
  log_configure((enum log_format)config.log_format, (enum log_level)config.log_level);
  int status = command->run(&config, argc, argv);
  config_free(&config);
  return status;
}

int main(int argc, char **argv)
{
  int bad = 0;
  const char *env_file = take_env_file(&argc, argv, &bad);
  if (bad) {
    print_usage(stderr);
    return EXIT_USAGE;
  }
  if (argc < 2) {
    print_usage(stderr);
    return EXIT_USAGE;
  }
  if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
    print_usage(stdout);
    printf("\n");
    config_print_help(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
    printf("growthd %s\n", GROWTH_VERSION);
    return 0;
  }
  const struct command *command = find_command(argv[1]);
  if (!command) {
    fprintf(stderr, "growthd: unknown %s '%s'\n", argv[1][0] == '-' ? "option" : "command", argv[1]);
    print_usage(stderr);
    return EXIT_USAGE;
  }
  return run_command(command, env_file, argc - 2, argv + 2);
}
