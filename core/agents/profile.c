/*
 * profile.c — a job's user and input out of a profile (see profile.h).
 */
#include "agents/profile.h"

json_t *profile_user(json_t *profile)
{
  json_t *user = json_object_get(profile, "user");
  return json_is_object(user) ? user : profile;
}

json_t *profile_input(json_t *profile, const char *agent)
{
  if (!json_is_object(json_object_get(profile, "user")))
    return NULL;
  json_t *input = json_object_get(json_object_get(profile, "inputs"), agent);
  return json_is_object(input) ? input : NULL;
}
