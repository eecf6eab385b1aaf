/*
 * test_sse.c — Server-Sent Events without a socket: the frame format, the
 * bounded per-client stream (parking and waking its connection, dropping a
 * slow reader, closing), and the broadcaster (fan-out, Last-Event-ID replay
 * from its history, heartbeats, a slow client dropped while others go on).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/sse.h"
#include "http/sse_broadcaster.h"

static char *frame_of(const char *id, const char *type, const char *data)
{
  char *frame = NULL;
  size_t length = 0;
  struct growth_error err = { 0 };
  assert_int_equal(sse_format_event(id, type, data, strlen(data), &frame, &length, &err), 0);
  assert_int_equal(strlen(frame), length);
  return frame;
}

static void expect_frame(const char *id, const char *type, const char *data, const char *expected)
{
  char *frame = frame_of(id, type, data);
  assert_string_equal(frame, expected);
  free(frame);
}

static void test_framing(void **state)
{
  (void)state;
  expect_frame("1700000000000-0", "progress", "{\"percent\":50}",
               "id: 1700000000000-0\nevent: progress\ndata: {\"percent\":50}\n\n");
  expect_frame(NULL, NULL, "plain", "data: plain\n\n");
  expect_frame(NULL, NULL, "", "data: \n\n");
  expect_frame("7", NULL, "one\ntwo\r\nthree\rfour", "id: 7\ndata: one\ndata: two\ndata: three\ndata: four\n\n");
  expect_frame(NULL, "x", "ends with newline\n", "event: x\ndata: ends with newline\ndata: \n\n");
  expect_frame(NULL, NULL, "\n\n", "data: \ndata: \ndata: \n\n");
  expect_frame(NULL, NULL, ": not a comment", "data: : not a comment\n\n");

  char *frame = NULL;
  size_t length = 0;
  struct growth_error err = { 0 };
  assert_int_equal(sse_format_event("a\nb", NULL, "x", 1, &frame, &length, &err), -1);
  assert_int_equal(err.code, ERR_BAD_ARGUMENT);
  assert_null(frame);
  assert_int_equal(sse_format_event(NULL, "bad\rtype", "x", 1, &frame, &length, &err), -1);
  assert_non_null(strstr(err.message, "type"));
}

struct fake_connection {
  int suspended;
  int suspends;
  int resumes;
};

static void fake_suspend(void *context)
{
  struct fake_connection *connection = context;
  assert_false(connection->suspended);
  connection->suspended = 1;
  connection->suspends++;
}

static void fake_resume(void *context)
{
  struct fake_connection *connection = context;
  assert_true(connection->suspended);   /* resume only what was suspended: MHD forbids anything else */
  connection->suspended = 0;
  connection->resumes++;
}

static void attach(struct sse_stream *stream, struct fake_connection *connection)
{
  struct sse_transport transport = { fake_suspend, fake_resume, connection };
  sse_stream_attach(stream, &transport);
}

static size_t read_all(struct sse_stream *stream, char *out, size_t size)
{
  size_t total = 0;
  ssize_t count;
  while (total < size - 1 && (count = sse_stream_read(stream, out + total, size - 1 - total)) > 0)
    total += (size_t)count;
  out[total] = '\0';
  return total;
}

static void test_stream_park_and_wake(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sse_stream *stream = sse_stream_new(1024, &err);
  struct fake_connection connection = { 0 };
  attach(stream, &connection);
  char out[2048];
  read_all(stream, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\n");
  /* Nothing left: the reader parks the connection once, however often it asks. */
  assert_int_equal(sse_stream_read(stream, out, sizeof out), 0);
  assert_int_equal(sse_stream_read(stream, out, sizeof out), 0);
  assert_int_equal(connection.suspends, 1);
  /* A write wakes it; a second write before it reads does not resume twice. */
  assert_int_equal(sse_stream_write(stream, "data: a\n\n", 9), 0);
  assert_int_equal(sse_stream_write(stream, "data: b\n\n", 9), 0);
  assert_int_equal(connection.resumes, 1);
  /* Reads in pieces smaller than a frame keep the byte order. */
  char piece[4];
  size_t total = 0;
  ssize_t count;
  while ((count = sse_stream_read(stream, piece, sizeof piece)) > 0) {
    memcpy(out + total, piece, (size_t)count);
    total += (size_t)count;
  }
  out[total] = '\0';
  assert_string_equal(out, "data: a\n\ndata: b\n\n");
  assert_int_equal(connection.suspends, 2);
  /* Close wakes it; buffered bytes come first, then the end. */
  assert_int_equal(sse_stream_write(stream, "data: c\n\n", 9), 0);
  sse_stream_close(stream);
  assert_false(sse_stream_open(stream));
  assert_int_equal(sse_stream_write(stream, "data: d\n\n", 9), -1);
  read_all(stream, out, sizeof out);
  assert_string_equal(out, "data: c\n\n");
  assert_int_equal(sse_stream_read(stream, out, sizeof out), SSE_STREAM_END);
  sse_stream_detach(stream);
  sse_stream_release(stream);
}

static void test_stream_drops_slow_reader(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sse_stream *stream = sse_stream_new(64, &err);
  struct fake_connection connection = { 0 };
  attach(stream, &connection);
  char out[256];
  read_all(stream, out, sizeof out);
  assert_int_equal(sse_stream_read(stream, out, sizeof out), 0);   /* parked */
  char frame[20];
  memset(frame, 'x', sizeof frame);
  assert_int_equal(sse_stream_write(stream, frame, 20), 0);
  assert_int_equal(sse_stream_write(stream, frame, 20), 0);
  assert_int_equal(sse_stream_write(stream, frame, 20), 0);
  assert_int_equal(sse_stream_buffered(stream), 60);
  /* The fourth frame would pass 64 unread bytes: the stream is dropped, and the reader told to hang up. */
  assert_int_equal(sse_stream_write(stream, frame, 20), -1);
  assert_true(sse_stream_dropped(stream));
  assert_int_equal(sse_stream_buffered(stream), 0);
  assert_int_equal(sse_stream_read(stream, out, sizeof out), SSE_STREAM_ERROR);
  assert_int_equal(connection.suspended, 0);
  assert_int_equal(sse_stream_write(stream, frame, 1), -1);
  sse_stream_detach(stream);
  sse_stream_release(stream);

  /* A reader that keeps up never hits the bound, however much passes through. */
  stream = sse_stream_new(64, &err);
  read_all(stream, out, sizeof out);
  for (int i = 0; i < 1000; i++) {
    assert_int_equal(sse_stream_write(stream, frame, 20), 0);
    assert_int_equal(sse_stream_read(stream, out, sizeof out), 20);
  }
  sse_stream_release(stream);
}

static struct sse_broadcaster *make_broadcaster(size_t buffer, size_t history)
{
  struct growth_error err = { 0 };
  struct sse_broadcaster_options options = { .client_buffer_bytes = buffer, .heartbeat_ms = 0, .history = history };
  struct sse_broadcaster *broadcaster = sse_broadcaster_new(&options, &err);
  assert_non_null(broadcaster);
  return broadcaster;
}

static void publish(struct sse_broadcaster *broadcaster, const char *id, const char *data)
{
  struct growth_error err = { 0 };
  assert_int_equal(sse_broadcaster_publish(broadcaster, id, "progress", data, strlen(data), &err), 0);
}

static void test_broadcast_and_replay(void **state)
{
  (void)state;
  struct sse_broadcaster *broadcaster = make_broadcaster(4096, 3);
  struct growth_error err = { 0 };
  bool resumed = true;
  struct sse_stream *first = sse_broadcaster_subscribe(broadcaster, NULL, &resumed, &err);
  assert_false(resumed);
  publish(broadcaster, "1", "a");
  publish(broadcaster, "2", "b");
  publish(broadcaster, "3", "c");
  publish(broadcaster, "4", "d");
  char out[4096];
  read_all(first, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\n"
                           "id: 1\nevent: progress\ndata: a\n\n"
                           "id: 2\nevent: progress\ndata: b\n\n"
                           "id: 3\nevent: progress\ndata: c\n\n"
                           "id: 4\nevent: progress\ndata: d\n\n");
  /* History holds 2, 3, 4: resuming after 2 replays 3 and 4, then live events follow. */
  struct sse_stream *second = sse_broadcaster_subscribe(broadcaster, "2", &resumed, &err);
  assert_true(resumed);
  publish(broadcaster, "5", "e");
  read_all(second, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\n"
                           "id: 3\nevent: progress\ndata: c\n\n"
                           "id: 4\nevent: progress\ndata: d\n\n"
                           "id: 5\nevent: progress\ndata: e\n\n");
  /* The newest id replays nothing; a forgotten or unknown id says so. */
  struct sse_stream *third = sse_broadcaster_subscribe(broadcaster, "5", &resumed, &err);
  assert_true(resumed);
  read_all(third, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\n");
  struct sse_stream *fourth = sse_broadcaster_subscribe(broadcaster, "1", &resumed, &err);
  assert_false(resumed);
  read_all(fourth, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\n");
  assert_int_equal(sse_broadcaster_clients(broadcaster), 4);

  sse_broadcaster_heartbeat(broadcaster);
  read_all(first, out, sizeof out);
  assert_string_equal(out, "id: 5\nevent: progress\ndata: e\n\n: heartbeat\n\n");

  /* A client whose connection ended is forgotten at the next event. */
  sse_stream_detach(third);
  sse_stream_release(third);
  publish(broadcaster, "6", "f");
  assert_int_equal(sse_broadcaster_clients(broadcaster), 3);
  assert_int_equal(sse_broadcaster_dropped(broadcaster), 0);

  /* Freeing the broadcaster ends every stream after what it holds. */
  sse_broadcaster_free(broadcaster);
  read_all(second, out, sizeof out);
  assert_string_equal(out, ": heartbeat\n\nid: 6\nevent: progress\ndata: f\n\n");
  assert_int_equal(sse_stream_read(second, out, sizeof out), SSE_STREAM_END);
  sse_stream_release(first);
  sse_stream_release(second);
  sse_stream_release(fourth);
}

/* A batch is framed once into one chunk shared by every client: each parked client is woken once for the
 * whole batch, reads every event of it in order, and a resume from the middle of a batch replays the rest
 * of that batch from the same chunk. */
static void test_batch_one_wake_per_client_and_replay_inside_a_batch(void **state)
{
  (void)state;
  struct sse_broadcaster *broadcaster = make_broadcaster(4096, 8);
  struct growth_error err = { 0 };
  bool resumed;
  struct sse_stream *clients[3];
  struct fake_connection connections[3] = { { 0 } };
  char out[4096];
  for (int i = 0; i < 3; i++) {
    clients[i] = sse_broadcaster_subscribe(broadcaster, NULL, &resumed, &err);
    attach(clients[i], &connections[i]);
    read_all(clients[i], out, sizeof out);
    assert_int_equal(sse_stream_read(clients[i], out, sizeof out), 0);   /* parked */
  }
  struct sse_batch *batch = sse_batch_new(&err);
  assert_non_null(batch);
  assert_int_equal(sse_batch_add(batch, "1", "added", "a", 1, &err), 0);
  assert_int_equal(sse_batch_add(batch, "2", "progress", "b", 1, &err), 0);
  assert_int_equal(sse_batch_add(batch, NULL, NULL, "c", 1, &err), 0);
  assert_int_equal(sse_batch_add(batch, "3", "completed", "d", 1, &err), 0);
  assert_int_equal(sse_batch_count(batch), 4);
  assert_int_equal(sse_batch_add(batch, "4\n", NULL, "x", 1, &err), -1);   /* refused, the batch unchanged */
  assert_int_equal(sse_broadcaster_publish_batch(broadcaster, batch, &err), 0);
  assert_int_equal(sse_batch_count(batch), 0);   /* emptied for reuse */
  static const char expected[] = "id: 1\nevent: added\ndata: a\n\n"
                                 "id: 2\nevent: progress\ndata: b\n\n"
                                 "data: c\n\n"
                                 "id: 3\nevent: completed\ndata: d\n\n";
  for (int i = 0; i < 3; i++) {
    assert_int_equal(connections[i].resumes, 1);
    read_all(clients[i], out, sizeof out);
    assert_string_equal(out, expected);
  }
  /* An empty batch wakes nobody. */
  assert_int_equal(sse_broadcaster_publish_batch(broadcaster, batch, &err), 0);
  for (int i = 0; i < 3; i++)
    assert_int_equal(connections[i].resumes, 1);
  /* Resuming after "1" replays the rest of the batch from its chunk; as with single events, only those with
   * an id are remembered. */
  struct sse_stream *late = sse_broadcaster_subscribe(broadcaster, "1", &resumed, &err);
  assert_true(resumed);
  read_all(late, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\n"
                           "id: 2\nevent: progress\ndata: b\n\n"
                           "id: 3\nevent: completed\ndata: d\n\n");
  sse_batch_free(batch);
  sse_broadcaster_free(broadcaster);
  for (int i = 0; i < 3; i++) {
    sse_stream_detach(clients[i]);
    sse_stream_release(clients[i]);
  }
  sse_stream_release(late);
}

static void test_slow_client_dropped_others_continue(void **state)
{
  (void)state;
  struct sse_broadcaster *broadcaster = make_broadcaster(1024, 0);
  struct growth_error err = { 0 };
  bool resumed;
  struct sse_stream *fast = sse_broadcaster_subscribe(broadcaster, NULL, &resumed, &err);
  struct sse_stream *slow = sse_broadcaster_subscribe(broadcaster, NULL, &resumed, &err);
  char data[200], out[4096];
  memset(data, 'z', sizeof data - 1);
  data[sizeof data - 1] = '\0';
  size_t fast_bytes = 0;
  for (int i = 0; i < 50; i++) {
    char id[16];
    snprintf(id, sizeof id, "%d", i);
    publish(broadcaster, id, data);
    fast_bytes += read_all(fast, out, sizeof out);
  }
  assert_true(sse_stream_dropped(slow));
  assert_false(sse_stream_dropped(fast));
  assert_int_equal(sse_broadcaster_clients(broadcaster), 1);
  assert_int_equal(sse_broadcaster_dropped(broadcaster), 1);
  assert_int_equal(sse_stream_read(slow, out, sizeof out), SSE_STREAM_ERROR);
  /* The fast client got all 50 events: "retry" line plus 50 frames of the same size. */
  char *one = frame_of("10", "progress", data);
  assert_int_equal(fast_bytes, strlen("retry: 3000\n\n") + 10 * (strlen(one) - 1) + 40 * strlen(one));
  free(one);
  sse_broadcaster_free(broadcaster);
  sse_stream_release(fast);
  sse_stream_release(slow);
}

static void test_publish_rules(void **state)
{
  (void)state;
  struct sse_broadcaster *broadcaster = make_broadcaster(1024, 4);
  struct growth_error err = { 0 };
  char long_id[SSE_EVENT_ID_MAX + 1];
  memset(long_id, '1', SSE_EVENT_ID_MAX);
  long_id[SSE_EVENT_ID_MAX] = '\0';
  assert_int_equal(sse_broadcaster_publish(broadcaster, long_id, NULL, "x", 1, &err), -1);
  assert_int_equal(sse_broadcaster_publish(broadcaster, "1\n2", NULL, "x", 1, &err), -1);
  /* Events without an id are sent but cannot be resumed from. */
  bool resumed;
  struct sse_stream *stream = sse_broadcaster_subscribe(broadcaster, NULL, &resumed, &err);
  assert_int_equal(sse_broadcaster_publish(broadcaster, NULL, NULL, "x", 1, &err), 0);
  char out[256];
  read_all(stream, out, sizeof out);
  assert_string_equal(out, "retry: 3000\n\ndata: x\n\n");
  sse_broadcaster_free(broadcaster);
  sse_stream_release(stream);
}

static void test_heartbeat_thread(void **state)
{
  (void)state;
  struct growth_error err = { 0 };
  struct sse_broadcaster_options options = { .client_buffer_bytes = 4096, .heartbeat_ms = 10, .history = 0 };
  struct sse_broadcaster *broadcaster = sse_broadcaster_new(&options, &err);
  bool resumed;
  struct sse_stream *stream = sse_broadcaster_subscribe(broadcaster, NULL, &resumed, &err);
  char out[8192];   /* more than the client buffer holds */
  read_all(stream, out, sizeof out);
  size_t got = 0;
  while (got == 0)   /* the thread's first beat arrives on its own; ctest's timeout bounds the wait */
    got = read_all(stream, out, sizeof out);
  /* Under load several beats may be waiting by the time the reader runs: only beats, whole ones. */
  static const char beat[] = ": heartbeat\n\n";
  size_t beat_length = sizeof beat - 1;
  assert_int_equal(got % beat_length, 0);
  for (size_t offset = 0; offset < got; offset += beat_length)
    assert_memory_equal(out + offset, beat, beat_length);
  sse_broadcaster_free(broadcaster);
  sse_stream_release(stream);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_framing),
    cmocka_unit_test(test_stream_park_and_wake),
    cmocka_unit_test(test_stream_drops_slow_reader),
    cmocka_unit_test(test_broadcast_and_replay),
    cmocka_unit_test(test_batch_one_wake_per_client_and_replay_inside_a_batch),
    cmocka_unit_test(test_slow_client_dropped_others_continue),
    cmocka_unit_test(test_publish_rules),
    cmocka_unit_test(test_heartbeat_thread),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
