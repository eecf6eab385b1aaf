/*
 * hostile_driver.c — runs the hostile-script corpus (tests/lua/hostile/) in one process.
 *
 * Each case is an agent file whose header says what must happen:
 *   -- expect: timeout | memory_limit | script_error | too_large | bad_argument | ok | refused
 *   -- message: a fragment the failure reason (or, for ok, the result JSON) must contain
 * For each case the driver loads the agent as the registry would (refused = the loader said no),
 * runs one job through the runner with the default 64 MB memory cap and a 50M instruction budget, checks the
 * outcome, then checks that every byte of the job's VM was given back (memory back to the
 * baseline) and that a clean canary job still sees pristine globals. The process surviving the
 * whole corpus is the last check. The fonts growth.pdf uses are loaded once before the corpus. Output is one line per case; exit 1 when any case failed.
 *
 *   hostile_driver DIR     (DIR holds hostile/; it is also the scripts folder)
 */
#include <dirent.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agents/host_memory.h"
#include "agents/loader.h"
#include "agents/runner.h"
#include "lua/sandbox.h"
#include "providers/pdf/pdf_document.h"

#define CASES_MAX 128
#define MEMORY_BYTES (64u * 1024 * 1024)   /* GROWTH_LUA_MEMORY_MB's default */
#define INSTRUCTIONS (50u * 1000 * 1000)
#define HEAP_SLACK_BYTES (256 * 1024)

static const char *canary_text =
    "return { name = 'canary', tier = 'rooted', run = function(ctx)\n"
    "  local words = {}\n"
    "  for word in ('a b'):gmatch('%S+') do table.insert(words, word:upper()) end\n"
    "  return { words = words, print = type(print), pairs = type(pairs), planted = tostring(rawget(_G, 'planted')),\n"
    "           g_meta = tostring(getmetatable(_G)), add = pcall(function() return 'a' + 1 end) }\n"
    "end }\n";
static const char *canary_expected =
    "{\"add\":false,\"g_meta\":\"nil\",\"pairs\":\"function\",\"planted\":\"nil\",\"print\":\"function\","
    "\"words\":[\"A\",\"B\"]}";

struct expectation {
  char outcome[32];
  char message[256];
};

static int read_expectation(const char *path, struct expectation *expect)
{
  FILE *file = fopen(path, "r");
  if (!file)
    return -1;
  char line[512];
  memset(expect, 0, sizeof *expect);
  while (fgets(line, sizeof line, file) && strncmp(line, "--", 2) == 0) {
    line[strcspn(line, "\n")] = '\0';
    if (strncmp(line, "-- expect: ", 11) == 0)
      snprintf(expect->outcome, sizeof expect->outcome, "%.31s", line + 11);
    else if (strncmp(line, "-- message: ", 12) == 0)
      snprintf(expect->message, sizeof expect->message, "%.255s", line + 12);
  }
  fclose(file);
  return expect->outcome[0] ? 0 : -1;
}

/* Runs one job of the agent at path; fills outcome ("ok", "refused" or an error code) and text. */
static void run_case(const char *scripts_dir, const char *path, char *outcome, size_t outcome_size, char *text,
                     size_t text_size)
{
  struct loader_options loader_options = { .scripts_dir = scripts_dir, .memory_bytes = MEMORY_BYTES };
  struct agent_script *script = NULL;
  struct growth_error err = { 0 };
  if (loader_load(&loader_options, path, &script, NULL, NULL, &err) != 0) {
    snprintf(outcome, outcome_size, "refused");
    snprintf(text, text_size, "%s", err.message);
    return;
  }
  struct memory_host *host = memory_host_new(NULL, &err);
  struct agent_host callbacks;
  memory_host_bind(host, &callbacks);
  struct runner_job job = { .id = "hostile", .attempt = 1 };
  struct runner_options options = { .memory_bytes = MEMORY_BYTES, .instruction_limit = INSTRUCTIONS,
                                    .scripts_dir = scripts_dir };
  struct runner_outcome result;
  if (runner_run(script, &job, &callbacks, &options, &result, &err) == 0) {
    char *json = json_dumps(result.result, JSON_COMPACT | JSON_SORT_KEYS);
    snprintf(outcome, outcome_size, "ok");
    snprintf(text, text_size, "%s", json ? json : "");
    free(json);
    runner_outcome_clear(&result);
  } else {
    snprintf(outcome, outcome_size, "%s", error_code_name(err.code));
    snprintf(text, text_size, "%s", err.message);
  }
  memory_host_free(host);
  agent_script_release(script);
}

static int compare_names(const void *a, const void *b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_canary(const char *scripts_dir, const char *canary_path)
{
  char outcome[32], text[1024];
  run_case(scripts_dir, canary_path, outcome, sizeof outcome, text, sizeof text);
  if (strcmp(outcome, "ok") != 0 || strcmp(text, canary_expected) != 0) {
    printf("  canary: %s %s\n  expected: ok %s\n", outcome, text, canary_expected);
    return -1;
  }
  return 0;
}

/* Bytes malloc has handed out: heap chunks and mmapped blocks. Both count, because glibc moves its
 * mmap threshold up after a large block is freed, so the same allocation lands in one or the other
 * depending on the cases that ran before. */
static size_t heap_in_use(void)
{
  struct mallinfo2 info = mallinfo2();
  return info.uordblks + info.hblkhd;
}

/* Renders a 200-page document of paragraphs as long as the longest in the corpus (37_pdf_page_bomb):
 * the font caches of pango and fontconfig, cairo's glyph caches and the blocks glib's slice allocator
 * keeps for reuse reach their high-water mark here, once, and are not taken for a job's leak. */
static int warm_fonts(void)
{
  static const char words[] = "The quick brown fox jumps over the lazy dog 0123456789 filler ";
  size_t size = 160 * 1024;
  char *text = malloc(size);
  struct growth_error err = { 0 };
  struct pdf_document *doc = text ? pdf_document_new(PDF_PAGE_A4, &(struct pdf_metadata){ 0 }, &err) : NULL;
  unsigned char *bytes = NULL;
  size_t length = 0, used = 0;
  int rc = -1;
  if (doc) {
    while (used + sizeof words < size)
      used += (size_t)snprintf(text + used, size - used, "%s", words);
    rc = 0;
    while (rc == 0 && pdf_document_page_count(doc) <= 200)
      rc = pdf_add_paragraph(doc, text, &err);
    if (rc == 0)
      rc = pdf_document_finish(doc, &bytes, &length, &err);
  }
  if (rc != 0)
    fprintf(stderr, "hostile_driver: cannot render a warm-up PDF: %s\n", text ? err.message : "out of memory");
  free(bytes);
  pdf_document_free(doc);
  free(text);
  return rc;
}

int main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: hostile_driver DIR\n");
    return 2;
  }
  const char *scripts_dir = argv[1];
  char hostile_dir[4096], canary_dir[] = "/tmp/growth-canary-XXXXXX", canary_path[4200];
  snprintf(hostile_dir, sizeof hostile_dir, "%s/hostile", scripts_dir);
  if (!mkdtemp(canary_dir))
    return 2;
  snprintf(canary_path, sizeof canary_path, "%s/canary.lua", canary_dir);
  FILE *canary = fopen(canary_path, "w");
  if (!canary)
    return 2;
  fputs(canary_text, canary);
  fclose(canary);

  char *names[CASES_MAX];
  size_t count = 0;
  DIR *dir = opendir(hostile_dir);
  if (!dir) {
    fprintf(stderr, "hostile_driver: cannot read %s\n", hostile_dir);
    return 2;
  }
  struct dirent *entry;
  while ((entry = readdir(dir)) && count < CASES_MAX) {
    size_t length = strlen(entry->d_name);
    if (length > 4 && strcmp(entry->d_name + length - 4, ".lua") == 0)
      names[count++] = strdup(entry->d_name);
  }
  closedir(dir);
  qsort(names, count, sizeof *names, compare_names);

  /* warm up once, so one-time allocations (locale, stdio; the process-wide caches growth.pdf fills,
   * see warm_fonts) are not taken for a leak */
  if (run_canary(scripts_dir, canary_path) != 0 || warm_fonts() != 0)
    return 1;
  size_t failures = 0;
  for (size_t i = 0; i < count; i++) {
    char path[8192], outcome[32], text[1024];
    struct expectation expect;
    snprintf(path, sizeof path, "%s/%s", hostile_dir, names[i]);
    if (read_expectation(path, &expect) != 0) {
      printf("FAIL %s: no '-- expect:' header\n", names[i]);
      failures++;
      continue;
    }
    size_t heap_before = heap_in_use();
    run_case(scripts_dir, path, outcome, sizeof outcome, text, sizeof text);
    size_t heap_after = heap_in_use();
    int ok = strcmp(outcome, expect.outcome) == 0 && strstr(text, expect.message) != NULL;
    printf("%s %-32s %-13s %.160s\n", ok ? "ok  " : "FAIL", names[i], outcome, text);
    if (!ok)
      printf("  expected: %s containing '%s'\n", expect.outcome, expect.message);
    if (sandbox_memory_live_total() != 0) {
      printf("  FAIL: %zu bytes of Lua heap still held after the job\n", sandbox_memory_live_total());
      ok = 0;
    }
    if (heap_after > heap_before + HEAP_SLACK_BYTES) {
      printf("  FAIL: the process heap grew by %zu bytes over the job\n", heap_after - heap_before);
      ok = 0;
    }
    if (run_canary(scripts_dir, canary_path) != 0) {
      printf("  FAIL: the next job did not run clean\n");
      ok = 0;
    }
    failures += !ok;
    free(names[i]);
  }
  unlink(canary_path);
  rmdir(canary_dir);
  pdf_shutdown();
  printf("%zu hostile scripts, %zu failed; the process survived them all\n", count, failures);
  return failures ? 1 : 0;
}
