/*
 * fixture_providers.c — google_fixture's rate-limit and provider commands (see fixture.c).
 *
 *   google_fixture ratelimit NAME COUNT PERIOD_MS TIMES [--local]
 */
#include "fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net/rate_limit.h"
#include "redis/redis_pool.h"

static struct redis_pool *pool_from_config(const struct config *cfg, struct growth_error *err)
{
  struct redis_pool_options options = { .url = cfg->redis, .size = 2,
                                        .connect_timeout_ms = cfg->redis_connect_timeout_ms,
                                        .command_timeout_ms = cfg->redis_command_timeout_ms };
  return redis_pool_new(&options, err);
}

static int command_ratelimit(const struct config *cfg, int argc, char **argv)
{
  struct growth_error err = { 0 };
  if (argc < 4) {
    fprintf(stderr, "usage: google_fixture ratelimit NAME COUNT PERIOD_MS TIMES [--local]\n");
    return 2;
  }
  int local = argc > 4 && strcmp(argv[4], "--local") == 0;
  struct redis_pool *pool = local ? NULL : pool_from_config(cfg, &err);
  if (!local && !pool)
    return fixture_print_error(&err);
  struct rate_limiter *limiter = rate_limiter_new(pool, NULL, cfg->rate_wait_max_ms, &err);
  if (!limiter) {
    redis_pool_free(pool);
    return fixture_print_error(&err);
  }
  struct rate_limit limit = { argv[0], atol(argv[1]), atol(argv[2]) };
  int times = atoi(argv[3]);
  int status = 0;
  for (int i = 0; i < times; i++)
    status = rate_limiter_acquire(limiter, &limit, 1, &err) == 0 ? fixture_print_result(json_integer(i))
                                                                : fixture_print_error(&err);
  rate_limiter_free(limiter);
  redis_pool_free(pool);
  return status;
}

int fixture_providers(const struct config *cfg, int argc, char **argv)
{
  if (argc > 0 && strcmp(argv[0], "ratelimit") == 0)
    return command_ratelimit(cfg, argc - 1, argv + 1);
  fprintf(stderr, "unknown command %s\n", argc > 0 ? argv[0] : "");
  return 2;
}
