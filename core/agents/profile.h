/*
 * profile.h — a user's profile file and what one agent's job takes from it.
 *
 * A profile is {"user": {...}, "inputs": {"journal": {...}, "niche": {...}, ...}}
 * (scripts/profiles/demo.json): the user goes to every job's ctx.user and
 * inputs.<agent> to that agent's ctx.input. A profile without a "user" object
 * is taken as the user itself (the older flat form), with no inputs.
 */
#ifndef GROWTH_AGENTS_PROFILE_H
#define GROWTH_AGENTS_PROFILE_H

#include <jansson.h>

/* The user of profile (borrowed): profile.user when it is an object, else profile. */
json_t *profile_user(json_t *profile);

/* The input of agent in profile (borrowed), or NULL when the profile has none for it. */
json_t *profile_input(json_t *profile, const char *agent);

#endif
