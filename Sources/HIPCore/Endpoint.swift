// Endpoint: where a HIP packet came from or goes to: an IP address and the transport that carries HIP.
import HIPWire

/// How a HIP packet travels: directly over IP protocol 139, or over UDP with the 4-byte zero marker
/// (RFC 5770/9028); the port is the remote (or local, for received packets' destination) UDP port.
public enum Transport: Hashable, Sendable, CustomStringConvertible {
    case raw
    case udp(port: UInt16)

    public var description: String {
        switch self {
        case .raw: "raw"
        case .udp(let port): "udp/\(port)"
        }
    }
}

/// An IP address plus transport: the source of a received packet, or the destination of one to send.
/// A value type; use it anywhere.
public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
    public var address: IPAddress
    public var transport: Transport

    public init(address: IPAddress, transport: Transport) {
        self.address = address
        self.transport = transport
    }

    public var description: String {
        switch transport {
        case .raw: "\(address) (raw)"
        case .udp(let port): "\(address) udp/\(port)"
        }
    }
}
