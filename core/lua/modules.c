/*
 * modules.c — the table of growth.* modules, built from lua/modules.def.
 */
#include "lua/modules.h"

#include <string.h>

#include "lua/sandbox_internal.h"

struct module_row {
  const char *name;
  lua_CFunction open;
};

static const struct module_row module_rows[] = {
#define GROWTH_MODULE(name) { #name, api_##name##_open },
#include "lua/modules.def"
#undef GROWTH_MODULE
};

const char *const modules_names[] = {
#define GROWTH_MODULE(name) #name,
#include "lua/modules.def"
#undef GROWTH_MODULE
  NULL,
};

int modules_open(lua_State *L, const char *name)
{
  for (size_t i = 0; i < sizeof module_rows / sizeof module_rows[0]; i++) {
    if (strcmp(module_rows[i].name, name) == 0) {
      lua_pushcfunction(L, module_rows[i].open);
      lua_call(L, 0, 1);
      return 1;
    }
  }
  return 0;
}
