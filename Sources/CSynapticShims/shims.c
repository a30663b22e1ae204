// Wrappers compiled with _GNU_SOURCE so that recvmmsg/sendmmsg are visible.
#define _GNU_SOURCE 1
#include <sys/socket.h>
#include "CSynapticShims.h"

_Static_assert(sizeof(struct synaptic_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");

int synaptic_recvmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags, struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)vec, n, flags, timeout);
}

int synaptic_sendmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, n, flags);
}
