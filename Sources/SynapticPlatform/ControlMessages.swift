// ControlMessages: the ancillary data (cmsg) synaptic writes and reads on datagram sockets.
//
// struct cmsghdr { size_t cmsg_len; int cmsg_level; int cmsg_type; data, padded to sizeof(size_t) }
// Written on send:  IP_PKTINFO   (IPPROTO_IP,   in_pktinfo:  ipi_spec_dst = our source address)
//                   IPV6_PKTINFO (IPPROTO_IPV6, in6_pktinfo: ipi6_addr = our source address)
//                   UDP_SEGMENT  (SOL_UDP, uint16 segment size: GSO)
// Read on receive:  IP_PKTINFO   (ipi_addr = the header destination, ipi_ifindex)
//                   IPV6_PKTINFO (ipi6_addr = the destination, ipi6_ifindex)
//                   UDP_GRO      (SOL_UDP, int gso_size)
// Written as if received (in-memory transports, DatagramBatch.setReceived): the packet info alone.
// CMSG_* macros come from CSynapticShims (Swift does not import them).

import CSynapticShims
import Glibc

/// Writes and parses the control messages of one datagram. Internal to DatagramBatch.
enum ControlMessages {
    /// What the control messages of a received datagram say.
    struct Received {
        var destination: InetAddress?
        var interfaceIndex: UInt32?
        var segmentSize: Int?
    }

    /// Writes the send-side control messages into `area` and returns their total length (0 for none).
    static func writeSend(into area: UnsafeMutableRawPointer, capacity: Int, source: InetAddress?,
                          segmentSize: UInt16) -> Int {
        var used = 0
        if let source {
            used += appendPacketInfo(source, received: false, at: area, capacity: capacity)
        }
        if segmentSize > 0 {
            used += append(segmentSize, level: SYNAPTIC_SOL_UDP, type: SYNAPTIC_UDP_SEGMENT, at: area + used,
                           capacity: capacity - used)
        }
        return used
    }

    /// Writes the packet info the kernel gives a received datagram (its local `destination`) into `area` and
    /// returns its length: what in-memory transports put in a batch in place of a receive.
    static func writeReceived(into area: UnsafeMutableRawPointer, capacity: Int, destination: InetAddress) -> Int {
        appendPacketInfo(destination, received: true, at: area, capacity: capacity)
    }

    /// Appends IP_PKTINFO or IPV6_PKTINFO with `address`: IPv4 keeps a received datagram's destination in
    /// `ipi_addr` and a send's source in `ipi_spec_dst`; IPv6 keeps both in `ipi6_addr`.
    private static func appendPacketInfo(_ address: InetAddress, received: Bool, at pointer: UnsafeMutableRawPointer,
                                         capacity: Int) -> Int {
        switch address {
        case .v4(let address):
            var info = synaptic_in_pktinfo()
            if received { info.ipi_addr = address.inAddr } else { info.ipi_spec_dst = address.inAddr }
            return append(info, level: Int32(IPPROTO_IP), type: IP_PKTINFO, at: pointer, capacity: capacity)
        case .v6(let address):
            var info = synaptic_in6_pktinfo()
            info.ipi6_addr = address.in6Addr
            return append(info, level: Int32(IPPROTO_IPV6), type: IPV6_PKTINFO, at: pointer, capacity: capacity)
        }
    }

    /// Appends one control message and returns the space it takes (CMSG_SPACE).
    private static func append<Value>(_ value: Value, level: Int32, type: Int32,
                                                       at pointer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        let space = synaptic_cmsg_space(MemoryLayout<Value>.size)
        precondition(space <= capacity, "control buffer too small")  // fixed sizes: PlatformLimits
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: space)
        let header = pointer.bindMemory(to: cmsghdr.self, capacity: 1)
        header.pointee.cmsg_len = synaptic_cmsg_len(MemoryLayout<Value>.size)
        header.pointee.cmsg_level = level
        header.pointee.cmsg_type = type
        (pointer + synaptic_cmsg_len(0)).storeBytes(of: value, as: Value.self)  // CMSG_DATA
        return space
    }

    /// Parses the control messages the kernel returned in `message` (bounds-checked by CMSG_NXTHDR).
    static func received(in message: UnsafeMutablePointer<msghdr>) -> Received {
        var result = Received()
        guard message.pointee.msg_control != nil else { return result }
        var cursor = synaptic_cmsg_firsthdr(message)
        while let header = cursor {
            let dataLength = Int(header.pointee.cmsg_len) - synaptic_cmsg_len(0)
            let data = UnsafeRawPointer(header) + synaptic_cmsg_len(0)  // CMSG_DATA
            switch (header.pointee.cmsg_level, header.pointee.cmsg_type) {
            case (Int32(IPPROTO_IP), IP_PKTINFO) where dataLength >= MemoryLayout<synaptic_in_pktinfo>.size:
                let info = data.loadUnaligned(as: synaptic_in_pktinfo.self)
                result.destination = .v4(IPv4Address(inAddr: info.ipi_addr))
                result.interfaceIndex = UInt32(bitPattern: info.ipi_ifindex)
            case (Int32(IPPROTO_IPV6), IPV6_PKTINFO) where dataLength >= MemoryLayout<synaptic_in6_pktinfo>.size:
                let info = data.loadUnaligned(as: synaptic_in6_pktinfo.self)
                result.destination = .v6(IPv6Address(in6Addr: info.ipi6_addr))
                result.interfaceIndex = info.ipi6_ifindex
            case (SYNAPTIC_SOL_UDP, SYNAPTIC_UDP_GRO) where dataLength >= MemoryLayout<Int32>.size:
                result.segmentSize = Int(data.loadUnaligned(as: Int32.self))
            default:
                break
            }
            cursor = synaptic_cmsg_nxthdr(message, header)
        }
        return result
    }
}
