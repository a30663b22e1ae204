// OddPortsOverLSI: ESPInboundFuzzer's stand-in for the node's socket lookup (ListenerFamilyPolicy): a flow
// the peer starts towards an odd local port is presented over the LSIs (IPv4), towards an even one over the
// HITs (IPv6), so both outcomes are one bit of the input away.
import SynapticDataPlane

/// Presents flows to odd local ports as IPv4.
final class OddPortsOverLSI: InboundFlowPolicy {
    func presentsOverLSI(_ transport: FlowTransport, localPort: UInt16) -> Bool { localPort % 2 == 1 }
}
