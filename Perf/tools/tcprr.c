/* tcprr: a netperf-style TCP_RR test. One TCP connection; the client sends a SIZE-byte request, the
 * server answers with SIZE bytes, repeated for SECONDS; the client prints transactions per second.
 *   tcprr server ADDRESS PORT SIZE          (serves one connection, then exits)
 *   tcprr client ADDRESS PORT SIZE SECONDS  (prints "transactions_per_second N")
 * ADDRESS may be IPv4 or IPv6 text. Build: cc -O2 -o tcprr tcprr.c */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static int exact(int fd, char *buf, size_t n, int writing) {
    size_t done = 0;
    while (done < n) {
        ssize_t r = writing ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);
        if (r <= 0) return -1;
        done += (size_t)r;
    }
    return 0;
}

static socklen_t address(const char *text, int port, struct sockaddr_storage *ss) {
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
    struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
    if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1) {
        s6->sin6_family = AF_INET6; s6->sin6_port = htons(port); return sizeof *s6;
    }
    if (inet_pton(AF_INET, text, &s4->sin_addr) == 1) {
        s4->sin_family = AF_INET; s4->sin_port = htons(port); return sizeof *s4;
    }
    fprintf(stderr, "tcprr: bad address %s\n", text); exit(2);
}

static double now(void) {
    struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
    if (argc < 5) { fprintf(stderr, "usage: tcprr server|client ADDRESS PORT SIZE [SECONDS]\n"); return 2; }
    struct sockaddr_storage ss; socklen_t len = address(argv[2], atoi(argv[3]), &ss);
    size_t size = (size_t)atol(argv[4]);
    char *buf = calloc(1, size ? size : 1);
    int one = 1, fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0) { perror("socket"); return 1; }
    if (strcmp(argv[1], "server") == 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
        if (bind(fd, (struct sockaddr *)&ss, len) || listen(fd, 1)) { perror("bind/listen"); return 1; }
        int c = accept(fd, NULL, NULL);
        if (c < 0) { perror("accept"); return 1; }
        setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        while (exact(c, buf, size, 0) == 0 && exact(c, buf, size, 1) == 0) {}
        return 0;
    }
    if (argc < 6) { fprintf(stderr, "tcprr: client needs SECONDS\n"); return 2; }
    double seconds = atof(argv[5]);
    if (connect(fd, (struct sockaddr *)&ss, len)) { perror("connect"); return 1; }
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    long n = 0; double start = now(), end = start + seconds;
    while (now() < end) {
        if (exact(fd, buf, size, 1) || exact(fd, buf, size, 0)) { fprintf(stderr, "tcprr: connection lost\n"); return 1; }
        n++;
    }
    printf("transactions_per_second %.1f\n", n / (now() - start));
    return 0;
}
