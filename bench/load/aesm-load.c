/*
 * Load generator for the AESM socket, in C so the clients take as little of the machine as
 * possible from the daemon they measure: one thread drives CLIENTS concurrent clients with
 * epoll, each sending one pre-encoded framed request per connection and reading the framed
 * reply, as libsgx_quote_ex does. (A thread per client would spend more CPU on its own context
 * switches than the daemon spends on a connection.)
 * Usage: aesm-load SOCKET REQUEST_FILE CLIENTS SECONDS
 *   -> prints "count p50_us p99_us failed elapsed_s" (elapsed until the last reply came back)
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REPLY_CAPACITY (1 << 20)
#define REQUEST_CAPACITY (1 << 20)
/* In-flight requests still unanswered this long after the run are counted as failed. */
#define DRAIN_SECONDS 10.0

static struct sockaddr_un address;
static unsigned char *request;
static size_t request_bytes;

struct client {
  int fd;
  double started;
  size_t received; /* bytes of the reply frame read so far */
  unsigned char *reply;
};

static double *latencies;
static size_t count, capacity;
static int failed;

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

/*
 * Whether a reply frame's body is a GetQuoteEx response (wrapper field 17, tag 8a 01) whose
 * message starts with errorCode 0 (08 00), as the daemon writes it: proto2 presence writes
 * errorCode first. Error replies are cheap to produce, so they must not count as quotes.
 */
static int succeeded(const unsigned char *body, size_t length) {
  if (length < 3 || body[0] != 0x8a || body[1] != 0x01) return 0;
  size_t pos = 2;
  while (pos < length && (body[pos] & 0x80)) pos++; /* the wrapper's length */
  pos++;
  return pos + 2 <= length && body[pos] == 0x08 && body[pos + 1] == 0x00;
}

static void record(double started) {
  if (count == capacity) {
    capacity = capacity ? capacity * 2 : 1 << 16;
    latencies = realloc(latencies, capacity * sizeof(double));
  }
  latencies[count++] = (now() - started) * 1e6;
}

/* Opens a connection and sends the request; the reply is awaited through epoll. 0 on success. */
static int start(int epoll, struct client *c) {
  for (;;) {
    c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (c->fd < 0) { failed++; return -1; }
    c->started = now();
    c->received = 0;
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0) {
      int busy = errno == EAGAIN; /* the daemon's accept queue is full: back off, try again */
      close(c->fd);
      if (!busy) { failed++; return -1; }
      nanosleep(&(struct timespec){.tv_nsec = 100000}, NULL);
      continue;
    }
    /* A fresh Unix socket takes a request of a few KiB whole; anything short is a failure. */
    struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
    if (write(c->fd, request, request_bytes) != (ssize_t)request_bytes || epoll_ctl(epoll, EPOLL_CTL_ADD, c->fd, &event) != 0) {
      close(c->fd);
      failed++;
      return -1;
    }
    return 0;
  }
}

/* Reads what has arrived; returns 1 when the connection is done (reply complete or failed). */
static int on_readable(struct client *c) {
  for (;;) {
    ssize_t n = read(c->fd, c->reply + c->received, REPLY_CAPACITY - c->received);
    if (n < 0 && errno == EAGAIN) return 0;
    if (n <= 0) break;
    c->received += (size_t)n;
    if (c->received < 4) continue;
    uint32_t length;
    memcpy(&length, c->reply, 4);
    if (length > REPLY_CAPACITY - 4) break;
    if (c->received < 4 + (size_t)length) continue;
    if (c->received == 4 + (size_t)length && succeeded(c->reply + 4, length)) {
      record(c->started);
      close(c->fd);
      return 1;
    }
    break;
  }
  failed++;
  close(c->fd);
  return 1;
}

static int by_value(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int main(int argc, char **argv) {
  if (argc != 5) { fprintf(stderr, "usage: %s SOCKET REQUEST_FILE CLIENTS SECONDS\n", argv[0]); return 2; }
  address.sun_family = AF_UNIX;
  strncpy(address.sun_path, argv[1], sizeof address.sun_path - 1);
  FILE *f = fopen(argv[2], "rb");
  if (!f) { perror(argv[2]); return 2; }
  request = malloc(REQUEST_CAPACITY);
  request_bytes = fread(request, 1, REQUEST_CAPACITY, f);
  fclose(f);
  int clients = atoi(argv[3]);
  double started = now();
  double deadline = started + atof(argv[4]);
  int epoll = epoll_create1(0);
  struct client *all = calloc((size_t)clients, sizeof *all);
  int active = 0;
  for (int i = 0; i < clients; i++) {
    all[i].reply = malloc(REPLY_CAPACITY);
    if (start(epoll, &all[i]) == 0) active++;
  }
  struct epoll_event events[256];
  while (active > 0) {
    if (now() > deadline + DRAIN_SECONDS) { failed += active; break; }
    int n = epoll_wait(epoll, events, 256, 1000);
    int more = now() < deadline;
    for (int i = 0; i < n; i++) {
      struct client *c = events[i].data.ptr;
      if (!on_readable(c)) continue;
      active--;
      if (more && start(epoll, c) == 0) active++;
    }
  }
  qsort(latencies, count, sizeof(double), by_value);
  double elapsed = now() - started;
  printf("%zu %.1f %.1f %d %.4f\n", count, count ? latencies[count / 2] : 0.0, count ? latencies[(size_t)(count * 0.99)] : 0.0, failed, elapsed);
  return 0;
}
