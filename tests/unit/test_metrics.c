/*
 * test_metrics.c — the metrics registry and its Prometheus text rendering:
 * HELP/TYPE lines, label escaping, number forms, histogram buckets with +Inf,
 * idempotent registration, conflicts, the series cap, collectors, and updates
 * from many threads adding up exactly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/metrics.h"
#include "base/metrics_text.h"

static char *render(struct metrics_registry *registry)
{
  char *text = NULL;
  size_t length = 0;
  struct growth_error err = { 0 };
  assert_int_equal(metrics_render(registry, &text, &length, &err), 0);
  assert_non_null(text);
  assert_int_equal(strlen(text), length);
  return text;
}

static void assert_contains(const char *text, const char *needle)
{
  if (!strstr(text, needle))
    fail_msg("expected to find\n%s\nin\n%s", needle, text);
}

static void test_numbers(void **state)
{
  (void)state;
  char out[32];
  struct {
    double value;
    const char *text;
  } cases[] = {
    { 0, "0" }, { -0.0, "0" }, { 3, "3" }, { -12, "-12" }, { 0.1, "0.1" }, { 0.005, "0.005" }, { 2.5, "2.5" },
    { 1e20, "1e+20" }, { 1.0 / 3.0, "0.33333333333333331" }, { INFINITY, "+Inf" }, { -INFINITY, "-Inf" },
    { NAN, "NaN" }, { 9007199254740991.0, "9007199254740991" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    metrics_text_number(cases[i].value, out, sizeof out);
    assert_string_equal(out, cases[i].text);
  }
}

static void test_names(void **state)
{
  (void)state;
  assert_true(metrics_text_valid_metric_name("growth_http_requests_total"));
  assert_true(metrics_text_valid_metric_name("ns:sub_metric"));
  assert_false(metrics_text_valid_metric_name("9lives"));
  assert_false(metrics_text_valid_metric_name("has-dash"));
  assert_false(metrics_text_valid_metric_name(""));
  assert_true(metrics_text_valid_label_name("route", 5));
  assert_false(metrics_text_valid_label_name("__name__", 8));
  assert_false(metrics_text_valid_label_name("le", 2));
  assert_false(metrics_text_valid_label_name("a:b", 3));
}

static void test_counter_gauge_and_escaping(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_registry_new(&err);
  struct metric *requests = metrics_counter(registry, "http_requests_total", "Requests \\ by \"route\"\nand status",
                                            "route,status", &err);
  assert_non_null(requests);
  struct metric *depth = metrics_gauge(registry, "queue_depth", "Jobs waiting", "", &err);
  assert_non_null(depth);
  metric_inc(requests, (const char *[]){ "/health", "200" });
  metric_add(requests, (const char *[]){ "/health", "200" }, 2);
  metric_add(requests, (const char *[]){ "/health", "200" }, -5);   /* counters never go down */
  metric_add(requests, (const char *[]){ "/health", "200" }, NAN);
  metric_inc(requests, (const char *[]){ "a\"b\\c\nd", "404" });
  metric_set(depth, NULL, 7);
  metric_add(depth, NULL, -2.5);
  metric_set(requests, (const char *[]){ "/x", "200" }, 99);      /* set is for gauges only */
  metric_inc(NULL, NULL);                                          /* a failed registration is harmless */

  char *text = render(registry);
  const char *expected =
      "# HELP http_requests_total Requests \\\\ by \"route\"\\nand status\n"
      "# TYPE http_requests_total counter\n"
      "http_requests_total{route=\"/health\",status=\"200\"} 3\n"
      "http_requests_total{route=\"a\\\"b\\\\c\\nd\",status=\"404\"} 1\n"
      "# HELP queue_depth Jobs waiting\n"
      "# TYPE queue_depth gauge\n"
      "queue_depth 4.5\n";
  assert_string_equal(text, expected);
  free(text);
  metrics_registry_free(registry);
}

static void test_histogram(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_registry_new(&err);
  const double bounds[] = { 0.1, 0.5, 1 };
  struct metric *latency = metrics_histogram(registry, "latency_seconds", "Latency", "route", bounds, 3, &err);
  assert_non_null(latency);
  const char *route[] = { "/health" };
  metric_observe(latency, route, 0.05);
  metric_observe(latency, route, 0.1);   /* le is inclusive */
  metric_observe(latency, route, 0.7);
  metric_observe(latency, route, 4);
  metric_observe(latency, route, NAN);   /* ignored */
  char *text = render(registry);
  const char *expected =
      "# HELP latency_seconds Latency\n"
      "# TYPE latency_seconds histogram\n"
      "latency_seconds_bucket{route=\"/health\",le=\"0.1\"} 2\n"
      "latency_seconds_bucket{route=\"/health\",le=\"0.5\"} 2\n"
      "latency_seconds_bucket{route=\"/health\",le=\"1\"} 3\n"
      "latency_seconds_bucket{route=\"/health\",le=\"+Inf\"} 4\n"
      "latency_seconds_sum{route=\"/health\"} 4.85\n"
      "latency_seconds_count{route=\"/health\"} 4\n";
  assert_string_equal(text, expected);
  free(text);

  /* Without labels: the one series exists from the start, le is the only label. */
  struct metric *plain = metrics_histogram(registry, "plain_seconds", "Plain", NULL, bounds, 1, &err);
  assert_non_null(plain);
  text = render(registry);
  assert_contains(text, "plain_seconds_bucket{le=\"0.1\"} 0\nplain_seconds_bucket{le=\"+Inf\"} 0\n"
                        "plain_seconds_sum 0\nplain_seconds_count 0\n");
  free(text);
  metrics_registry_free(registry);
}

static void test_registration_rules(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_registry_new(&err);
  struct metric *a = metrics_counter(registry, "jobs_total", "Jobs", "agent,state", &err);
  assert_non_null(a);
  assert_ptr_equal(metrics_counter(registry, "jobs_total", "Jobs again", "agent,state", &err), a);
  assert_null(metrics_gauge(registry, "jobs_total", "Jobs", "agent,state", &err));
  assert_int_equal(err.code, ERR_CONFLICT);
  assert_null(metrics_counter(registry, "jobs_total", "Jobs", "agent", &err));
  assert_int_equal(err.code, ERR_CONFLICT);
  assert_null(metrics_counter(registry, "bad-name", "x", NULL, &err));
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_null(metrics_counter(registry, "x_total", "x", "a,,b", &err));
  assert_null(metrics_counter(registry, "x_total", "x", "a,a", &err));
  assert_non_null(strstr(err.message, "twice"));
  assert_null(metrics_counter(registry, "x_total", "x", "le", &err));
  const double unordered[] = { 1, 0.5 };
  assert_null(metrics_histogram(registry, "h", "h", NULL, unordered, 2, &err));
  const double other[] = { 1, 2 };
  assert_non_null(metrics_histogram(registry, "h2", "h", NULL, NULL, 0, &err));
  assert_null(metrics_histogram(registry, "h2", "h", NULL, other, 2, &err));
  metrics_registry_free(registry);
}

static void test_series_cap(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_registry_new(&err);
  struct metric *counter = metrics_counter(registry, "paths_total", "Paths", "path", &err);
  char value[32];
  for (int i = 0; i < METRICS_MAX_SERIES + 50; i++) {
    snprintf(value, sizeof value, "/p/%d", i);
    metric_inc(counter, (const char *[]){ value });
  }
  metric_inc(counter, (const char *[]){ "/p/0" });   /* known series still count */
  char *text = render(registry);
  size_t lines = 0;
  for (const char *p = text; (p = strstr(p, "\npaths_total{")); p++)
    lines++;
  assert_int_equal(lines, METRICS_MAX_SERIES);
  assert_contains(text, "paths_total{path=\"/p/0\"} 2\n");
  assert_null(strstr(text, "/p/2000\""));
  free(text);
  metrics_registry_free(registry);
}

static void collect_depth(void *context)
{
  struct metric *gauge = context;
  static int calls;
  metric_set(gauge, (const char *[]){ "waiting" }, ++calls);
}

static void test_collectors(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_registry_new(&err);
  struct metric *gauge = metrics_gauge(registry, "depth", "Depth", "state", &err);
  assert_int_equal(metrics_add_collector(registry, collect_depth, gauge, &err), 0);
  char *text = render(registry);
  assert_contains(text, "depth{state=\"waiting\"} 1\n");
  free(text);
  text = render(registry);
  assert_contains(text, "depth{state=\"waiting\"} 2\n");
  free(text);
  metrics_remove_collector(registry, collect_depth, gauge);
  text = render(registry);
  assert_contains(text, "depth{state=\"waiting\"} 2\n");
  free(text);
  metrics_registry_free(registry);
}

#define THREADS 8
#define UPDATES 20000

static void *hammer(void *arg)
{
  struct metric **metrics = arg;
  const char *labels[][1] = { { "a" }, { "b" }, { "c" } };
  for (int i = 0; i < UPDATES; i++) {
    metric_inc(metrics[0], labels[i % 3]);
    metric_observe(metrics[1], labels[i % 3], 0.25);
  }
  return NULL;
}

static void test_threads_add_up(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct metrics_registry *registry = metrics_registry_new(&err);
  struct metric *metrics[2] = {
    metrics_counter(registry, "ops_total", "Ops", "kind", &err),
    metrics_histogram(registry, "ops_seconds", "Ops", "kind", NULL, 0, &err),
  };
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++)
    assert_int_equal(pthread_create(&threads[i], NULL, hammer, metrics), 0);
  for (int i = 0; i < THREADS; i++)
    pthread_join(threads[i], NULL);
  char *text = render(registry);
  char line[128];
  int per_label = THREADS * (UPDATES / 3);  /* 6667 per thread for a and b, 6666 for c */
  snprintf(line, sizeof line, "ops_total{kind=\"a\"} %d\n", per_label + THREADS);
  assert_contains(text, line);
  snprintf(line, sizeof line, "ops_total{kind=\"b\"} %d\n", per_label + THREADS);
  assert_contains(text, line);
  snprintf(line, sizeof line, "ops_seconds_count{kind=\"c\"} %d\n", per_label);
  assert_contains(text, line);
  snprintf(line, sizeof line, "ops_seconds_sum{kind=\"c\"} %g\n", per_label * 0.25);
  assert_contains(text, line);
  free(text);
  metrics_registry_free(registry);
}

static void test_global_registry(void **state)
{
  (void)state;
  assert_non_null(metrics_global());
  assert_ptr_equal(metrics_global(), metrics_global());
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_numbers),
    cmocka_unit_test(test_names),
    cmocka_unit_test(test_counter_gauge_and_escaping),
    cmocka_unit_test(test_histogram),
    cmocka_unit_test(test_registration_rules),
    cmocka_unit_test(test_series_cap),
    cmocka_unit_test(test_collectors),
    cmocka_unit_test(test_threads_add_up),
    cmocka_unit_test(test_global_registry),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
