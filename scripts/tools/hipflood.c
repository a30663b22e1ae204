/*
 * hipflood: a bounded flood of one UDP payload from spoofed IPv4 sources, for the flood tests (issue 9).
 * Stages: payload (hex file) → per packet: a source address drawn from SOURCE_PREFIX (a /16: 10.99.x.y
 * style), IPv4 + UDP headers (UDP checksum 0, allowed over IPv4; the kernel fills the IP checksum) →
 * sendmmsg in batches of 64 on a raw socket (IP_HDRINCL) → paced to RATE packets per second for SECONDS.
 * It sends only to DESTINATION, which the caller keeps inside its own network namespaces.
 * Usage: hipflood DESTINATION PORT SOURCE_PREFIX RATE SECONDS PAYLOAD_HEX_FILE
 *   e.g. hipflood 198.18.2.1 10500 198.19.0.0 50000 10 i1.hex
 * Prints "sent N packets in S s" at the end.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64
#define MAX_PAYLOAD 2048

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static size_t read_hex(const char *path, uint8_t *out, size_t capacity) {
    FILE *file = fopen(path, "r");
    if (!file) { perror(path); exit(2); }
    size_t length = 0;
    int high = -1, c;
    while ((c = fgetc(file)) != EOF) {
        int value;
        if (c >= '0' && c <= '9') value = c - '0';
        else if (c >= 'a' && c <= 'f') value = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F') value = c - 'A' + 10;
        else continue;
        if (high < 0) { high = value; continue; }
        if (length == capacity) { fprintf(stderr, "payload too long\n"); exit(2); }
        out[length++] = (uint8_t)(high << 4 | value);
        high = -1;
    }
    fclose(file);
    return length;
}

int main(int argc, char **argv) {
    if (argc != 7) {
        fprintf(stderr, "usage: %s DESTINATION PORT SOURCE_PREFIX RATE SECONDS PAYLOAD_HEX_FILE\n", argv[0]);
        return 2;
    }
    struct in_addr destination, prefix;
    if (inet_pton(AF_INET, argv[1], &destination) != 1 || inet_pton(AF_INET, argv[3], &prefix) != 1) {
        fprintf(stderr, "bad address\n");
        return 2;
    }
    int port = atoi(argv[2]);
    double rate = atof(argv[4]), seconds = atof(argv[5]);
    uint8_t payload[MAX_PAYLOAD];
    size_t payload_length = read_hex(argv[6], payload, sizeof payload);
    if (port <= 0 || port > 65535 || rate <= 0 || seconds <= 0 || seconds > 600 || payload_length == 0) {
        fprintf(stderr, "bad port, rate, seconds (at most 600) or empty payload\n");
        return 2;
    }

    int sock = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
    if (sock < 0) { perror("socket"); return 1; }
    int on = 1;
    if (setsockopt(sock, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) < 0) { perror("IP_HDRINCL"); return 1; }

    size_t total_length = sizeof(struct iphdr) + sizeof(struct udphdr) + payload_length;
    static uint8_t packets[BATCH][sizeof(struct iphdr) + sizeof(struct udphdr) + MAX_PAYLOAD];
    struct iovec iov[BATCH];
    struct mmsghdr messages[BATCH];
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_addr = destination};
    for (int i = 0; i < BATCH; i++) {
        struct iphdr *ip = (struct iphdr *)packets[i];
        struct udphdr *udp = (struct udphdr *)(packets[i] + sizeof *ip);
        memset(ip, 0, sizeof *ip);
        ip->version = 4;
        ip->ihl = 5;
        ip->ttl = 64;
        ip->protocol = IPPROTO_UDP;
        ip->tot_len = htons((uint16_t)total_length);
        ip->daddr = destination.s_addr;
        udp->source = htons(10500);
        udp->dest = htons((uint16_t)port);
        udp->len = htons((uint16_t)(sizeof *udp + payload_length));
        udp->check = 0;
        memcpy(packets[i] + sizeof *ip + sizeof *udp, payload, payload_length);
        iov[i] = (struct iovec){.iov_base = packets[i], .iov_len = total_length};
        memset(&messages[i], 0, sizeof messages[i]);
        messages[i].msg_hdr = (struct msghdr){.msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[i], .msg_iovlen = 1};
    }

    uint32_t base = ntohl(prefix.s_addr) & 0xFFFF0000u, next = 1;
    unsigned long long sent = 0;
    double start = now_seconds(), end = start + seconds;
    for (double now = start; now < end; now = now_seconds()) {
        double due = (now - start) * rate;
        if ((double)sent >= due) {
            struct timespec pause = {0, 200000};
            nanosleep(&pause, NULL);
            continue;
        }
        for (int i = 0; i < BATCH; i++) {
            ((struct iphdr *)packets[i])->saddr = htonl(base | (next++ % 65534 + 1));
        }
        int count = sendmmsg(sock, messages, BATCH, 0);
        if (count > 0) sent += (unsigned long long)count;
    }
    printf("sent %llu packets in %.1f s\n", sent, now_seconds() - start);
    return 0;
}
