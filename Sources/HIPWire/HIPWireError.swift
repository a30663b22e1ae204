// HIPWireError: the one error type of HIPWire (parse, serialize, covered regions, ESP header).

/// Why HIPWire refused some bytes or a buffer.
///
/// A value type, safe to pass anywhere. Parsing errors mean "drop the packet"; the only one the caller
/// answers on the wire is `unknownCriticalType` (RFC 7401 §5.2.1: NOTIFY UNSUPPORTED_CRITICAL_PARAMETER_TYPE,
/// value 1, with the 2-byte type as data). `parameterType` names the parameter at fault when there is one.
public struct HIPWireError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        /// Fewer bytes than the fixed header, or than the Header Length announces.
        case truncated
        /// Header Length below 4, or total length not (HdrLen + 1) × 8.
        case badHeaderLength
        /// Next Header is not 59 (IPPROTO_NONE): HIPv2 never carries payload.
        case badNextHeader(UInt8)
        /// Version is not 2.
        case badVersion(UInt8)
        /// The SHIM6 compatibility bits: byte 2 bit 7 must be 0, byte 3 bit 0 must be 1.
        case badFixedBit
        /// Packet type not in `PacketType`.
        case unknownPacketType(UInt8)
        /// A TLV runs past the end of the packet, or its Length does not fit the parameter's layout.
        case badParameterLength(type: UInt16)
        /// A parameter's fields disagree with each other (e.g. an inner length field vs the TLV Length).
        case malformedParameter(type: UInt16)
        /// A parameter's type is lower than the one before it (RFC 7401 §5.2.1).
        case parametersOutOfOrder(type: UInt16)
        /// A critical (odd) parameter type this codec does not know.
        case unknownCriticalParameter(type: UInt16)
        /// The packet would exceed 2048 bytes (Header Length 255).
        case tooLarge
        /// The caller's buffer is smaller than the encoding.
        case bufferTooSmall(needed: Int)
        /// A value to serialize does not fit its wire field (e.g. an address that is not 16 bytes).
        case invalidValue(type: UInt16)
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// The type of an unknown critical parameter, when that is the reason (answer with NOTIFY type 1).
    public var unknownCriticalType: UInt16? {
        if case .unknownCriticalParameter(let type) = reason { return type }
        return nil
    }

    /// The parameter type the error is about, if it is about one.
    public var parameterType: UInt16? {
        switch reason {
        case .badParameterLength(let type), .malformedParameter(let type), .parametersOutOfOrder(let type),
             .unknownCriticalParameter(let type), .invalidValue(let type):
            return type
        default:
            return nil
        }
    }

    /// Bytes needed when the reason is a too-small caller buffer.
    public var neededBufferSize: Int? {
        if case .bufferTooSmall(let needed) = reason { return needed }
        return nil
    }

    public static let truncated = HIPWireError(.truncated)
    public static let badHeaderLength = HIPWireError(.badHeaderLength)
    public static let badFixedBit = HIPWireError(.badFixedBit)
    public static let tooLarge = HIPWireError(.tooLarge)
    public static func badNextHeader(_ value: UInt8) -> HIPWireError { HIPWireError(.badNextHeader(value)) }
    public static func badVersion(_ value: UInt8) -> HIPWireError { HIPWireError(.badVersion(value)) }
    public static func unknownPacketType(_ value: UInt8) -> HIPWireError { HIPWireError(.unknownPacketType(value)) }
    public static func badParameterLength(type: UInt16) -> HIPWireError { HIPWireError(.badParameterLength(type: type)) }
    public static func malformedParameter(type: UInt16) -> HIPWireError { HIPWireError(.malformedParameter(type: type)) }
    public static func parametersOutOfOrder(type: UInt16) -> HIPWireError {
        HIPWireError(.parametersOutOfOrder(type: type))
    }
    public static func unknownCriticalParameter(type: UInt16) -> HIPWireError {
        HIPWireError(.unknownCriticalParameter(type: type))
    }
    public static func bufferTooSmall(needed: Int) -> HIPWireError { HIPWireError(.bufferTooSmall(needed: needed)) }
    public static func invalidValue(type: UInt16) -> HIPWireError { HIPWireError(.invalidValue(type: type)) }

    /// A stable identifier of the reason without its details (e.g. "bad_parameter_length"), for counters
    /// and metric labels.
    public var name: String {
        switch reason {
        case .truncated: "truncated"
        case .badHeaderLength: "bad_header_length"
        case .badNextHeader: "bad_next_header"
        case .badVersion: "bad_version"
        case .badFixedBit: "bad_fixed_bit"
        case .unknownPacketType: "unknown_packet_type"
        case .badParameterLength: "bad_parameter_length"
        case .malformedParameter: "malformed_parameter"
        case .parametersOutOfOrder: "parameters_out_of_order"
        case .unknownCriticalParameter: "unknown_critical_parameter"
        case .tooLarge: "too_large"
        case .bufferTooSmall: "buffer_too_small"
        case .invalidValue: "invalid_value"
        }
    }

    public var description: String {
        switch reason {
        case .truncated: return "truncated"
        case .badHeaderLength: return "bad header length"
        case .badNextHeader(let v): return "bad next header \(v) (expected 59)"
        case .badVersion(let v): return "bad version \(v) (expected 2)"
        case .badFixedBit: return "bad fixed bits"
        case .unknownPacketType(let v): return "unknown packet type \(v)"
        case .badParameterLength(let t): return "bad length in parameter \(t)"
        case .malformedParameter(let t): return "malformed parameter \(t)"
        case .parametersOutOfOrder(let t): return "parameter \(t) out of ascending order"
        case .unknownCriticalParameter(let t): return "unknown critical parameter \(t)"
        case .tooLarge: return "packet larger than 2048 bytes"
        case .bufferTooSmall(let n): return "buffer too small (need \(n) bytes)"
        case .invalidValue(let t): return "value does not fit parameter \(t)"
        }
    }
}
