/*
 * Load generator for the AESM socket, in C so the clients cost the machine as little as
 * Intel's own C client would: N threads, each sending one pre-encoded framed request per
 * connection and reading the framed reply, as libsgx_quote_ex does.
 * Usage: aesm-load SOCKET REQUEST_FILE CLIENTS SECONDS  -> prints "count p50_us p99_us failed"
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct sockaddr_un address;
static unsigned char *request;
static size_t request_bytes;
static double deadline;

struct worker {
  pthread_t thread;
  double *latencies;
  size_t count, capacity;
  int failed;
};

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec / 1e9;
}

static int read_fully(int fd, unsigned char *buffer, size_t bytes) {
  size_t done = 0;
  while (done < bytes) {
    ssize_t n = read(fd, buffer + done, bytes - done);
    if (n <= 0) return -1;
    done += (size_t)n;
  }
  return 0;
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

/* One request on a fresh connection; 0 when a whole reply frame with errorCode 0 came back. */
static int exchange(unsigned char *reply, size_t reply_capacity) {
  int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int status = -1;
  if (connect(fd, (struct sockaddr *)&address, sizeof address) == 0 && write(fd, request, request_bytes) == (ssize_t)request_bytes) {
    uint32_t length;
    if (read_fully(fd, (unsigned char *)&length, 4) == 0 && length <= reply_capacity && read_fully(fd, reply, length) == 0 && succeeded(reply, length)) status = 0;
  }
  close(fd);
  return status;
}

static void *run(void *arg) {
  struct worker *w = arg;
  unsigned char *reply = malloc(1 << 20);
  while (now() < deadline) {
    double started = now();
    if (exchange(reply, 1 << 20) != 0) { w->failed++; continue; }
    if (w->count == w->capacity) {
      w->capacity = w->capacity ? w->capacity * 2 : 4096;
      w->latencies = realloc(w->latencies, w->capacity * sizeof(double));
    }
    w->latencies[w->count++] = (now() - started) * 1e6;
  }
  free(reply);
  return NULL;
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
  request = malloc(1 << 20);
  request_bytes = fread(request, 1, 1 << 20, f);
  fclose(f);
  int clients = atoi(argv[3]);
  double seconds = atof(argv[4]);
  struct worker *workers = calloc((size_t)clients, sizeof *workers);
  deadline = now() + seconds;
  for (int i = 0; i < clients; i++) pthread_create(&workers[i].thread, NULL, run, &workers[i]);
  size_t total = 0;
  int failed = 0;
  for (int i = 0; i < clients; i++) { pthread_join(workers[i].thread, NULL); total += workers[i].count; failed += workers[i].failed; }
  double *all = malloc((total ? total : 1) * sizeof(double));
  size_t k = 0;
  for (int i = 0; i < clients; i++) { memcpy(all + k, workers[i].latencies, workers[i].count * sizeof(double)); k += workers[i].count; }
  qsort(all, total, sizeof(double), by_value);
  printf("%zu %.1f %.1f %d\n", total, total ? all[total / 2] : 0.0, total ? all[(size_t)(total * 0.99)] : 0.0, failed);
  return 0;
}
