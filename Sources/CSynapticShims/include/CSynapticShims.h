// C helpers for SynapticPlatform: what Swift's Glibc module does not import.
// No _GNU_SOURCE here (it breaks module builds); the .c file defines it.
#ifndef CSYNAPTIC_SHIMS_H
#define CSYNAPTIC_SHIMS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <time.h>

/// Layout-identical mirror of `struct mmsghdr` (checked by _Static_assert in the .c file).
struct synaptic_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int synaptic_recvmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags, struct timespec *timeout);
int synaptic_sendmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags);

#endif
