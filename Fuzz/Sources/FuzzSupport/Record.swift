// Record: the framing of the stateful harnesses' inputs (ESPInboundFuzzer, HIPHostFuzzer).
//
//   input  = record*
//   record = header (1 byte, its bits are the harness's) ‖ body length (16 bits, big-endian) ‖ body
//
// A length past the end of the input takes what is left, so every input decodes; the seed writers encode
// with the same framing.

/// One record of an input: what the harness does (`header`) with which bytes (`body`).
public struct Record: Sendable {
    public var header: UInt8
    public var body: [UInt8]

    public init(header: UInt8, body: [UInt8]) {
        self.header = header
        self.body = body
    }

    /// The records of `input`, in order.
    public static func decode(_ input: UnsafeRawBufferPointer) -> [Record] {
        var records: [Record] = []
        var offset = 0
        while offset < input.count {
            let header = input[offset]
            let declared = offset + 2 < input.count ? Int(input[offset + 1]) << 8 | Int(input[offset + 2]) : 0
            let start = min(offset + 3, input.count)
            let end = min(start + declared, input.count)
            records.append(Record(header: header, body: Array(input[start..<end])))
            offset = end
        }
        return records
    }

    /// The input made of `records` (bodies longer than 65535 bytes are cut there).
    public static func encode(_ records: [Record]) -> [UInt8] {
        var input: [UInt8] = []
        for record in records {
            let body = record.body.prefix(Int(UInt16.max))
            input += [record.header, UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
        }
        return input
    }
}
