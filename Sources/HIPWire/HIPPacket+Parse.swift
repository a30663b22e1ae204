// HIPPacket+Parse: strict decoding of untrusted bytes (RFC 7401 §5.1, §5.2.1).
//
// Stages:
//  1. header: ≥ 40 bytes, Next Header 59, Header Length ≥ 4 and (HdrLen + 1) × 8 == input length,
//     version 2, fixed bits, known packet type;
//  2. TLV walk: every TLV (with its padding) inside the packet, types ascending (strict);
//  3. decode each TLV's contents exactly (fixed and minimum lengths per parameter); unknown critical
//     (odd) type → error with the type; unknown non-critical → `.unknown`.
// Padding bytes are not checked (RFC 7401 §5.2.1: SHOULD NOT). Bounded: the input is at most 2048 bytes
// (else badHeaderLength/truncated before any allocation); the copies are the parameter contents (together
// ≤ the input) in at most 251 parameters (one TLV per 8 bytes) and one array of them.

extension HIPPacket {
    /// Parses one HIP packet (exactly the bytes from Next Header to the end of the last parameter).
    /// Errors: `HIPWireError`; `unknownCriticalType` is set when the caller should answer with
    /// NOTIFY UNSUPPORTED_CRITICAL_PARAMETER_TYPE.
    public static func parse(_ bytes: some Collection<UInt8>,
                             options: ParseOptions = .strict) throws(HIPWireError) -> HIPPacket {
        try withContiguousBytes(bytes) { buffer throws(HIPWireError) in try parse(buffer, options: options) }
    }

    /// Parses one HIP packet from borrowed bytes (for receive buffers).
    public static func parse(_ bytes: UnsafeRawBufferPointer,
                             options: ParseOptions = .strict) throws(HIPWireError) -> HIPPacket {
        let header = try HIPHeader.parse(bytes)

        // Stage 2: walk the TLVs.
        var count = 0
        var previousType: UInt16 = 0
        var walker = TLVWalker(bytes, end: header.length)
        while let tlv = try walker.next() {
            if tlv.type < previousType && !options.acceptsUnsortedParameters {
                throw .parametersOutOfOrder(type: tlv.type)
            }
            previousType = tlv.type
            count += 1
        }

        // Stage 3: decode.
        var parameters: [HIPParameter] = []
        parameters.reserveCapacity(count)
        walker = TLVWalker(bytes, end: header.length)
        while let tlv = try walker.next() {
            let contents = UnsafeRawBufferPointer(rebasing: bytes[tlv.contents])
            if let parameter = try HIPParameter.decode(type: tlv.type, contents: contents, options: options) {
                parameters.append(parameter)
            } else if ParameterType.isCritical(tlv.type) {
                throw .unknownCriticalParameter(type: tlv.type)
            } else {
                parameters.append(.unknown(type: tlv.type, contents: Array(contents)))
            }
        }
        return HIPPacket(type: header.type, senderHIT: header.senderHIT, receiverHIT: header.receiverHIT,
                         controls: header.controls, parameters: parameters)
    }
}

/// The validated fixed header of a packet in a buffer (stage 1), shared by `HIPHeader` and `coveredRegion`.
struct HeaderView {
    let bytes: UnsafeRawBufferPointer
    let totalLength: Int

    init(_ bytes: UnsafeRawBufferPointer) throws(HIPWireError) {
        guard bytes.count >= HIPProtocol.headerLength else { throw .truncated }
        let nextHeader = bytes[HeaderLayout.nextHeader]
        guard nextHeader == HIPProtocol.nextHeader else { throw .badNextHeader(nextHeader) }
        let headerLength = Int(bytes[HeaderLayout.headerLength])
        guard headerLength >= HIPProtocol.headerLength / 8 - 1 else { throw .badHeaderLength }
        let total = (headerLength + 1) * 8
        guard bytes.count >= total else { throw .truncated }
        guard bytes.count == total else { throw .badHeaderLength }
        let versionByte = bytes[HeaderLayout.versionAndFixedBit]
        guard versionByte >> 4 == HIPProtocol.version else { throw .badVersion(versionByte >> 4) }
        guard bytes[HeaderLayout.packetType] & 0x80 == 0, versionByte & 0x01 == 1 else { throw .badFixedBit }
        self.bytes = bytes
        self.totalLength = total
    }

    func packetType() throws(HIPWireError) -> PacketType {
        let value = bytes[HeaderLayout.packetType] & 0x7F
        guard let type = PacketType(rawValue: value) else { throw .unknownPacketType(value) }
        return type
    }

    var controls: UInt16 { UInt16(bytes[HeaderLayout.controls]) << 8 | UInt16(bytes[HeaderLayout.controls + 1]) }
}

/// Walks the TLVs of a validated packet: each TLV, padding included, must end inside the packet.
struct TLVWalker {
    struct TLV {
        let offset: Int
        let type: UInt16
        let contents: Range<Int>
        /// Offset just after the padding.
        let end: Int
    }

    private let bytes: UnsafeRawBufferPointer
    private let end: Int
    private var offset = HIPProtocol.headerLength

    init(_ bytes: UnsafeRawBufferPointer, end: Int) {
        self.bytes = bytes
        self.end = end
    }

    mutating func next() throws(HIPWireError) -> TLV? {
        guard offset < end else { return nil }
        // The packet length and every TLV end are multiples of 8, so 8 bytes remain here.
        let type = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        let length = Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        let start = offset + WireLimits.tlvHeaderLength
        let padded = HIPPacket.paddedTLVLength(contents: length)
        guard offset + padded <= end else { throw .badParameterLength(type: type) }
        let tlv = TLV(offset: offset, type: type, contents: start..<start + length, end: offset + padded)
        offset += padded
        return tlv
    }
}
