/*
 * test_http_client_metrics.c — every attempt of the HTTP client is counted by API and result on /metrics
 * (growth_external_requests_total): against a one-thread local server that answers 429, then 200, then
 * 500, each on its own connection.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/metrics.h"
#include "net/http_client.h"

static const char *const answers[] = {
  "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
  "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
  "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
};

static void *serve(void *arg)
{
  int listener = *(int *)arg;
  for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
    int fd = accept(listener, NULL, NULL);
    if (fd < 0)
      return NULL;
    char request[4096];
    size_t got = 0;
    ssize_t n;
    while (got < sizeof request - 1 && (n = recv(fd, request + got, sizeof request - 1 - got, 0)) > 0) {
      got += (size_t)n;
      request[got] = '\0';
      if (strstr(request, "\r\n\r\n"))
        break;
    }
    send(fd, answers[i], strlen(answers[i]), 0);
    close(fd);
  }
  return NULL;
}

static double sample(const char *text, const char *line_start)
{
  const char *at = strstr(text, line_start);
  return at ? strtod(at + strlen(line_start), NULL) : -1;
}

static void test_attempts_counted_by_api_and_result(void **state)
{
  (void)state;
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in address = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
  socklen_t size = sizeof address;
  assert_int_equal(bind(listener, (struct sockaddr *)&address, sizeof address), 0);
  assert_int_equal(listen(listener, 4), 0);
  assert_int_equal(getsockname(listener, (struct sockaddr *)&address, &size), 0);
  pthread_t server;
  assert_int_equal(pthread_create(&server, NULL, serve, &listener), 0);

  struct growth_error err = { 0 };
  struct http_client_options options = { .backoff_ms = 1, .backoff_max_ms = 1 };
  struct http_client *client = http_client_new(&options, &err);
  assert_non_null(client);
  char url[64];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/values", ntohs(address.sin_port));
  struct http_response response;
  /* 429 then 200: two attempts of one call */
  struct http_request request = { .method = HTTP_GET, .url = url, .what = "sheets.read" };
  assert_int_equal(http_client_send(client, &request, &response, &err), 0);
  assert_int_equal(response.attempts, 2);
  http_response_free(&response);
  /* 500, not retried */
  request = (struct http_request){ .method = HTTP_GET, .url = url, .what = "sheets.read", .max_attempts = 1 };
  assert_int_equal(http_client_send(client, &request, &response, &err), -1);
  http_response_free(&response);
  pthread_join(server, NULL);
  close(listener);
  http_client_free(client);

  char *text = NULL;
  size_t length = 0;
  assert_int_equal(metrics_render(metrics_global(), &text, &length, &err), 0);
  assert_true(sample(text, "growth_external_requests_total{api=\"sheets\",result=\"rate_limited\"} ") == 1);
  assert_true(sample(text, "growth_external_requests_total{api=\"sheets\",result=\"ok\"} ") == 1);
  assert_true(sample(text, "growth_external_requests_total{api=\"sheets\",result=\"error\"} ") == 1);
  free(text);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_attempts_counted_by_api_and_result),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
