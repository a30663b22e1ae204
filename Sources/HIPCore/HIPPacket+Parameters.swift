// HIPPacket+Parameters: typed lookups of the parameters the state machines read (first instance wins).
import HIPWire

extension HIPPacket {
    var r1Counter: UInt64? { if case .r1Counter(let v)? = first(ParameterType.r1Counter) { v } else { nil } }
    var puzzle: Puzzle? { if case .puzzle(let v)? = first(ParameterType.puzzle) { v } else { nil } }
    var solution: Solution? { if case .solution(let v)? = first(ParameterType.solution) { v } else { nil } }
    var dhGroupList: [UInt8]? { if case .dhGroupList(let v)? = first(ParameterType.dhGroupList) { v } else { nil } }
    var diffieHellman: DiffieHellmanValue? {
        if case .diffieHellman(let v)? = first(ParameterType.diffieHellman) { v } else { nil }
    }
    var hipCipher: [UInt16]? { if case .hipCipher(let v)? = first(ParameterType.hipCipher) { v } else { nil } }
    var encrypted: [UInt8]? { if case .encrypted(let v)? = first(ParameterType.encrypted) { v } else { nil } }
    var hostID: HostID? { if case .hostID(let v)? = first(ParameterType.hostID) { v } else { nil } }
    var hitSuiteList: [UInt8]? { if case .hitSuiteList(let v)? = first(ParameterType.hitSuiteList) { v } else { nil } }
    var transportFormatList: [UInt16]? {
        if case .transportFormatList(let v)? = first(ParameterType.transportFormatList) { v } else { nil }
    }
    var natTraversalMode: [UInt16]? {
        if case .natTraversalMode(let v)? = first(ParameterType.natTraversalMode) { v } else { nil }
    }
    var espTransform: [UInt16]? { if case .espTransform(let v)? = first(ParameterType.espTransform) { v } else { nil } }
    var seq: UInt32? { if case .seq(let v)? = first(ParameterType.seq) { v } else { nil } }
    var ack: [UInt32]? { if case .ack(let v)? = first(ParameterType.ack) { v } else { nil } }
    var locatorSet: [Locator]? { if case .locatorSet(let v)? = first(ParameterType.locatorSet) { v } else { nil } }
    var espInfo: ESPInfo? { if case .espInfo(let v)? = first(ParameterType.espInfo) { v } else { nil } }
    var echoRequestSigned: [UInt8]? {
        if case .echoRequestSigned(let v)? = first(ParameterType.echoRequestSigned) { v } else { nil }
    }
    var echoResponseSigned: [UInt8]? {
        if case .echoResponseSigned(let v)? = first(ParameterType.echoResponseSigned) { v } else { nil }
    }
    /// Every ECHO_REQUEST_UNSIGNED (each must be answered, RFC 7401 §5.2.21).
    var echoRequestsUnsigned: [[UInt8]] {
        parameters.compactMap { if case .echoRequestUnsigned(let v) = $0 { v } else { nil } }
    }
    var notifications: [Notification] {
        parameters.compactMap { if case .notification(let v) = $0 { v } else { nil } }
    }
    func has(_ type: UInt16) -> Bool { first(type) != nil }
}
