/*
 * fixture_providers.c — google_fixture's provider commands (see fixture.c).
 */
#include "fixture.h"

#include <stdio.h>

int fixture_providers(const struct config *cfg, int argc, char **argv)
{
  (void)cfg;
  fprintf(stderr, "unknown command %s\n", argc > 0 ? argv[0] : "");
  return 2;
}
