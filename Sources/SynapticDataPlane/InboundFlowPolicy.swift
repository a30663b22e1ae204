// InboundFlowPolicy: the address family in which a flow the peer starts reaches local applications.
//
// BEET carries only the upper-layer segment, so every inbound packet is rebuilt as IPv6 between the HITs,
// also when the peer's application sent it to our LSI. Flows we started over an LSI are in the
// LSIFlowTable; for a new flow from the peer, the HIPL approach (digest §8) asks which kind of socket
// waits for it: an IPv4 one only (bound to our LSI or 0.0.0.0) → IPv4 between the LSIs, else IPv6.
//
//   inbound packet, SA with LSIs, flow not in the table, starts a flow (TCP SYN without ACK, UDP)
//     → policy.presentsOverLSI(transport, localPort)?  → record the flow (both directions stay IPv4)
//                                                          and translate to IPv4
//                                                     : IPv6 as before

/// Decides whether a flow the peer starts is handed to local applications as IPv4 between the LSIs.
///
/// Concurrency: called synchronously by `InboundProcessor` on the queue that runs it (the sequential last
/// stage), once per flow-starting packet of a flow not in the `LSIFlowTable` (for UDP flows presented as
/// IPv6 that is every datagram), so an implementation must answer from a cache in steady state. It has
/// no errors: when it cannot tell, it answers false (IPv6, the behaviour without a policy).
public protocol InboundFlowPolicy: AnyObject {
    /// true: present the flow to local `localPort` over `transport` as IPv4 between the LSIs (the
    /// processor remembers the flow); false: as IPv6 between the HITs.
    func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16) -> Bool
}
