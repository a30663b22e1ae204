// Wrappers compiled with _GNU_SOURCE so that recvmmsg/sendmmsg/setns are visible, and compile-time checks
// that every kernel ABI number in CSynapticShims.h equals the one in the system headers.
#define _GNU_SOURCE 1
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <linux/capability.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include "CSynapticShims.h"

_Static_assert(sizeof(struct synaptic_mmsghdr) == sizeof(struct mmsghdr), "mmsghdr layout");
_Static_assert(offsetof(struct synaptic_mmsghdr, msg_len) == offsetof(struct mmsghdr, msg_len), "mmsghdr layout");
_Static_assert(sizeof(struct synaptic_in_pktinfo) == sizeof(struct in_pktinfo), "in_pktinfo layout");
_Static_assert(offsetof(struct synaptic_in_pktinfo, ipi_spec_dst) == offsetof(struct in_pktinfo, ipi_spec_dst),
               "in_pktinfo layout");
_Static_assert(offsetof(struct synaptic_in_pktinfo, ipi_addr) == offsetof(struct in_pktinfo, ipi_addr),
               "in_pktinfo layout");
_Static_assert(sizeof(struct synaptic_in6_pktinfo) == sizeof(struct in6_pktinfo), "in6_pktinfo layout");
_Static_assert(offsetof(struct synaptic_in6_pktinfo, ipi6_ifindex) == offsetof(struct in6_pktinfo, ipi6_ifindex),
               "in6_pktinfo layout");

_Static_assert(offsetof(struct cmsghdr, __cmsg_data) == CMSG_LEN(0), "CMSG_DATA is CMSG_LEN(0) bytes in");
_Static_assert(SYNAPTIC_SOL_UDP == SOL_UDP, "SOL_UDP");
_Static_assert(SYNAPTIC_UDP_SEGMENT == UDP_SEGMENT, "UDP_SEGMENT");
_Static_assert(SYNAPTIC_UDP_GRO == UDP_GRO, "UDP_GRO");
_Static_assert(SYNAPTIC_SO_SNDBUFFORCE == SO_SNDBUFFORCE, "SO_SNDBUFFORCE");
_Static_assert(SYNAPTIC_SO_RCVBUFFORCE == SO_RCVBUFFORCE, "SO_RCVBUFFORCE");

_Static_assert(SYNAPTIC_TUNSETIFF == TUNSETIFF, "TUNSETIFF");
_Static_assert(SYNAPTIC_TUNSETOFFLOAD == TUNSETOFFLOAD, "TUNSETOFFLOAD");
_Static_assert(SYNAPTIC_IFF_TUN == IFF_TUN, "IFF_TUN");
_Static_assert(SYNAPTIC_IFF_NO_PI == IFF_NO_PI, "IFF_NO_PI");
_Static_assert(SYNAPTIC_IFF_VNET_HDR == IFF_VNET_HDR, "IFF_VNET_HDR");
_Static_assert(SYNAPTIC_TUN_F_CSUM == TUN_F_CSUM, "TUN_F_CSUM");
_Static_assert(SYNAPTIC_TUN_F_TSO4 == TUN_F_TSO4, "TUN_F_TSO4");
_Static_assert(SYNAPTIC_TUN_F_TSO6 == TUN_F_TSO6, "TUN_F_TSO6");
_Static_assert(SYNAPTIC_TUN_F_TSO_ECN == TUN_F_TSO_ECN, "TUN_F_TSO_ECN");
#ifdef TUN_F_USO4
_Static_assert(SYNAPTIC_TUN_F_USO4 == TUN_F_USO4, "TUN_F_USO4");
_Static_assert(SYNAPTIC_TUN_F_USO6 == TUN_F_USO6, "TUN_F_USO6");
#endif
_Static_assert(SYNAPTIC_VIRTIO_NET_HDR_LEN == sizeof(struct virtio_net_hdr), "virtio_net_hdr");

_Static_assert(sizeof(struct synaptic_sockaddr_nl) == sizeof(struct sockaddr_nl), "sockaddr_nl layout");
_Static_assert(offsetof(struct synaptic_sockaddr_nl, nl_pid) == offsetof(struct sockaddr_nl, nl_pid), "sockaddr_nl");
_Static_assert(SYNAPTIC_NETLINK_ROUTE == NETLINK_ROUTE, "NETLINK_ROUTE");
_Static_assert(SYNAPTIC_SOL_NETLINK == SOL_NETLINK, "SOL_NETLINK");
_Static_assert(SYNAPTIC_NETLINK_CAP_ACK == NETLINK_CAP_ACK, "NETLINK_CAP_ACK");
_Static_assert(SYNAPTIC_NETLINK_EXT_ACK == NETLINK_EXT_ACK, "NETLINK_EXT_ACK");
_Static_assert(SYNAPTIC_NLMSG_ERROR == NLMSG_ERROR, "NLMSG_ERROR");
_Static_assert(SYNAPTIC_NLMSG_DONE == NLMSG_DONE, "NLMSG_DONE");
_Static_assert(SYNAPTIC_NLM_F_REQUEST == NLM_F_REQUEST, "NLM_F_REQUEST");
_Static_assert(SYNAPTIC_NLM_F_ACK == NLM_F_ACK, "NLM_F_ACK");
_Static_assert(SYNAPTIC_NLM_F_DUMP == NLM_F_DUMP, "NLM_F_DUMP");
_Static_assert(SYNAPTIC_NLM_F_EXCL == NLM_F_EXCL, "NLM_F_EXCL");
_Static_assert(SYNAPTIC_NLM_F_CREATE == NLM_F_CREATE, "NLM_F_CREATE");
_Static_assert(SYNAPTIC_NLM_F_CAPPED == NLM_F_CAPPED, "NLM_F_CAPPED");
_Static_assert(SYNAPTIC_NLM_F_ACK_TLVS == NLM_F_ACK_TLVS, "NLM_F_ACK_TLVS");
_Static_assert(SYNAPTIC_NLMSGERR_ATTR_MSG == NLMSGERR_ATTR_MSG, "NLMSGERR_ATTR_MSG");
_Static_assert(sizeof(struct nlmsghdr) == 16, "nlmsghdr");
_Static_assert(sizeof(struct nlmsgerr) == 20, "nlmsgerr");

_Static_assert(SYNAPTIC_RTM_NEWLINK == RTM_NEWLINK, "RTM_NEWLINK");
_Static_assert(SYNAPTIC_RTM_GETLINK == RTM_GETLINK, "RTM_GETLINK");
_Static_assert(SYNAPTIC_RTM_NEWADDR == RTM_NEWADDR, "RTM_NEWADDR");
_Static_assert(SYNAPTIC_RTM_DELADDR == RTM_DELADDR, "RTM_DELADDR");
_Static_assert(SYNAPTIC_RTM_GETADDR == RTM_GETADDR, "RTM_GETADDR");
_Static_assert(SYNAPTIC_RTM_NEWROUTE == RTM_NEWROUTE, "RTM_NEWROUTE");
_Static_assert(SYNAPTIC_RTM_DELROUTE == RTM_DELROUTE, "RTM_DELROUTE");
_Static_assert(SYNAPTIC_RTM_GETROUTE == RTM_GETROUTE, "RTM_GETROUTE");
_Static_assert(SYNAPTIC_RTMGRP_IPV4_IFADDR == RTMGRP_IPV4_IFADDR, "RTMGRP_IPV4_IFADDR");
_Static_assert(SYNAPTIC_RTMGRP_IPV4_ROUTE == RTMGRP_IPV4_ROUTE, "RTMGRP_IPV4_ROUTE");
_Static_assert(SYNAPTIC_RTMGRP_IPV6_IFADDR == RTMGRP_IPV6_IFADDR, "RTMGRP_IPV6_IFADDR");
_Static_assert(SYNAPTIC_RTMGRP_IPV6_ROUTE == RTMGRP_IPV6_ROUTE, "RTMGRP_IPV6_ROUTE");
_Static_assert(SYNAPTIC_IFLA_IFNAME == IFLA_IFNAME, "IFLA_IFNAME");
_Static_assert(SYNAPTIC_IFLA_MTU == IFLA_MTU, "IFLA_MTU");
_Static_assert(SYNAPTIC_IFA_ADDRESS == IFA_ADDRESS, "IFA_ADDRESS");
_Static_assert(SYNAPTIC_IFA_LOCAL == IFA_LOCAL, "IFA_LOCAL");
_Static_assert(SYNAPTIC_IFA_FLAGS == IFA_FLAGS, "IFA_FLAGS");
_Static_assert(SYNAPTIC_IFA_F_NODAD == IFA_F_NODAD, "IFA_F_NODAD");
_Static_assert(SYNAPTIC_IFA_F_OPTIMISTIC == IFA_F_OPTIMISTIC, "IFA_F_OPTIMISTIC");
_Static_assert(SYNAPTIC_IFA_F_DADFAILED == IFA_F_DADFAILED, "IFA_F_DADFAILED");
_Static_assert(SYNAPTIC_IFA_F_DEPRECATED == IFA_F_DEPRECATED, "IFA_F_DEPRECATED");
_Static_assert(SYNAPTIC_IFA_F_TENTATIVE == IFA_F_TENTATIVE, "IFA_F_TENTATIVE");
_Static_assert(SYNAPTIC_IFA_F_NOPREFIXROUTE == IFA_F_NOPREFIXROUTE, "IFA_F_NOPREFIXROUTE");
_Static_assert(SYNAPTIC_RTA_DST == RTA_DST, "RTA_DST");
_Static_assert(SYNAPTIC_RTA_OIF == RTA_OIF, "RTA_OIF");
_Static_assert(SYNAPTIC_RTA_PREFSRC == RTA_PREFSRC, "RTA_PREFSRC");
_Static_assert(SYNAPTIC_RTA_TABLE == RTA_TABLE, "RTA_TABLE");
_Static_assert(SYNAPTIC_RT_TABLE_MAIN == RT_TABLE_MAIN, "RT_TABLE_MAIN");
_Static_assert(SYNAPTIC_RTPROT_STATIC == RTPROT_STATIC, "RTPROT_STATIC");
_Static_assert(SYNAPTIC_RT_SCOPE_LINK == RT_SCOPE_LINK, "RT_SCOPE_LINK");
_Static_assert(SYNAPTIC_RTN_UNICAST == RTN_UNICAST, "RTN_UNICAST");
_Static_assert(SYNAPTIC_RTN_LOCAL == RTN_LOCAL, "RTN_LOCAL");
_Static_assert(sizeof(struct ifaddrmsg) == 8, "ifaddrmsg");
_Static_assert(sizeof(struct rtmsg) == 12, "rtmsg");
_Static_assert(sizeof(struct ifinfomsg) == 16, "ifinfomsg");
_Static_assert(sizeof(struct rtattr) == 4, "rtattr");

_Static_assert(SYNAPTIC_CLONE_NEWNET == CLONE_NEWNET, "CLONE_NEWNET");

int synaptic_recvmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags, struct timespec *timeout) {
    return recvmmsg(fd, (struct mmsghdr *)vec, n, flags, timeout);
}

int synaptic_sendmmsg(int fd, struct synaptic_mmsghdr *vec, unsigned int n, int flags) {
    return sendmmsg(fd, (struct mmsghdr *)vec, n, flags);
}

int synaptic_setns(int fd, int nstype) {
    return setns(fd, nstype);
}

int synaptic_set_thread_effective_capabilities(uint64_t effective) {
    struct __user_cap_header_struct header = { .version = _LINUX_CAPABILITY_VERSION_3, .pid = 0 };
    struct __user_cap_data_struct data[2];
    if (syscall(SYS_capget, &header, data) != 0) return -1;
    uint64_t permitted = ((uint64_t)data[1].permitted << 32) | data[0].permitted;
    effective &= permitted;
    data[0].effective = (uint32_t)effective;
    data[1].effective = (uint32_t)(effective >> 32);
    return (int)syscall(SYS_capset, &header, data);
}
