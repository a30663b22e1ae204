// HIPPacket+Serialize: encoding into caller-owned buffers (RFC 7401 §5.1, §5.2.1).
//
// Stages:
//  1. size: 40 + Σ (4 + Length rounded up to 8); every value must fit its layout (`invalidValue`),
//     the total must be ≤ 2048 (`tooLarge`) and fit the buffer (`bufferTooSmall`);
//  2. header: Next Header 59, HdrLen = total/8 − 1, type, 0x21 (version 2, fixed bit), checksum 0;
//  3. parameters in ascending type order (a stable sort: equal types keep the caller's order),
//     each Type | Length (contents only) | contents | zero padding.

extension HIPPacket {
    /// Bytes of a TLV with `contents` bytes of contents, padding included.
    static func paddedTLVLength(contents: Int) -> Int {
        (WireLimits.tlvHeaderLength + contents + WireLimits.tlvAlignment - 1) & ~(WireLimits.tlvAlignment - 1)
    }

    /// The encoded length in bytes, or the reason the packet cannot be encoded.
    public func encodedLength() throws(HIPWireError) -> Int {
        var total = HIPProtocol.headerLength
        for parameter in parameters {
            guard parameter.isEncodable else { throw .invalidValue(type: parameter.type) }
            let length = parameter.contentsLength
            guard length <= Int(UInt16.max) else { throw .tooLarge }
            total += Self.paddedTLVLength(contents: length)
            guard total <= HIPProtocol.maximumPacketLength else { throw .tooLarge }
        }
        return total
    }

    /// Writes the packet at the start of `buffer` and returns its length. The checksum field is 0:
    /// leave it so over UDP; over raw IP fill it with `HIPChecksum.fill`.
    /// Errors: `invalidValue(type)`, `tooLarge`, `bufferTooSmall(needed)`; nothing is written then.
    public func serialize(into buffer: UnsafeMutableRawBufferPointer) throws(HIPWireError) -> Int {
        let total = try encodedLength()
        guard buffer.count >= total else { throw .bufferTooSmall(needed: total) }
        var w = ByteWriter(buffer)
        w.write(HIPProtocol.nextHeader)
        w.write(UInt8(total / 8 - 1))
        w.write(type.rawValue)
        w.write(HIPProtocol.version << 4 | 0x01)
        w.write(UInt16(0))
        w.write(controls)
        senderHIT.write(to: &w)
        receiverHIT.write(to: &w)
        if parameters.isSorted {
            for parameter in parameters { Self.writeTLV(parameter, to: &w) }
        } else {
            let order = parameters.indices.sorted { (parameters[$0].type, $0) < (parameters[$1].type, $1) }
            for index in order { Self.writeTLV(parameters[index], to: &w) }
        }
        assert(w.offset == total)
        return total
    }

    /// The encoded packet (checksum 0; see `serialize(into:)`).
    /// Traps if the packet cannot be encoded (a value that does not fit its field, or more than 2048
    /// bytes): a programming error. When sizes are not under your control, call `encodedLength()` first
    /// or use `serialize(into:)`.
    public func serialize() -> [UInt8] {
        let length: Int
        do {
            length = try encodedLength()
        } catch {
            preconditionFailure("HIPPacket.serialize: \(error)")
        }
        return [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            do {
                count = try serialize(into: UnsafeMutableRawBufferPointer(buffer))
            } catch {
                preconditionFailure("HIPPacket.serialize: \(error)")
            }
        }
    }

    private static func writeTLV(_ parameter: HIPParameter, to w: inout ByteWriter) {
        let start = w.offset
        let length = parameter.contentsLength
        w.write(parameter.type)
        w.write(UInt16(length))
        parameter.writeContents(to: &w)
        assert(w.offset == start + 4 + length)
        w.writeZeros(paddedTLVLength(contents: length) - 4 - length)
    }
}

extension [HIPParameter] {
    fileprivate var isSorted: Bool {
        zip(self, dropFirst()).allSatisfy { $0.type <= $1.type }
    }
}
