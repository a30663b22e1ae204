// NetlinkMessage+Status: the status in NLMSG_ERROR and NLMSG_DONE replies (Linux netlink.h, struct
// nlmsgerr; netlink(7) "extended acks").
//
// NLMSG_ERROR payload:
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |              error: 0 = acknowledgement, else -errno          |
// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
// |  the request's nlmsghdr (16 bytes); its payload follows unless the reply has NLM_F_CAPPED
// |  then, if the reply has NLM_F_ACK_TLVS, attributes: NLMSGERR_ATTR_MSG (1) = NUL-terminated reason
//
// NLMSG_DONE payload (dumps): an int32, negative errno when the dump failed.

import CSynapticShims

extension NetlinkMessage {
    /// Throws the `SystemError` an NLMSG_ERROR or NLMSG_DONE reply reports; returns for success.
    func checkStatus(call: String) throws(SystemError) {
        guard let status = NetlinkMessage.loadHost(Int32.self, from: payload, at: 0) else {
            if type == UInt16(SYNAPTIC_NLMSG_DONE) { return }  // old kernels: empty DONE
            throw SystemError.malformed(call, "status reply of \(payload.count) bytes")
        }
        guard status < 0 else { return }
        guard status > Int32.min else { throw SystemError.malformed(call, "status \(status)") }
        throw SystemError(call: call, errno: -status, detail: type == UInt16(SYNAPTIC_NLMSG_ERROR) ? reason() : nil)
    }

    /// The NLMSGERR_ATTR_MSG text of an extended ack, if there is one and it parses.
    private func reason() -> String? {
        guard flags & UInt16(SYNAPTIC_NLM_F_ACK_TLVS) != 0 else { return nil }
        var start = 4 + NetlinkMessage.headerLength
        if flags & UInt16(SYNAPTIC_NLM_F_CAPPED) == 0 {
            guard let requestLength = NetlinkMessage.loadHost(UInt32.self, from: payload, at: 4) else { return nil }
            start = 4 + Int(requestLength)
        }
        start += NetlinkMessage.padding(start)
        guard start <= payload.count,
              let attributes = try? NetlinkAttribute.parseAll(payload[start...], call: "NLMSG_ERROR") else { return nil }
        return attributes.first { $0.type == UInt16(SYNAPTIC_NLMSGERR_ATTR_MSG) }?.string
    }
}
