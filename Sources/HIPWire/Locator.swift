// LOCATOR_SET (type 193, critical), RFC 8046 §4 (type 2 locators: RFC 5770 §5.7 / RFC 9028 §5.7).
// The contents are one or more locators, each:
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Traffic Type  | Locator Type  | Locator Length| Reserved    |P|
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                       Locator Lifetime                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            Locator  (Locator Length × 4 bytes)|
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
//  Locator Type 0 (Length 4): Address128 (IPv6 or IPv4-mapped)
//  Locator Type 1 (Length 5): SPI32 | Address128
//  Locator Type 2 (Length 7): Port16 | Transport Protocol8 | Kind8 | Priority32 | SPI32 | Address128
//
// A known locator type with another Locator Length is malformed. Unknown locator types are kept as
// `.unknown` so the core can answer NOTIFY LOCATOR_TYPE_UNSUPPORTED (46).

/// One locator of a LOCATOR_SET. Addresses are 16 bytes (IPv6 or IPv4-mapped; see `IPAddress(mappedBytes:)`).
public struct Locator: Hashable, Sendable {
    /// What the locator carries, by Locator Type.
    public enum Address: Hashable, Sendable {
        /// Type 0: an address.
        case address([UInt8])
        /// Type 1: an ESP SPI and an address.
        case espAddress(spi: UInt32, address: [UInt8])
        /// Type 2: a transport locator (ICE candidate; kind 0 host, 1 server-reflexive, 2 peer-reflexive, 3 relayed).
        case transport(port: UInt16, proto: UInt8, kind: UInt8, priority: UInt32, spi: UInt32, address: [UInt8])
        /// Any other Locator Type, with its raw locator bytes (a multiple of 4, at most 1020).
        case unknown(locatorType: UInt8, bytes: [UInt8])
    }

    /// 0 = HIP signaling and data, 1 = signaling only, 2 = data only.
    public var trafficType: UInt8
    /// The P bit.
    public var preferred: Bool
    /// Locator Lifetime in seconds.
    public var lifetime: UInt32
    public var address: Address

    public init(trafficType: UInt8 = 0, preferred: Bool = false, lifetime: UInt32, address: Address) {
        self.trafficType = trafficType
        self.preferred = preferred
        self.lifetime = lifetime
        self.address = address
    }

    var locatorType: UInt8 {
        switch address {
        case .address: return 0
        case .espAddress: return 1
        case .transport: return 2
        case .unknown(let type, _): return type
        }
    }

    /// Length of the Locator field in bytes.
    var locatorLength: Int {
        switch address {
        case .address: return 16
        case .espAddress: return 20
        case .transport: return 28
        case .unknown(_, let bytes): return bytes.count
        }
    }

    var encodedLength: Int { 8 + locatorLength }

    var isEncodable: Bool {
        switch address {
        case .address(let a), .espAddress(_, let a), .transport(_, _, _, _, _, let a): return a.count == 16
        case .unknown(let type, let bytes):
            return type > 2 && bytes.count % 4 == 0 && bytes.count <= 255 * 4
        }
    }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        trafficType = try reader.readUInt8()
        let type = try reader.readUInt8()
        let length = Int(try reader.readUInt8()) * 4
        preferred = try reader.readUInt8() & 1 == 1
        lifetime = try reader.readUInt32()
        let expected: Int? = switch type {
        case 0: 16
        case 1: 20
        case 2: 28
        default: nil
        }
        if let expected, expected != length { throw .malformedParameter(type: ParameterType.locatorSet) }
        switch type {
        case 0:
            address = .address(try reader.readBytes(16))
        case 1:
            let spi = try reader.readUInt32()
            address = .espAddress(spi: spi, address: try reader.readBytes(16))
        case 2:
            let port = try reader.readUInt16()
            let proto = try reader.readUInt8()
            let kind = try reader.readUInt8()
            let priority = try reader.readUInt32()
            let spi = try reader.readUInt32()
            address = .transport(port: port, proto: proto, kind: kind, priority: priority, spi: spi,
                                 address: try reader.readBytes(16))
        default:
            address = .unknown(locatorType: type, bytes: try reader.readBytes(length))
        }
    }

    func write(to writer: inout ByteWriter) {
        writer.write(trafficType)
        writer.write(locatorType)
        writer.write(UInt8(truncatingIfNeeded: locatorLength / 4))
        writer.write(UInt8(preferred ? 1 : 0))
        writer.write(lifetime)
        switch address {
        case .address(let a):
            writer.write(a)
        case .espAddress(let spi, let a):
            writer.write(spi)
            writer.write(a)
        case .transport(let port, let proto, let kind, let priority, let spi, let a):
            writer.write(port)
            writer.write(proto)
            writer.write(kind)
            writer.write(priority)
            writer.write(spi)
            writer.write(a)
        case .unknown(_, let bytes):
            writer.write(bytes)
        }
    }
}
