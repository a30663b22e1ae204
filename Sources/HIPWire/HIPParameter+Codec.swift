// HIPParameter+Codec: contents layouts of the parameters without a payload struct, and the dispatch
// from type number to decoder/encoder. Contents only: the TLV header and padding are HIPPacket's.
//
//  R1_COUNTER (129, Length 12)         Reserved32 | R1 generation counter64          RFC 7401 §5.2.3
//  SEQ (385, 4)                        Update ID32                                   RFC 7401 §5.2.16
//  ACK (449, 4n, n ≥ 1)                peer Update ID32 × n                          RFC 7401 §5.2.17
//  DH_GROUP_LIST (511, n ≥ 1)          Group ID8 × n                                 RFC 7401 §5.2.6
//  HIP_CIPHER (579, 2n, n ≥ 1)         Cipher ID16 × n                               RFC 7401 §5.2.8
//  NAT_TRAVERSAL_MODE (608, 2+2n)      Reserved16 | Mode ID16 × n (n ≥ 1)            RFC 9028 §5.4
//  TRANSACTION_PACING (610, 4)         Min Ta32                                      RFC 9028 §5.5
//  ENCRYPTED (641, ≥ 4)                Reserved32 | IV | Encrypted data              RFC 7401 §5.2.18
//  HIT_SUITE_LIST (715, n ≥ 1)         ID8 × n                                       RFC 7401 §5.2.10
//  ECHO_*_SIGNED (897, 961), ECHO_*_UNSIGNED (63661, 63425)   Opaque data (any length) RFC 7401 §5.2.20–23
//  TRANSPORT_FORMAT_LIST (2049, 2n)    TF type16 × n (n ≥ 1)                         RFC 7401 §5.2.11
//  ESP_TRANSFORM (4095, 2+2n)          Reserved16 | Suite ID16 × n (n ≥ 1)           RFC 7402 §5.1.2
//  CANDIDATE_PRIORITY (4700, 4)        Priority32                                    RFC 9028 §5.14
//  NOMINATE (4710, 4)                  Reserved32                                    RFC 9028 §5.15
//  HIP_MAC (61505), HIP_MAC_2 (61569), RVS_HMAC (65500), RELAY_HMAC (65520)   HMAC (≥ 1 byte)
//  FROM (65498, 16)                    Address128                                    RFC 8004 §4.2.2
//  VIA_RVS (65502, 16n, n ≥ 1)         Address128 × n                                RFC 8004 §4.2.3

extension HIPParameter {
    /// Decodes the contents of a parameter of a known type; nil when the type is not known.
    /// Every decoder must consume the contents exactly, else `badParameterLength(type)`.
    static func decode(type: UInt16, contents: UnsafeRawBufferPointer,
                       options: ParseOptions) throws(HIPWireError) -> HIPParameter? {
        var r = ByteReader(contents, error: .badParameterLength(type: type))
        let value: HIPParameter
        switch type {
        case ParameterType.espInfo: value = .espInfo(try ESPInfo(reading: &r))
        case ParameterType.r1Counter:
            try r.skip(4)
            value = .r1Counter(try r.readUInt64())
        case ParameterType.locatorSet:
            var locators: [Locator] = []
            while !r.isAtEnd { locators.append(try Locator(reading: &r)) }
            value = .locatorSet(locators)
        case ParameterType.puzzle: value = .puzzle(try Puzzle(reading: &r))
        case ParameterType.solution: value = .solution(try Solution(reading: &r))
        case ParameterType.seq: value = .seq(try r.readUInt32())
        case ParameterType.ack: value = .ack(try readList(&r, width: 4) { r throws(HIPWireError) in try r.readUInt32() })
        case ParameterType.dhGroupList: value = .dhGroupList(try readNonEmptyRest(&r))
        case ParameterType.diffieHellman:
            value = .diffieHellman(try DiffieHellmanValue(reading: &r, lenient: options.acceptsCutehipDHLength))
        case ParameterType.hipCipher: value = .hipCipher(try readUInt16List(&r))
        case ParameterType.natTraversalMode:
            try r.skip(2)
            value = .natTraversalMode(try readUInt16List(&r))
        case ParameterType.transactionPacing: value = .transactionPacing(try r.readUInt32())
        case ParameterType.encrypted:
            try r.skip(4)
            value = .encrypted(r.readRest())
        case ParameterType.hostID: value = .hostID(try HostID(reading: &r))
        case ParameterType.hitSuiteList: value = .hitSuiteList(try readNonEmptyRest(&r))
        case ParameterType.cert: value = .cert(try Certificate(reading: &r))
        case ParameterType.notification: value = .notification(try Notification(reading: &r))
        case ParameterType.echoRequestSigned: value = .echoRequestSigned(r.readRest())
        case ParameterType.echoResponseSigned: value = .echoResponseSigned(r.readRest())
        case ParameterType.regInfo: value = .regInfo(try RegInfo(reading: &r))
        case ParameterType.regRequest: value = .regRequest(try RegRequest(reading: &r))
        case ParameterType.regResponse: value = .regResponse(try RegResponse(reading: &r))
        case ParameterType.regFailed: value = .regFailed(try RegFailed(reading: &r))
        case ParameterType.regFrom: value = .regFrom(try TransportAddress(reading: &r))
        case ParameterType.relayedAddress: value = .relayedAddress(try TransportAddress(reading: &r))
        case ParameterType.mappedAddress: value = .mappedAddress(try TransportAddress(reading: &r))
        case ParameterType.relayFrom: value = .relayFrom(try TransportAddress(reading: &r))
        case ParameterType.relayTo: value = .relayTo(try TransportAddress(reading: &r))
        case ParameterType.transportFormatList: value = .transportFormatList(try readUInt16List(&r))
        case ParameterType.espTransform:
            try r.skip(2)
            value = .espTransform(try readUInt16List(&r))
        case ParameterType.peerPermission: value = .peerPermission(try PeerPermission(reading: &r))
        case ParameterType.candidatePriority: value = .candidatePriority(try r.readUInt32())
        case ParameterType.nominate:
            try r.skip(4)
            value = .nominate
        case ParameterType.hipMAC: value = .hipMAC(try readNonEmptyRest(&r))
        case ParameterType.hipMAC2: value = .hipMAC2(try readNonEmptyRest(&r))
        case ParameterType.hipSignature2: value = .hipSignature2(try Signature(reading: &r))
        case ParameterType.hipSignature: value = .hipSignature(try Signature(reading: &r))
        case ParameterType.echoResponseUnsigned: value = .echoResponseUnsigned(r.readRest())
        case ParameterType.echoRequestUnsigned: value = .echoRequestUnsigned(r.readRest())
        case ParameterType.from: value = .from(try r.readBytes(16))
        case ParameterType.rvsHMAC: value = .rvsHMAC(try readNonEmptyRest(&r))
        case ParameterType.viaRVS:
            value = .viaRVS(try readList(&r, width: 16) { r throws(HIPWireError) in try r.readBytes(16) })
        case ParameterType.relayHMAC: value = .relayHMAC(try readNonEmptyRest(&r))
        default: return nil
        }
        guard r.isAtEnd else { throw .badParameterLength(type: type) }
        return value
    }

    /// Length of the contents on the wire (without TLV header and padding).
    var contentsLength: Int {
        switch self {
        case .espInfo: ESPInfo.contentsLength
        case .r1Counter: 12
        case .locatorSet(let locators): locators.reduce(0) { $0 + $1.encodedLength }
        case .puzzle(let p): p.contentsLength
        case .solution(let s): s.contentsLength
        case .seq, .transactionPacing, .candidatePriority, .nominate: 4
        case .ack(let ids): 4 * ids.count
        case .dhGroupList(let bytes), .hitSuiteList(let bytes), .echoRequestSigned(let bytes),
             .echoResponseSigned(let bytes), .hipMAC(let bytes), .hipMAC2(let bytes),
             .echoResponseUnsigned(let bytes), .echoRequestUnsigned(let bytes), .from(let bytes),
             .rvsHMAC(let bytes), .relayHMAC(let bytes), .unknown(_, let bytes):
            bytes.count
        case .diffieHellman(let dh): dh.contentsLength
        case .hipCipher(let ids), .transportFormatList(let ids): 2 * ids.count
        case .natTraversalMode(let ids), .espTransform(let ids): 2 + 2 * ids.count
        case .encrypted(let bytes): 4 + bytes.count
        case .hostID(let h): h.contentsLength
        case .cert(let c): c.contentsLength
        case .notification(let n): n.contentsLength
        case .regInfo(let r): r.contentsLength
        case .regRequest(let r): r.contentsLength
        case .regResponse(let r): r.contentsLength
        case .regFailed(let r): r.contentsLength
        case .regFrom, .relayedAddress, .mappedAddress, .relayFrom, .relayTo: TransportAddress.contentsLength
        case .peerPermission: PeerPermission.contentsLength
        case .hipSignature2(let s), .hipSignature(let s): s.contentsLength
        case .viaRVS(let addresses): 16 * addresses.count
        }
    }

    /// Whether the value fits its wire layout, so that parsing our own output gives it back.
    /// (Sizes beyond 2048 bytes are caught by the packet-size check.)
    var isEncodable: Bool {
        switch self {
        case .espInfo, .r1Counter, .seq, .transactionPacing, .encrypted, .cert, .notification,
             .echoRequestSigned, .echoResponseSigned, .regInfo, .regRequest, .regResponse, .regFailed,
             .candidatePriority, .nominate, .echoResponseUnsigned, .echoRequestUnsigned, .unknown:
            true
        case .locatorSet(let locators): locators.allSatisfy(\.isEncodable)
        case .puzzle(let p): !p.random.isEmpty
        case .solution(let s): s.isEncodable
        case .ack(let ids): !ids.isEmpty
        case .dhGroupList(let bytes), .hitSuiteList(let bytes), .hipMAC(let bytes), .hipMAC2(let bytes),
             .rvsHMAC(let bytes), .relayHMAC(let bytes):
            !bytes.isEmpty
        case .diffieHellman(let dh): !dh.publicValue.isEmpty
        case .hipCipher(let ids), .transportFormatList(let ids), .natTraversalMode(let ids),
             .espTransform(let ids):
            !ids.isEmpty
        case .hostID(let h): h.isEncodable
        case .regFrom(let a), .relayedAddress(let a), .mappedAddress(let a), .relayFrom(let a), .relayTo(let a):
            a.isEncodable
        case .peerPermission(let p): p.isEncodable
        case .hipSignature2(let s), .hipSignature(let s): !s.signature.isEmpty
        case .from(let bytes): bytes.count == 16
        case .viaRVS(let addresses): !addresses.isEmpty && addresses.allSatisfy { $0.count == 16 }
        }
    }

    /// Writes the contents (callers checked `isEncodable` and the buffer size).
    func writeContents(to w: inout ByteWriter) {
        switch self {
        case .espInfo(let v): v.write(to: &w)
        case .r1Counter(let counter):
            w.write(UInt32(0))
            w.write(counter)
        case .locatorSet(let locators): for locator in locators { locator.write(to: &w) }
        case .puzzle(let v): v.write(to: &w)
        case .solution(let v): v.write(to: &w)
        case .seq(let v), .transactionPacing(let v), .candidatePriority(let v): w.write(v)
        case .nominate: w.write(UInt32(0))
        case .ack(let ids): for id in ids { w.write(id) }
        case .dhGroupList(let bytes), .hitSuiteList(let bytes), .echoRequestSigned(let bytes),
             .echoResponseSigned(let bytes), .hipMAC(let bytes), .hipMAC2(let bytes),
             .echoResponseUnsigned(let bytes), .echoRequestUnsigned(let bytes), .from(let bytes),
             .rvsHMAC(let bytes), .relayHMAC(let bytes), .unknown(_, let bytes):
            w.write(bytes)
        case .diffieHellman(let v): v.write(to: &w)
        case .hipCipher(let ids), .transportFormatList(let ids): for id in ids { w.write(id) }
        case .natTraversalMode(let ids), .espTransform(let ids):
            w.write(UInt16(0))
            for id in ids { w.write(id) }
        case .encrypted(let bytes):
            w.write(UInt32(0))
            w.write(bytes)
        case .hostID(let v): v.write(to: &w)
        case .cert(let v): v.write(to: &w)
        case .notification(let v): v.write(to: &w)
        case .regInfo(let v): v.write(to: &w)
        case .regRequest(let v): v.write(to: &w)
        case .regResponse(let v): v.write(to: &w)
        case .regFailed(let v): v.write(to: &w)
        case .regFrom(let v), .relayedAddress(let v), .mappedAddress(let v), .relayFrom(let v), .relayTo(let v):
            v.write(to: &w)
        case .peerPermission(let v): v.write(to: &w)
        case .hipSignature2(let v), .hipSignature(let v): v.write(to: &w)
        case .viaRVS(let addresses): for address in addresses { w.write(address) }
        }
    }

    private static func readNonEmptyRest(_ r: inout ByteReader) throws(HIPWireError) -> [UInt8] {
        guard r.remaining > 0 else { throw r.shortError }
        return r.readRest()
    }

    private static func readUInt16List(_ r: inout ByteReader) throws(HIPWireError) -> [UInt16] {
        try readList(&r, width: 2) { r throws(HIPWireError) in try r.readUInt16() }
    }

    /// Reads a non-empty list of fixed-width items that fills the rest of the contents exactly.
    private static func readList<T>(_ r: inout ByteReader, width: Int,
                                    item: (inout ByteReader) throws(HIPWireError) -> T) throws(HIPWireError) -> [T] {
        guard r.remaining > 0, r.remaining % width == 0 else { throw r.shortError }
        var items: [T] = []
        items.reserveCapacity(r.remaining / width)
        while !r.isAtEnd { items.append(try item(&r)) }
        return items
    }
}
