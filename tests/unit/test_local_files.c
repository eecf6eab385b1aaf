/*
 * test_local_files.c — the one file writer of the local backends: atomic
 * replacement, plain names, folders, a failed write that leaves the old file
 * and no temporary file, a full disk named as such, and locked appends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "providers/local_files.h"

#include "support/unit_support.h"

/* Names in folder, sorted, joined with ' '. */
static void list(const char *folder, char *out, size_t size)
{
  char names[16][256];
  int count = 0;
  DIR *dir = opendir(folder);
  assert_non_null(dir);
  for (struct dirent *entry; (entry = readdir(dir)) && count < 16;)
    if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
      snprintf(names[count++], sizeof names[0], "%s", entry->d_name);
  closedir(dir);
  qsort(names, (size_t)count, sizeof names[0], (int (*)(const void *, const void *))strcmp);
  out[0] = '\0';
  for (int i = 0; i < count; i++)
    snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "", names[i]);
}

static void test_write_replaces_whole_files(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  char folder[256], path[300], names[512];
  snprintf(folder, sizeof folder, "%s/a/b", dir);
  assert_int_equal(local_files_mkdirs(folder, &err), 0);
  assert_int_equal(local_files_mkdirs(folder, &err), 0);   /* again: nothing to do */
  snprintf(path, sizeof path, "%s/report.csv", folder);
  assert_int_equal(local_files_write(path, "one\n", 4, &err), 0);
  assert_int_equal(local_files_write(path, "two, longer\n", 12, &err), 0);
  char *text = NULL;
  size_t size = 0;
  assert_int_equal(local_files_read(path, &text, &size, &err), 0);
  assert_string_equal(text, "two, longer\n");
  free(text);
  struct stat st;
  assert_int_equal(stat(path, &st), 0);
  assert_int_equal(st.st_mode & 0777, 0644);
  assert_int_equal(local_files_write_in(folder, "note.eml", "x", 1, &err), 0);
  list(folder, names, sizeof names);
  assert_string_equal(names, "note.eml report.csv");
}

static void test_names_and_folders_are_checked(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  assert_int_equal(local_files_write_in(dir, "../x", "x", 1, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_string_equal(err.message, "'../x' is not a plain file name");
  assert_int_equal(local_files_write_in(dir, ".hidden", "x", 1, &err), -1);
  assert_int_equal(local_files_append_line(dir, "", "x\n", 2, &err), -1);
  assert_int_equal(local_files_append_line(dir, "a.jsonl", "x\ny\n", 4, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  char path[300];
  snprintf(path, sizeof path, "%s/plain", dir);
  assert_int_equal(local_files_write(path, "x", 1, &err), 0);
  snprintf(path, sizeof path, "%s/plain/below", dir);
  assert_int_equal(local_files_mkdirs(path, &err), -1);
  assert_int_equal(err.code, ERR_IO);
  snprintf(path, sizeof path, "%s/missing/file.txt", dir);
  assert_int_equal(local_files_write(path, "x", 1, &err), -1);
  assert_non_null(strstr(err.message, "No such file or directory"));
  assert_int_equal(local_files_read(path, &(char *){ NULL }, &(size_t){ 0 }, &err), -1);
  assert_int_equal(err.code, ERR_NOT_FOUND);
  char *outbox = local_files_outbox(dir, "mail", &err);
  assert_non_null(outbox);
  assert_true(strstr(outbox, "/outbox/mail") != NULL);
  free(outbox);
  assert_null(local_files_outbox("", "mail", &err));
  assert_int_equal(err.code, ERR_BAD_CONFIG);
}

/* A write the file system refuses half way (here the file size limit, as a full disk would) fails,
 * keeps the old file whole and leaves no temporary file. */
static void test_a_failed_write_leaves_the_old_file(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  char path[300], names[512];
  snprintf(path, sizeof path, "%s/big.bin", dir);
  assert_int_equal(local_files_write(path, "old", 3, &err), 0);
  size_t size = 256 * 1024;
  char *data = calloc(1, size);
  assert_non_null(data);
  struct rlimit saved, small = { 64 * 1024, 0 };
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &saved), 0);
  small.rlim_max = saved.rlim_max;
  void (*previous)(int) = signal(SIGXFSZ, SIG_IGN);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
  int rc = local_files_write(path, data, size, &err);
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &saved), 0);
  signal(SIGXFSZ, previous);
  free(data);
  assert_int_equal(rc, -1);
  assert_int_equal(err.code, ERR_IO);
  assert_non_null(strstr(err.message, "cannot write"));
  assert_non_null(strstr(err.message, "big.bin"));
  char *text = NULL;
  assert_int_equal(local_files_read(path, &text, &size, &err), 0);
  assert_string_equal(text, "old");
  free(text);
  list(dir, names, sizeof names);
  assert_string_equal(names, "big.bin");
}

/* /dev/full takes no byte: the append fails with ENOSPC, said in words. */
static void test_a_full_disk_is_named(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  if (access("/dev/full", W_OK) != 0)
    skip();
  assert_int_equal(local_files_append_line("/dev", "full", "x\n", 2, &err), -1);
  assert_non_null(strstr(err.message, "cannot append to /dev/full: No space left on device (the disk is full; "
                                      "the file was left as it was)"));
}

static void test_append_once(void **state)
{
  const char *dir = *state;
  struct growth_error err = { 0 };
  assert_int_equal(local_files_append_line_once(dir, "s.jsonl", "{\"k\":1}\n", 8, "\"k\":1", &err), 0);
  assert_int_equal(local_files_append_line_once(dir, "s.jsonl", "{\"k\":1}\n", 8, "\"k\":1", &err), 1);
  assert_int_equal(local_files_append_line(dir, "s.jsonl", "{\"k\":2}\n", 8, &err), 0);
  char path[300], *text = NULL;
  size_t size = 0;
  snprintf(path, sizeof path, "%s/s.jsonl", dir);
  assert_int_equal(local_files_read(path, &text, &size, &err), 0);
  assert_string_equal(text, "{\"k\":1}\n{\"k\":2}\n");
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown(test_write_replaces_whole_files, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test_setup_teardown(test_names_and_folders_are_checked, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test_setup_teardown(test_a_failed_write_leaves_the_old_file, unit_temp_dir_setup, unit_temp_dir_teardown),
    cmocka_unit_test(test_a_full_disk_is_named),
    cmocka_unit_test_setup_teardown(test_append_once, unit_temp_dir_setup, unit_temp_dir_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
