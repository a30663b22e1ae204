// ESP_INFO (type 65, Length 12), RFC 7402 §5.1.1.
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |             Type              |             Length            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |           Reserved            |         KEYMAT Index          |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            OLD SPI                            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                            NEW SPI                            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+

/// ESP_INFO contents. NEW SPI is the SPI the sender wants to receive on; OLD SPI is 0 in I2/R2.
public struct ESPInfo: Hashable, Sendable {
    public var keymatIndex: UInt16
    public var oldSPI: UInt32
    public var newSPI: UInt32

    public init(keymatIndex: UInt16, oldSPI: UInt32, newSPI: UInt32) {
        self.keymatIndex = keymatIndex
        self.oldSPI = oldSPI
        self.newSPI = newSPI
    }

    static let contentsLength = 12

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        try reader.skip(2)
        keymatIndex = try reader.readUInt16()
        oldSPI = try reader.readUInt32()
        newSPI = try reader.readUInt32()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(UInt16(0))
        writer.write(keymatIndex)
        writer.write(oldSPI)
        writer.write(newSPI)
    }
}
