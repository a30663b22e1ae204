// C helpers for SynapticPlatform: what Swift's Glibc module does not import.
//
// - No _GNU_SOURCE here (defining it in a module header breaks module builds); shims.c defines it and
//   wraps the GNU-only calls (recvmmsg, sendmmsg, setns, capget/capset).
// - Kernel ABI numbers that Swift cannot import (function-like _IOW() macros, headers outside the Glibc
//   module such as linux/if_tun.h, linux/netlink.h, linux/rtnetlink.h, netinet/udp.h) are written here as
//   plain integer macros. shims.c includes the real headers and _Static_asserts that every value matches,
//   so this file is the one place those numbers live and the compiler checks them.
// - CMSG_* are macros Swift does not import: static inline wrappers below.
#ifndef CSYNAPTIC_SHIMS_H
#define CSYNAPTIC_SHIMS_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>

// MARK: - recvmmsg / sendmmsg

/// Layout-identical mirror of `struct mmsghdr` (checked by _Static_assert in shims.c).
struct synaptic_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int synaptic_recvmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags, struct timespec *timeout);
int synaptic_sendmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags);

// MARK: - Packet info control messages (struct in6_pktinfo needs _GNU_SOURCE)

/// Mirror of `struct in_pktinfo` (IP_PKTINFO).
struct synaptic_in_pktinfo {
    int ipi_ifindex;
    struct in_addr ipi_spec_dst;
    struct in_addr ipi_addr;
};

/// Mirror of `struct in6_pktinfo` (IPV6_PKTINFO).
struct synaptic_in6_pktinfo {
    struct in6_addr ipi6_addr;
    unsigned int ipi6_ifindex;
};

// MARK: - CMSG macros (CMSG_DATA(c) is (unsigned char *)c + CMSG_LEN(0))

static inline size_t synaptic_cmsg_space(size_t length) { return CMSG_SPACE(length); }
static inline size_t synaptic_cmsg_len(size_t length) { return CMSG_LEN(length); }
static inline struct cmsghdr *synaptic_cmsg_firsthdr(struct msghdr *msg) { return CMSG_FIRSTHDR(msg); }
static inline struct cmsghdr *synaptic_cmsg_nxthdr(struct msghdr *msg, struct cmsghdr *cmsg) {
    return CMSG_NXTHDR(msg, cmsg);
}

// MARK: - UDP (netinet/udp.h is not in the Glibc module)

#define SYNAPTIC_SOL_UDP 17
#define SYNAPTIC_UDP_SEGMENT 103
#define SYNAPTIC_UDP_GRO 104

// MARK: - Socket options missing from the Glibc module

#define SYNAPTIC_SO_SNDBUFFORCE 32
#define SYNAPTIC_SO_RCVBUFFORCE 33

// MARK: - TUN (linux/if_tun.h)

#define SYNAPTIC_TUNSETIFF 0x400454caUL
#define SYNAPTIC_TUNSETOFFLOAD 0x400454d0UL
#define SYNAPTIC_IFF_TUN 0x0001
#define SYNAPTIC_IFF_NO_PI 0x1000
#define SYNAPTIC_IFF_VNET_HDR 0x4000
#define SYNAPTIC_TUN_F_CSUM 0x01
#define SYNAPTIC_TUN_F_TSO4 0x02
#define SYNAPTIC_TUN_F_TSO6 0x04
#define SYNAPTIC_TUN_F_TSO_ECN 0x08
/// Newer than Debian 12's 6.1 UAPI headers (kernel 6.2+); asserted only when the headers define them.
#define SYNAPTIC_TUN_F_USO4 0x20
#define SYNAPTIC_TUN_F_USO6 0x40
/// sizeof(struct virtio_net_hdr): the prefix of every packet on a TUN opened with IFF_VNET_HDR.
#define SYNAPTIC_VIRTIO_NET_HDR_LEN 10

// MARK: - Netlink (linux/netlink.h)

/// Mirror of `struct sockaddr_nl` (linux/netlink.h is not in the Glibc module).
struct synaptic_sockaddr_nl {
    sa_family_t nl_family;
    unsigned short nl_pad;
    uint32_t nl_pid;
    uint32_t nl_groups;
};

#define SYNAPTIC_NETLINK_ROUTE 0
#define SYNAPTIC_SOL_NETLINK 270
#define SYNAPTIC_NETLINK_CAP_ACK 10
#define SYNAPTIC_NETLINK_EXT_ACK 11
#define SYNAPTIC_NLMSG_ERROR 2
#define SYNAPTIC_NLMSG_DONE 3
#define SYNAPTIC_NLM_F_REQUEST 0x01
#define SYNAPTIC_NLM_F_ACK 0x04
#define SYNAPTIC_NLM_F_DUMP 0x300
#define SYNAPTIC_NLM_F_EXCL 0x200
#define SYNAPTIC_NLM_F_CREATE 0x400
#define SYNAPTIC_NLM_F_CAPPED 0x100
#define SYNAPTIC_NLM_F_ACK_TLVS 0x200
#define SYNAPTIC_NLMSGERR_ATTR_MSG 1

// MARK: - rtnetlink (linux/rtnetlink.h, linux/if_addr.h, linux/if_link.h)

#define SYNAPTIC_RTM_NEWLINK 16
#define SYNAPTIC_RTM_GETLINK 18
#define SYNAPTIC_RTM_NEWADDR 20
#define SYNAPTIC_RTM_DELADDR 21
#define SYNAPTIC_RTM_GETADDR 22
#define SYNAPTIC_RTM_NEWROUTE 24
#define SYNAPTIC_RTM_DELROUTE 25
#define SYNAPTIC_RTM_GETROUTE 26
/// Multicast groups of change notifications (bind's nl_groups).
#define SYNAPTIC_RTMGRP_IPV4_IFADDR 0x10
#define SYNAPTIC_RTMGRP_IPV4_ROUTE 0x40
#define SYNAPTIC_RTMGRP_IPV6_IFADDR 0x100
#define SYNAPTIC_RTMGRP_IPV6_ROUTE 0x400
#define SYNAPTIC_IFLA_IFNAME 3
#define SYNAPTIC_IFLA_MTU 4
#define SYNAPTIC_IFA_ADDRESS 1
#define SYNAPTIC_IFA_LOCAL 2
#define SYNAPTIC_IFA_FLAGS 8
#define SYNAPTIC_IFA_F_NODAD 0x02
#define SYNAPTIC_IFA_F_OPTIMISTIC 0x04
#define SYNAPTIC_IFA_F_DADFAILED 0x08
#define SYNAPTIC_IFA_F_DEPRECATED 0x20
#define SYNAPTIC_IFA_F_TENTATIVE 0x40
#define SYNAPTIC_IFA_F_NOPREFIXROUTE 0x200
#define SYNAPTIC_RTA_DST 1
#define SYNAPTIC_RTA_OIF 4
#define SYNAPTIC_RTA_PREFSRC 7
#define SYNAPTIC_RTA_TABLE 15
#define SYNAPTIC_RT_TABLE_MAIN 254
#define SYNAPTIC_RTPROT_STATIC 4
#define SYNAPTIC_RT_SCOPE_LINK 253
#define SYNAPTIC_RTN_UNICAST 1
#define SYNAPTIC_RTN_LOCAL 2

// MARK: - Namespaces and capabilities (used by the test helpers)

#define SYNAPTIC_CLONE_NEWNET 0x40000000

/// setns(2) (a GNU extension in sched.h). Returns -1 with errno on failure.
int synaptic_setns(int fd, int nstype);

/// Sets the calling *thread's* effective capability set to `effective` (bit n = capability n), limited to
/// its permitted set, with capget/capset (no glibc wrapper). Capabilities are per thread on Linux, so this
/// lets a test drop CAP_NET_RAW on one thread only. Returns -1 with errno on failure.
int synaptic_set_thread_effective_capabilities(uint64_t effective);

#endif
