/// The transport of a flow a peer starts (what `InboundFlowPolicy` is asked about). A plain value.
public enum FlowTransport: Sendable, Hashable {
    case tcp
    case udp
}
