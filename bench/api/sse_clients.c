/*
 * sse_clients.c — N Server-Sent Event clients of GET /api/orchestrator/events in one process and one
 * thread: bench/api's stand-in for browsers on other machines.
 *
 * The clients share the 2-core machine with growthd, so what they cost is taken from the workers being
 * measured: a client per thread, or an interpreter, would turn the bench into a measure of the bench.
 * Here every socket sits in one epoll set and a read costs one recv into a shared buffer; events are
 * counted by their "event: " lines (a few bytes are carried between reads so that a line split across
 * two reads counts once). On SIGTERM it prints "clients events bytes closed cpu_seconds", the last being
 * this process's user+system time, and exits.
 *
 *   bench_api HOST PORT COUNT     (prints "ready" once every client has sent its request)
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#define READ_BYTES (256 * 1024)
#define MARK "\nevent: "
#define MARK_LENGTH (sizeof MARK - 1)

struct client {
  int fd;
  char carry[MARK_LENGTH];   /* the end of the previous read */
  size_t carried;
};

static volatile sig_atomic_t stopping;

static void on_term(int signal_number)
{
  (void)signal_number;
  stopping = 1;
}

/* Counts MARK in the stream: those inside data, and those that began in the bytes carried from the
 * previous read; then keeps the stream's last MARK_LENGTH - 1 bytes. */
static long count_events(struct client *client, const char *data, size_t length)
{
  char joined[2 * MARK_LENGTH];
  size_t head = length < MARK_LENGTH - 1 ? length : MARK_LENGTH - 1;
  memcpy(joined, client->carry, client->carried);
  memcpy(joined + client->carried, data, head);
  size_t total = client->carried + head;
  long found = 0;
  for (size_t i = 0; i < client->carried && i + MARK_LENGTH <= total; i++)
    found += memcmp(joined + i, MARK, MARK_LENGTH) == 0;
  for (const char *at = data; (at = memmem(at, length - (size_t)(at - data), MARK, MARK_LENGTH)) != NULL; at++)
    found++;
  size_t keep = total < MARK_LENGTH - 1 ? total : MARK_LENGTH - 1;
  if (length >= MARK_LENGTH - 1)
    memcpy(client->carry, data + length - keep, keep);
  else
    memmove(client->carry, joined + total - keep, keep);
  client->carried = keep;
  return found;
}

static int connect_to(const struct addrinfo *address, const char *request)
{
  int fd = socket(address->ai_family, SOCK_STREAM, 0);
  if (fd < 0)
    return -1;
  if (connect(fd, address->ai_addr, address->ai_addrlen) != 0 || send(fd, request, strlen(request), 0) < 0) {
    close(fd);
    return -1;
  }
  return fd;
}

int main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: %s HOST PORT COUNT\n", argv[0]);
    return 2;
  }
  int count = atoi(argv[3]);
  struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_STREAM }, *address = NULL;
  if (count < 1 || getaddrinfo(argv[1], argv[2], &hints, &address) != 0) {
    fprintf(stderr, "sse_clients: bad host, port or count\n");
    return 2;
  }
  struct client *clients = calloc((size_t)count, sizeof *clients);
  char *buffer = malloc(READ_BYTES);
  int poller = epoll_create1(0);
  if (!clients || !buffer || poller < 0) {
    fprintf(stderr, "sse_clients: out of memory\n");
    return 1;
  }
  signal(SIGTERM, on_term);
  static const char request[] = "GET /api/orchestrator/events HTTP/1.1\r\nHost: bench\r\n"
                                "Accept: text/event-stream\r\n\r\n";
  for (int i = 0; i < count; i++) {
    clients[i].fd = connect_to(address, request);
    struct epoll_event interest = { .events = EPOLLIN, .data.ptr = &clients[i] };
    if (clients[i].fd < 0 || epoll_ctl(poller, EPOLL_CTL_ADD, clients[i].fd, &interest) != 0) {
      fprintf(stderr, "sse_clients: client %d cannot connect: %s\n", i, strerror(errno));
      return 1;
    }
  }
  freeaddrinfo(address);
  printf("ready\n");
  fflush(stdout);
  long events = 0, closed = 0;
  long long bytes = 0;
  struct epoll_event ready[64];
  while (!stopping) {
    int n = epoll_wait(poller, ready, 64, 200);
    for (int i = 0; i < n; i++) {
      struct client *client = ready[i].data.ptr;
      ssize_t got = recv(client->fd, buffer, READ_BYTES, MSG_DONTWAIT);
      if (got > 0) {
        bytes += got;
        events += count_events(client, buffer, (size_t)got);
      } else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
        epoll_ctl(poller, EPOLL_CTL_DEL, client->fd, NULL);
        close(client->fd);
        closed++;
      }
    }
  }
  struct rusage usage;
  getrusage(RUSAGE_SELF, &usage);
  double cpu = (double)usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + (double)usage.ru_stime.tv_sec +
               usage.ru_stime.tv_usec / 1e6;
  printf("%d %ld %lld %ld %.2f\n", count, events, bytes, closed, cpu);
  for (int i = 0; i < count; i++)
    close(clients[i].fd);
  close(poller);
  free(buffer);
  free(clients);
  return 0;
}
