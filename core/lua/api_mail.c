/*
 * api_mail.c — growth.mail: e-mail for agents.
 *
 *   local mail = require "growth.mail"
 *   local sent = mail.send{
 *     to = "ada@example.com",            -- or a list: { "a@x.org", { name = "Zoë", email = "z@x.org" } }
 *     subject = "Your weekly report",
 *     text = "Hello ...",                -- the plain-text body (always)
 *     html = "<p>Hello ...</p>",         -- optional: then multipart/alternative
 *     attachments = { { name = "report.pdf", mime = "application/pdf", bytes = doc } },
 *   }
 *   sent.message_id                      --> "<hex>@growthd" (without angle brackets)
 *   sent.path                            --> the .eml file when the local backend kept it, else nil
 *
 * The message is built by providers/mail (RFC 5322, MIME, RFC 2047 headers)
 * and sent by the job's backend: SMTP when it is live, an .eml file under
 * GROWTH_DATA_DIR/outbox/mail/ when local. `bytes` of an attachment is a
 * string or an object with a bytes() method (a growth.pdf document).
 *
 * Every field is checked before anything is built; the C arrays live in Lua
 * userdata (inside the job's memory cap, collected with the VM) and the
 * strings stay anchored by the argument table or an anchor table on the stack.
 */
#include <lauxlib.h>
#include <stdio.h>
#include <string.h>

#include "lua/args.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "providers/mail/mail.h"
#include "providers/services.h"

static const char function[] = "mail.send";

/* Reads one recipient at the top of the stack (a string or {name, email}) into out. */
static void read_recipient(lua_State *L, const char *field, struct mail_address *out)
{
  int index = lua_gettop(L);
  char email_field[48];
  out->name = NULL;
  if (lua_type(L, index) == LUA_TTABLE) {
    snprintf(email_field, sizeof email_field, "%s.email", field);
    out->name = args_string(L, index, function, "name", 0, 0, NULL);
    if (args_field(L, index, "email") != LUA_TSTRING)
      args_error(L, function, email_field, "an email address", -1);
    lua_replace(L, index);   /* the email string; the recipient table stays anchored by the argument */
    field = email_field;
  } else if (lua_type(L, index) != LUA_TSTRING) {
    args_error(L, function, field, "an email address, or a table { name = ..., email = ... }", index);
  }
  out->email = lua_tostring(L, index);
  struct growth_error err = { 0 };
  if (mail_check_address(out->email, &err) != 0)
    args_error(L, function, field, "an email address", index);
}

/* Fills the recipients from field `to` (a string, {name, email} or a list of those). */
static struct mail_address *read_recipients(lua_State *L, int anchor, size_t *count)
{
  int type = args_field(L, 1, "to");
  int list = lua_gettop(L);
  int single = type == LUA_TSTRING;
  if (type == LUA_TTABLE) {
    single = args_field(L, list, "email") != LUA_TNIL;
    lua_pop(L, 1);
  } else if (!single) {
    args_error(L, function, "to", "an email address or a list of them", list);
  }
  *count = single ? 1 : args_list(L, list, function, "to", 0);
  if (*count > MAIL_MAX_RECIPIENTS)
    args_raise(L, ERR_BAD_ARGUMENT, "%s: to has %zu recipients; expected at most %d", function, *count,
               MAIL_MAX_RECIPIENTS);
  struct mail_address *to = lua_newuserdatauv(L, *count * sizeof *to, 0);
  lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
  for (size_t i = 0; i < *count; i++) {
    char field[32];
    if (single)
      snprintf(field, sizeof field, "to");
    else
      snprintf(field, sizeof field, "to[%zu]", i + 1);
    if (single)
      lua_pushvalue(L, list);
    else
      lua_rawgeti(L, list, (lua_Integer)i + 1);
    read_recipient(L, field, &to[i]);
    lua_pop(L, 1);
  }
  lua_settop(L, list - 1);
  return to;
}

/* Reads attachment i (1-based) at the top of the stack into out; anchors its bytes in anchor. */
static void read_attachment(lua_State *L, int anchor, size_t i, struct mail_attachment *out)
{
  int index = lua_gettop(L);
  char field[48];
  snprintf(field, sizeof field, "attachments[%zu]", i);
  if (lua_type(L, index) != LUA_TTABLE)
    args_error(L, function, field, "a table { name = ..., mime = ..., bytes = ... }", index);
  snprintf(field, sizeof field, "attachments[%zu].name", i);
  out->filename = args_string(L, index, function, "name", 0, 0, NULL);
  if (!out->filename || !*out->filename || strpbrk(out->filename, "/\\\r\n")) {
    args_field(L, index, "name");
    args_error(L, function, field, "a file name without '/', '\\' or line breaks", -1);
  }
  snprintf(field, sizeof field, "attachments[%zu].mime", i);
  out->content_type = args_string(L, index, function, "mime", 0, 0, NULL);
  if (out->content_type && (!strchr(out->content_type, '/') || strpbrk(out->content_type, " \r\n;"))) {
    args_field(L, index, "mime");
    args_error(L, function, field, "a media type such as application/pdf", -1);
  }
  snprintf(field, sizeof field, "attachments[%zu].bytes", i);
  int type = args_field(L, index, "bytes");
  if (type == LUA_TTABLE || type == LUA_TUSERDATA) {
    if (lua_getfield(L, -1, "bytes") != LUA_TFUNCTION) {
      lua_pop(L, 1);
      args_error(L, function, field, "a string or an object with a bytes() method", -1);
    }
    lua_insert(L, -2);
    lua_call(L, 1, 1);
    type = lua_type(L, -1);
  }
  if (type != LUA_TSTRING)
    args_error(L, function, field, "a string or an object with a bytes() method", -1);
  out->data = (const unsigned char *)lua_tolstring(L, -1, &out->len);
  lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
  lua_settop(L, index);
}

static struct mail_attachment *read_attachments(lua_State *L, int anchor, size_t *count)
{
  *count = 0;
  if (args_field(L, 1, "attachments") == LUA_TNIL) {
    lua_pop(L, 1);
    return NULL;
  }
  int list = lua_gettop(L);
  *count = args_list(L, list, function, "attachments", 1);
  struct mail_attachment *attachments = lua_newuserdatauv(L, (*count ? *count : 1) * sizeof *attachments, 0);
  lua_rawseti(L, anchor, (lua_Integer)lua_rawlen(L, anchor) + 1);
  for (size_t i = 0; i < *count; i++) {
    lua_rawgeti(L, list, (lua_Integer)i + 1);
    read_attachment(L, anchor, i + 1, &attachments[i]);
    lua_pop(L, 1);
  }
  lua_settop(L, list - 1);
  return attachments;
}

static int mail_send_message(lua_State *L)
{
  args_check_table(L, 1, function);
  lua_settop(L, 1);
  lua_newtable(L);   /* anchors the C arrays and the attachments' bytes */
  int anchor = 2;
  struct mail_message message = { 0 };
  /* the attachments first: their bytes() methods run Lua code, which could change the argument
   * table; after them no Lua code runs, so the strings read below stay anchored by it */
  message.attachments = read_attachments(L, anchor, &message.attachment_count);
  message.to = read_recipients(L, anchor, &message.to_count);
  message.subject = args_string(L, 1, function, "subject", 1, 1, NULL);
  if (strpbrk(message.subject, "\r\n")) {
    args_field(L, 1, "subject");
    return args_error(L, function, "subject", "one line (no line breaks)", -1);
  }
  message.text = args_string(L, 1, function, "text", 1, 0, NULL);
  message.html = args_string(L, 1, function, "html", 0, 0, NULL);

  struct growth_error err = { 0 };
  const struct services_job *job = sandbox_services(L);
  const struct services *services = job ? job->services : NULL;
  char message_id[MAIL_MESSAGE_ID_SIZE];
  struct args_owner *owner = args_owner_push(L);
  char *stored = NULL;
  char key[EFFECT_KEY_MAX];   /* inside ctx.step: the same message when the step runs again after a crash */
  if (sandbox_next_effect_key(L, key, sizeof key) == 0)
    message.idempotency_key = key;
  if (services_require(services, SERVICE_MAIL, &err) != 0 ||
      mail_send_stored(services_config(services), &message, message_id, &stored, &err) != 0)
    return args_raise_from(L, &err, function);
  owner->memory = stored;
  lua_createtable(L, 0, 2);
  lua_pushstring(L, message_id);
  lua_setfield(L, -2, "message_id");
  if (stored) {
    lua_pushstring(L, stored);
    lua_setfield(L, -2, "path");
  }
  return 1;
}

static const luaL_Reg mail_functions[] = {
  { "send", mail_send_message },
  { NULL, NULL },
};

int api_mail_open(lua_State *L)
{
  luaL_newlib(L, mail_functions);
  return 1;
}
