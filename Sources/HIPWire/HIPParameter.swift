// HIPParameter: one HIP parameter (TLV), RFC 7401 §5.2.1.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type            |C|             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  /                          Contents                             /
//  /                                               +-+-+-+-+-+-+-+-+
//  |                                               |    Padding    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Length counts the Contents only; padding (zero bytes) rounds the TLV up to a multiple of 8.
// The per-parameter layouts are in the payload files and in HIPParameter+Codec.swift.

/// A decoded HIP parameter. One case per known type; anything else is kept as `.unknown`.
/// A value type; use it anywhere.
public enum HIPParameter: Hashable, Sendable {
    case espInfo(ESPInfo)
    /// R1_COUNTER: the 64-bit R1 generation counter (after 4 reserved bytes).
    case r1Counter(UInt64)
    case locatorSet([Locator])
    case puzzle(Puzzle)
    case solution(Solution)
    /// SEQ: the Update ID.
    case seq(UInt32)
    /// ACK: the peer Update IDs acknowledged (at least one).
    case ack([UInt32])
    /// DH_GROUP_LIST: group IDs in preference order (at least one).
    case dhGroupList([UInt8])
    case diffieHellman(DiffieHellmanValue)
    /// HIP_CIPHER: cipher IDs in preference order (at least one).
    case hipCipher([UInt16])
    /// NAT_TRAVERSAL_MODE: mode IDs after the 2 reserved bytes (at least one).
    case natTraversalMode([UInt16])
    /// TRANSACTION_PACING: Min Ta in milliseconds.
    case transactionPacing(UInt32)
    /// ENCRYPTED: the contents after the 4 reserved bytes: IV ‖ ciphertext.
    case encrypted([UInt8])
    case hostID(HostID)
    /// HIT_SUITE_LIST: 8-bit entries (suite ID << 4), at least one.
    case hitSuiteList([UInt8])
    case cert(Certificate)
    case notification(Notification)
    case echoRequestSigned([UInt8])
    case echoResponseSigned([UInt8])
    case regInfo(RegInfo)
    case regRequest(RegRequest)
    case regResponse(RegResponse)
    case regFailed(RegFailed)
    case regFrom(TransportAddress)
    case relayedAddress(TransportAddress)
    case mappedAddress(TransportAddress)
    case relayFrom(TransportAddress)
    case relayTo(TransportAddress)
    /// TRANSPORT_FORMAT_LIST: TF types (parameter types of the formats, e.g. 4095 for ESP), at least one.
    case transportFormatList([UInt16])
    /// ESP_TRANSFORM: suite IDs after the 2 reserved bytes (at least one).
    case espTransform([UInt16])
    case peerPermission(PeerPermission)
    case candidatePriority(UInt32)
    /// NOMINATE: 4 reserved bytes.
    case nominate
    case hipMAC([UInt8])
    case hipMAC2([UInt8])
    case hipSignature2(Signature)
    case hipSignature(Signature)
    case echoResponseUnsigned([UInt8])
    case echoRequestUnsigned([UInt8])
    /// FROM: the original source address, 16 bytes (IPv6 or IPv4-mapped).
    case from([UInt8])
    case rvsHMAC([UInt8])
    /// VIA_RVS: one or more 16-byte addresses.
    case viaRVS([[UInt8]])
    case relayHMAC([UInt8])
    /// A parameter type this codec does not decode (non-critical on parse; serialized as given).
    case unknown(type: UInt16, contents: [UInt8])

    /// The parameter's type number.
    public var type: UInt16 {
        switch self {
        case .espInfo: ParameterType.espInfo
        case .r1Counter: ParameterType.r1Counter
        case .locatorSet: ParameterType.locatorSet
        case .puzzle: ParameterType.puzzle
        case .solution: ParameterType.solution
        case .seq: ParameterType.seq
        case .ack: ParameterType.ack
        case .dhGroupList: ParameterType.dhGroupList
        case .diffieHellman: ParameterType.diffieHellman
        case .hipCipher: ParameterType.hipCipher
        case .natTraversalMode: ParameterType.natTraversalMode
        case .transactionPacing: ParameterType.transactionPacing
        case .encrypted: ParameterType.encrypted
        case .hostID: ParameterType.hostID
        case .hitSuiteList: ParameterType.hitSuiteList
        case .cert: ParameterType.cert
        case .notification: ParameterType.notification
        case .echoRequestSigned: ParameterType.echoRequestSigned
        case .echoResponseSigned: ParameterType.echoResponseSigned
        case .regInfo: ParameterType.regInfo
        case .regRequest: ParameterType.regRequest
        case .regResponse: ParameterType.regResponse
        case .regFailed: ParameterType.regFailed
        case .regFrom: ParameterType.regFrom
        case .relayedAddress: ParameterType.relayedAddress
        case .mappedAddress: ParameterType.mappedAddress
        case .relayFrom: ParameterType.relayFrom
        case .relayTo: ParameterType.relayTo
        case .transportFormatList: ParameterType.transportFormatList
        case .espTransform: ParameterType.espTransform
        case .peerPermission: ParameterType.peerPermission
        case .candidatePriority: ParameterType.candidatePriority
        case .nominate: ParameterType.nominate
        case .hipMAC: ParameterType.hipMAC
        case .hipMAC2: ParameterType.hipMAC2
        case .hipSignature2: ParameterType.hipSignature2
        case .hipSignature: ParameterType.hipSignature
        case .echoResponseUnsigned: ParameterType.echoResponseUnsigned
        case .echoRequestUnsigned: ParameterType.echoRequestUnsigned
        case .from: ParameterType.from
        case .rvsHMAC: ParameterType.rvsHMAC
        case .viaRVS: ParameterType.viaRVS
        case .relayHMAC: ParameterType.relayHMAC
        case .unknown(let type, _): type
        }
    }
}
