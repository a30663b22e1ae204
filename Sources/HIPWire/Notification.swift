// NOTIFICATION (type 832), RFC 7401 §5.2.19.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Reserved             |      Notify Message Type      |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  /                   Notification Data                           /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// (Named `Notification` as in the API contract; code that also imports Foundation writes
// `HIPWire.Notification` or `.init(type:data:)`.)

/// NOTIFICATION contents: the Notify Message Type (errors < 16384, status ≥ 16384) and its data.
public struct Notification: Hashable, Sendable {
    public var type: UInt16
    public var data: [UInt8]

    public init(type: UInt16, data: [UInt8] = []) {
        self.type = type
        self.data = data
    }

    var contentsLength: Int { 4 + data.count }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        try reader.skip(2)
        type = try reader.readUInt16()
        data = reader.readRest()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(UInt16(0))
        writer.write(type)
        writer.write(data)
    }
}
