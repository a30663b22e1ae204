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
    var regInfo: RegInfo? { if case .regInfo(let v)? = first(ParameterType.regInfo) { v } else { nil } }
    var regRequest: RegRequest? { if case .regRequest(let v)? = first(ParameterType.regRequest) { v } else { nil } }
    var regResponse: RegResponse? { if case .regResponse(let v)? = first(ParameterType.regResponse) { v } else { nil } }
    var regFailed: [RegFailed] { parameters.compactMap { if case .regFailed(let v) = $0 { v } else { nil } } }
    var regFrom: TransportAddress? { if case .regFrom(let v)? = first(ParameterType.regFrom) { v } else { nil } }
    var peerPermissions: [PeerPermission] {
        parameters.compactMap { if case .peerPermission(let v) = $0 { v } else { nil } }
    }
    var relayFrom: TransportAddress? { if case .relayFrom(let v)? = first(ParameterType.relayFrom) { v } else { nil } }
    var relayTo: TransportAddress? { if case .relayTo(let v)? = first(ParameterType.relayTo) { v } else { nil } }
    var relayHMAC: [UInt8]? { if case .relayHMAC(let v)? = first(ParameterType.relayHMAC) { v } else { nil } }
    var from: [UInt8]? { if case .from(let v)? = first(ParameterType.from) { v } else { nil } }
    var rvsHMAC: [UInt8]? { if case .rvsHMAC(let v)? = first(ParameterType.rvsHMAC) { v } else { nil } }
    var viaRVS: [[UInt8]]? { if case .viaRVS(let v)? = first(ParameterType.viaRVS) { v } else { nil } }
    /// Whether a server already added forwarding parameters (FROM, RVS_HMAC, RELAY_*).
    var hasForwardingParameters: Bool {
        parameters.contains {
            [ParameterType.relayFrom, ParameterType.relayTo, ParameterType.relayHMAC, ParameterType.from,
             ParameterType.rvsHMAC].contains($0.type)
        }
    }
    func has(_ type: UInt16) -> Bool { first(type) != nil }
}
