/*
 * api_pdf.c — growth.pdf: PDF documents built from Lua.
 *
 *   local pdf = require "growth.pdf"
 *   local doc = pdf.new{ title = "Niche report", author = "growthd", size = "A4" }
 *   doc:title("Your niches")
 *   doc:heading("Clusters", 1)            -- level 1 (default) or 2
 *   doc:paragraph("Long text wraps and breaks across pages.")
 *   doc:bullets{ "first", "second" }
 *   doc:table{ header = { "Niche", "Size" }, rows = { { "Coaching", 4 }, { "Writing", 3 } } }
 *   doc:bar_chart{ title = "Sizes", labels = { "Coaching", "Writing" }, values = { 4, 3 } }
 *   doc:scatter{ title = "Map", x_label = "PC1", y_label = "PC2",
 *                groups = { { label = "Coaching", points = { { 0.1, 0.2 }, { 0.3, 0.1, "mentor" } } } } }
 *   doc:ikigai{ love = { label = "Love", items = { "writing" } }, good_at = "Good at",
 *               world_needs = "Needs", paid_for = "Paid", center = "Purpose", passion = "Passion" }
 *   doc:page_break()
 *   doc:pages()                           --> 2 (also once finished)
 *   local bytes = doc:bytes()             -- the finished PDF (a string); ctx.artifact(name, doc) works too
 *   local path = doc:save("report.pdf")   -- written to the job's artifact folder
 *
 * A document is a userdata over providers/pdf (cairo and pango). Block tables
 * are converted to the JSON block description of pdf_json.h, so growth.pdf
 * accepts exactly what that format documents and reports errors the same
 * way, prefixed with the method ("pdf doc:table: row 2 has 3 cells; ...").
 * Every method that adds returns the document, so calls can be chained.
 *
 * Cairo's memory is outside the Lua VM's cap, so a job is held to
 * PDF_DOCUMENTS_MAX open documents, PDF_CONTENT_MAX_BYTES of content and
 * PDF_PAGES_MAX pages per document. bytes() finishes the document: its bytes
 * are kept in the userdata's user value, and adding afterwards is refused.
 * The userdata's __gc frees cairo's side, so a job that fails midway leaks
 * nothing. Rendering runs in C, outside the count hook: each add charges its
 * content bytes to the job's budget (sandbox_charge), which also checks the
 * deadline, so a job that keeps adding text stops at its time limit.
 */
#include <lauxlib.h>
#include <stdlib.h>
#include <string.h>

#include "lua/args.h"
#include "lua/marshal.h"
#include "lua/modules.h"
#include "lua/sandbox.h"
#include "lua/sandbox_internal.h"
#include "providers/pdf/pdf_document.h"
#include "providers/pdf/pdf_json.h"
#include "providers/services.h"

#define PDF_DOCUMENTS_MAX 16
#define PDF_CONTENT_MAX_BYTES (8 * 1024 * 1024)
#define PDF_PAGES_MAX 200
#define DOCUMENT_TYPE "growth.pdf.document"
#define OPEN_COUNT_KEY "growth.pdf.open"

struct pdf_handle {
  struct pdf_document *doc;   /* NULL once finished or freed */
  size_t content_bytes;
  int pages;                  /* at the time it was finished */
  int finished;               /* the bytes are in the user value */
  int broken;                 /* a rendering error: only freeing is left */
};

/* Open documents of this VM, kept in the registry. */
static lua_Integer open_count(lua_State *L, lua_Integer change)
{
  lua_getfield(L, LUA_REGISTRYINDEX, OPEN_COUNT_KEY);
  lua_Integer count = lua_tointeger(L, -1) + change;
  lua_pop(L, 1);
  lua_pushinteger(L, count);
  lua_setfield(L, LUA_REGISTRYINDEX, OPEN_COUNT_KEY);
  return count;
}

static void release(lua_State *L, struct pdf_handle *handle)
{
  if (handle->doc) {
    handle->pages = pdf_document_page_count(handle->doc);
    pdf_document_free(handle->doc);
    handle->doc = NULL;
    open_count(L, -1);
  }
}

static int document_gc(lua_State *L)
{
  struct pdf_handle *handle = luaL_testudata(L, 1, DOCUMENT_TYPE);
  if (handle)
    release(L, handle);
  return 0;
}

/* The document at argument 1, ready for another block; method names the call in errors. */
static struct pdf_handle *open_document(lua_State *L, const char *method)
{
  struct pdf_handle *handle = luaL_testudata(L, 1, DOCUMENT_TYPE);
  if (!handle)
    args_raise(L, ERR_BAD_ARGUMENT, "pdf doc:%s: call it with ':' on a document from pdf.new, got %s", method,
               luaL_typename(L, 1));
  if (handle->broken)
    args_raise(L, ERR_INTERNAL, "pdf doc:%s: the document failed earlier and can only be discarded; start a new one "
                                "with pdf.new", method);
  if (handle->finished)
    args_raise(L, ERR_BAD_ARGUMENT, "pdf doc:%s: the document is finished (bytes() or save() was called); start a "
                                    "new one with pdf.new", method);
  return handle;
}

/* Runs after an add: a rendering failure breaks the document; the page cap is checked. */
static void after_add(lua_State *L, struct pdf_handle *handle, const char *method, int rc, struct growth_error *err)
{
  char function[48];
  snprintf(function, sizeof function, "pdf doc:%s", method);
  if (rc != 0) {
    if (err->code != ERR_BAD_ARGUMENT)
      handle->broken = 1;
    err->retryable = 0;
    args_raise_from(L, err, function);
  }
  if (pdf_document_page_count(handle->doc) > PDF_PAGES_MAX) {
    handle->broken = 1;
    args_raise(L, ERR_TOO_LARGE, "%s: the document has more than %d pages", function, PDF_PAGES_MAX);
  }
}

/* Adds one block described by json (owned by owner, which is on the stack). */
static void add_block(lua_State *L, struct pdf_handle *handle, const char *method, struct args_owner *owner)
{
  struct growth_error err = { 0 };
  json_t *blocks = json_array();
  if (!blocks || json_array_append(blocks, owner->json) != 0) {
    json_decref(blocks);
    args_raise(L, ERR_NO_MEMORY, "pdf doc:%s: out of memory", method);
  }
  int rc = pdf_json_add_blocks(handle->doc, blocks, &err);
  json_decref(blocks);
  if (rc != 0) {
    /* "pdf: block 1 (table): row 2 ..." -> "row 2 ..." */
    const char *rest = strstr(err.message, "): ");
    if (strncmp(err.message, "pdf: block 1 (", 14) == 0 && rest)
      memmove(err.message, rest + 3, strlen(rest + 3) + 1);
  }
  after_add(L, handle, method, rc, &err);
}

/* doc:<method>(table): the table is the block (with "type" = method), or, for bullets, its items. */
static int add_table_block(lua_State *L, const char *method, const char *items_key)
{
  struct pdf_handle *handle = open_document(L, method);
  char what[48];
  snprintf(what, sizeof what, "pdf doc:%s", method);
  if (lua_type(L, 2) != LUA_TTABLE)
    args_error(L, what, "the argument", "a table", 2);
  lua_settop(L, 2);
  struct args_owner *owner = args_owner_push(L);
  struct growth_error err = { 0 };
  json_t *value = marshal_to_json(L, 2, what, PDF_CONTENT_MAX_BYTES, &err);
  if (!value) {
    err.retryable = 0;
    return sandbox_raise(L, &err);
  }
  if (items_key) {
    owner->json = json_object();
    if (!owner->json || json_object_set_new(owner->json, items_key, value) != 0) {
      json_decref(value);
      return args_raise(L, ERR_NO_MEMORY, "%s: out of memory", what);
    }
  } else {
    owner->json = value;
    if (!json_is_object(value))
      return args_error(L, what, "the argument", "a table of named fields", 2);
  }
  size_t size = json_dumpb(owner->json, NULL, 0, JSON_COMPACT);
  if (size > PDF_CONTENT_MAX_BYTES - handle->content_bytes)
    return args_raise(L, ERR_TOO_LARGE, "%s: the document would hold more than %d MB of content", what,
                      PDF_CONTENT_MAX_BYTES / (1024 * 1024));
  handle->content_bytes += size;
  if (json_object_set_new(owner->json, "type", json_string(method)) != 0)
    return args_raise(L, ERR_NO_MEMORY, "%s: out of memory", what);
  add_block(L, handle, method, owner);
  sandbox_charge(L, size);
  lua_settop(L, 1);
  return 1;
}

/* doc:title(text), doc:paragraph(text), doc:heading(text, level) */
static int add_text_block(lua_State *L, const char *method)
{
  struct pdf_handle *handle = open_document(L, method);
  char what[48];
  snprintf(what, sizeof what, "pdf doc:%s", method);
  size_t length;
  if (lua_type(L, 2) != LUA_TSTRING)
    args_error(L, what, "the text", "a string", 2);
  const char *text = lua_tolstring(L, 2, &length);
  lua_Integer level = 1;
  if (strcmp(method, "heading") == 0 && !lua_isnoneornil(L, 3)) {
    if (!lua_isinteger(L, 3) || (lua_tointeger(L, 3) != 1 && lua_tointeger(L, 3) != 2))
      args_error(L, what, "the level", "1 or 2", 3);
    level = lua_tointeger(L, 3);
  }
  if (length > PDF_CONTENT_MAX_BYTES - handle->content_bytes)
    return args_raise(L, ERR_TOO_LARGE, "%s: the document would hold more than %d MB of content", what,
                      PDF_CONTENT_MAX_BYTES / (1024 * 1024));
  handle->content_bytes += length;
  lua_settop(L, 2);
  struct args_owner *owner = args_owner_push(L);
  owner->json = json_pack("{s:s, s:s%, s:I}", "type", method, "text", text, length, "level", (json_int_t)level);
  if (!owner->json)
    return args_error(L, what, "the text", "UTF-8 text", 2);
  add_block(L, handle, method, owner);
  sandbox_charge(L, length);
  lua_settop(L, 1);
  return 1;
}

static int doc_title(lua_State *L) { return add_text_block(L, "title"); }
static int doc_heading(lua_State *L) { return add_text_block(L, "heading"); }
static int doc_paragraph(lua_State *L) { return add_text_block(L, "paragraph"); }
static int doc_bullets(lua_State *L) { return add_table_block(L, "bullets", "items"); }
static int doc_table(lua_State *L) { return add_table_block(L, "table", NULL); }
static int doc_bar_chart(lua_State *L) { return add_table_block(L, "bar_chart", NULL); }
static int doc_scatter(lua_State *L) { return add_table_block(L, "scatter", NULL); }
static int doc_ikigai(lua_State *L) { return add_table_block(L, "ikigai", NULL); }

static int doc_page_break(lua_State *L)
{
  struct pdf_handle *handle = open_document(L, "page_break");
  struct growth_error err = { 0 };
  after_add(L, handle, "page_break", pdf_add_page_break(handle->doc, &err), &err);
  lua_settop(L, 1);
  return 1;
}

static int doc_pages(lua_State *L)
{
  struct pdf_handle *handle = luaL_checkudata(L, 1, DOCUMENT_TYPE);
  lua_pushinteger(L, handle->doc ? pdf_document_page_count(handle->doc) : handle->pages);
  return 1;
}

/* Pushes the finished bytes, finishing the document on the first call. */
static void push_bytes(lua_State *L, const char *method)
{
  struct pdf_handle *handle = luaL_testudata(L, 1, DOCUMENT_TYPE);
  if (handle && handle->finished) {
    lua_getiuservalue(L, 1, 1);
    return;
  }
  handle = open_document(L, method);
  struct args_owner *owner = args_owner_push(L);
  size_t length = 0;
  struct growth_error err = { 0 };
  unsigned char *bytes = NULL;
  if (pdf_document_finish(handle->doc, &bytes, &length, &err) != 0) {
    handle->broken = 1;
    char function[48];
    snprintf(function, sizeof function, "pdf doc:%s", method);
    args_raise_from(L, &err, function);
  }
  owner->memory = bytes;
  lua_pushlstring(L, (const char *)bytes, length);
  free(owner->memory);
  owner->memory = NULL;
  lua_remove(L, -2);   /* the owner */
  lua_pushvalue(L, -1);
  lua_setiuservalue(L, 1, 1);
  handle->finished = 1;
  release(L, handle);
}

static int doc_bytes(lua_State *L)
{
  push_bytes(L, "bytes");
  return 1;
}

static int doc_save(lua_State *L)
{
  luaL_checkudata(L, 1, DOCUMENT_TYPE);
  if (lua_type(L, 2) != LUA_TSTRING)
    args_error(L, "pdf doc:save", "the name", "a file name such as report.pdf", 2);
  lua_settop(L, 2);
  push_bytes(L, "save");
  size_t length;
  const char *bytes = lua_tolstring(L, 3, &length);   /* push_bytes left exactly the string */
  struct args_owner *owner = args_owner_push(L);
  struct growth_error err = { 0 };
  char *path = NULL;
  if (services_job_save(sandbox_services(L), lua_tostring(L, 2), bytes, length, &path, &err) != 0) {
    err.retryable = err.code == ERR_IO;
    return args_raise_from(L, &err, "pdf doc:save");
  }
  owner->memory = path;
  lua_pushstring(L, path);
  return 1;
}

static int pdf_new(lua_State *L)
{
  static const char function[] = "pdf.new";
  if (lua_isnoneornil(L, 1)) {
    lua_settop(L, 0);
    lua_newtable(L);
  }
  args_check_table(L, 1, function);
  struct pdf_metadata metadata = {
    .title = args_string(L, 1, function, "title", 0, 0, NULL),
    .author = args_string(L, 1, function, "author", 0, 0, NULL),
    .subject = args_string(L, 1, function, "subject", 0, 0, NULL),
    .date = args_string(L, 1, function, "date", 0, 1, NULL),
  };
  const char *size_name = args_string(L, 1, function, "size", 0, 1, NULL);
  struct growth_error err = { 0 };
  enum pdf_page_size size = PDF_PAGE_A4;
  if (size_name && pdf_page_size_parse(size_name, &size, &err) != 0) {
    args_field(L, 1, "size");
    return args_error(L, function, "size", "\"A4\" or \"Letter\"", -1);
  }
  if (open_count(L, 0) >= PDF_DOCUMENTS_MAX)
    return args_raise(L, ERR_TOO_LARGE, "%s: a job may have at most %d documents open at once; finish one with "
                                        "bytes() first", function, PDF_DOCUMENTS_MAX);
  struct pdf_handle *handle = lua_newuserdatauv(L, sizeof *handle, 1);
  memset(handle, 0, sizeof *handle);
  luaL_setmetatable(L, DOCUMENT_TYPE);
  handle->doc = pdf_document_new(size, &metadata, &err);
  if (!handle->doc) {
    err.retryable = 0;
    return args_raise_from(L, &err, function);
  }
  open_count(L, 1);
  return 1;
}

static const luaL_Reg document_methods[] = {
  { "title", doc_title },       { "heading", doc_heading },     { "paragraph", doc_paragraph },
  { "bullets", doc_bullets },   { "table", doc_table },         { "bar_chart", doc_bar_chart },
  { "scatter", doc_scatter },   { "ikigai", doc_ikigai },       { "page_break", doc_page_break },
  { "pages", doc_pages },       { "bytes", doc_bytes },         { "save", doc_save },
  { NULL, NULL },
};

static const luaL_Reg pdf_functions[] = {
  { "new", pdf_new },
  { NULL, NULL },
};

int api_pdf_open(lua_State *L)
{
  if (luaL_newmetatable(L, DOCUMENT_TYPE)) {
    luaL_newlib(L, document_methods);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, document_gc);
    lua_setfield(L, -2, "__gc");
    lua_pushboolean(L, 0);
    lua_setfield(L, -2, "__metatable");
  }
  lua_pop(L, 1);
  luaL_newlib(L, pdf_functions);
  return 1;
}
