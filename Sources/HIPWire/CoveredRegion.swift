// coveredRegion: the bytes that HIP_MAC, HIP_MAC_2, HIP_SIGNATURE, HIP_SIGNATURE_2, RVS_HMAC and
// RELAY_HMAC cover (RFC 7401 §5.2.12–15, §6.4.1–2; RFC 8004 §4.2.1; RFC 9028 §5.10).
//
//  covered = header' ‖ every TLV before the first TLV with type ≥ `before`   [‖ responder HOST_ID TLV]
//  header' = the HIP header with Checksum = 0 and Header Length = (covered length / 8) − 1
//
//  .signature2 (R1):  Receiver's HIT, and in PUZZLE the Opaque and Random #I fields, set to zero
//  .mac2 (R2):        the Responder's HOST_ID TLV from R1 (header, contents, padding) appended,
//                     counted in Header Length

/// What a covered region is built for.
public enum CoverageRule: Hashable, Sendable {
    /// HIP_MAC, RVS_HMAC, RELAY_HMAC.
    case mac
    /// HIP_SIGNATURE.
    case signature
    /// HIP_SIGNATURE_2 (R1): Receiver's HIT, PUZZLE Opaque and #I zeroed.
    case signature2
    /// HIP_MAC_2 (R2): the Responder's HOST_ID TLV (as sent in R1, padding included) appended.
    case mac2(responderHostIDTLV: [UInt8])
}

/// The one helper for MAC/signature input: header with checksum 0 and HdrLen patched + every parameter
/// before the first parameter of type >= `parameterType` (or the whole message if none), with the R1 fields
/// zeroed for .signature2 and the HOST_ID TLV appended for .mac2. Used both when building and verifying.
///
/// `message` is a serialized packet (when building: serialize with the MAC/signature parameter absent or
/// present, both give the same region). The header and the TLV walk are validated as in `HIPPacket.parse`
/// (order is not checked, so the old cutehip packets work); contents are not decoded.
/// Errors: the header errors of `parse`; `badParameterLength(type)` for a TLV overrunning the packet, a
/// PUZZLE shorter than 4 bytes (.signature2) or a HOST_ID TLV that is not one padded type-705 TLV (.mac2);
/// `tooLarge` if the region would exceed 2048 bytes. Pure; call from anywhere.
public func coveredRegion(of message: some Collection<UInt8>, before parameterType: UInt16,
                          rule: CoverageRule) throws(HIPWireError) -> [UInt8] {
    try withContiguousBytes(message) { buffer throws(HIPWireError) in
        try coveredRegion(of: buffer, before: parameterType, rule: rule)
    }
}

/// `coveredRegion` over borrowed bytes.
public func coveredRegion(of message: UnsafeRawBufferPointer, before parameterType: UInt16,
                          rule: CoverageRule) throws(HIPWireError) -> [UInt8] {
    let header = try HeaderView(message)
    var end = header.totalLength
    var puzzles: [Range<Int>] = []
    var walker = TLVWalker(message, end: header.totalLength)
    while let tlv = try walker.next() {
        if tlv.type >= parameterType {
            end = tlv.offset
            break
        }
        if case .signature2 = rule, tlv.type == ParameterType.puzzle {
            guard tlv.contents.count >= Puzzle.randomOffset else {
                throw .badParameterLength(type: ParameterType.puzzle)
            }
            puzzles.append(tlv.contents.lowerBound + Puzzle.opaqueOffset..<tlv.contents.upperBound)
        }
    }

    var appended: [UInt8] = []
    if case .mac2(let hostID) = rule {
        guard hostID.count >= 8, hostID.count % 8 == 0,
              UInt16(hostID[0]) << 8 | UInt16(hostID[1]) == ParameterType.hostID,
              HIPPacket.paddedTLVLength(contents: Int(hostID[2]) << 8 | Int(hostID[3])) == hostID.count else {
            throw .badParameterLength(type: ParameterType.hostID)
        }
        appended = hostID
    }
    let total = end + appended.count
    guard total <= HIPProtocol.maximumPacketLength else { throw .tooLarge }

    var region = Array(UnsafeRawBufferPointer(rebasing: message[0..<end]))
    region.append(contentsOf: appended)
    region[HeaderLayout.headerLength] = UInt8(total / 8 - 1)
    region[HeaderLayout.checksum] = 0
    region[HeaderLayout.checksum + 1] = 0
    if case .signature2 = rule {
        for index in HeaderLayout.receiverHIT..<HIPProtocol.headerLength { region[index] = 0 }
        for range in puzzles { for index in range { region[index] = 0 } }
    }
    return region
}
