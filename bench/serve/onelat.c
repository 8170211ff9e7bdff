// One keep-alive connection POSTing the same body to /v1/predict back to back, as `wrk -c1` does, but keeping every
// request's own latency: wrk reports percentiles after its coordinated-omission correction, which adds synthetic
// samples for every slow answer, so its p99 cannot tell one long stall from many short ones. Writes one line per
// request, "start_us latency_us" (microseconds since the first request), for bench/serve/onelat.py to read.
//
//   gcc -O2 -o onelat bench/serve/onelat.c && ./onelat 127.0.0.1 18080 BODY.json SECONDS OUT.txt
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static double now_us(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static char request[1 << 21], answer[1 << 16];

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: onelat HOST PORT BODY_FILE SECONDS OUT\n");
    return 2;
  }
  FILE *file = fopen(argv[3], "rb");
  if (!file) { perror(argv[3]); return 1; }
  static char body[1 << 20];
  size_t body_length = fread(body, 1, sizeof body, file);
  int more = fgetc(file) != EOF;
  fclose(file);
  if (more) { fprintf(stderr, "%s: larger than %zu bytes\n", argv[3], sizeof body); return 1; }
  int length = snprintf(request, sizeof request,
                        "POST /v1/predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        "Content-Length: %zu\r\n\r\n", body_length);
  memcpy(request + length, body, body_length);
  length += (int)body_length;

  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[2]))};
  inet_pton(AF_INET, argv[1], &address.sin_addr);
  if (connect(s, (struct sockaddr *)&address, sizeof address)) { perror("connect"); return 1; }

  enum { MAX = 4000000 };
  static double starts[MAX], latencies[MAX];
  double seconds = atof(argv[4]), first = now_us();
  int n = 0;
  while (n < MAX && now_us() - first < seconds * 1e6) {
    double sent = now_us();
    if (write(s, request, length) != length) { perror("write"); return 1; }
    int got = 0, need = -1;
    while (need < 0 || got < need) {
      int r = (int)read(s, answer + got, sizeof answer - 1 - got);
      if (r <= 0) { perror("read"); return 1; }
      got += r;
      answer[got] = 0;
      char *end = strstr(answer, "\r\n\r\n"), *header = strcasestr(answer, "content-length:");
      if (need < 0 && end && header) need = (int)(end + 4 - answer) + atoi(header + 15);
    }
    if (strncmp(answer, "HTTP/1.1 200", 12)) { fprintf(stderr, "not 200: %.60s\n", answer); return 1; }
    starts[n] = sent - first;
    latencies[n++] = now_us() - sent;
  }
  FILE *out = fopen(argv[5], "w");
  if (!out) { perror(argv[5]); return 1; }
  for (int i = 0; i < n; i++) fprintf(out, "%.1f %.1f\n", starts[i], latencies[i]);
  fclose(out);
  return 0;
}
