// REG_INFO (930), REG_REQUEST (932), REG_RESPONSE (934), REG_FAILED (936): RFC 8003 §4.
// The four share one shape (a leading byte or two, then Reg Type × n), so they live together here.
//
//  REG_INFO                                  REG_REQUEST / REG_RESPONSE / REG_FAILED
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |    Type (930)   |    Length    |        |     Type        |    Length    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+         +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Min Lifetime | Max Lifetime    |        | Lifetime or     | Reg Type #1  |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+         | Failure Type    |              |
//  | Reg Type #1  | ... Reg Type #n |        +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+         | ... Reg Type #n                |
//
// Lifetimes are encoded as seconds = 2^((value − 64) / 8). An empty type list is allowed
// (REG_INFO: no services now). Minimum Length: 2 for REG_INFO, 1 for the others.

/// REG_INFO contents: the lifetime range a registrar offers and its registration types.
public struct RegInfo: Hashable, Sendable {
    public var minLifetime: UInt8
    public var maxLifetime: UInt8
    public var types: [UInt8]

    public init(minLifetime: UInt8, maxLifetime: UInt8, types: [UInt8]) {
        self.minLifetime = minLifetime
        self.maxLifetime = maxLifetime
        self.types = types
    }

    var contentsLength: Int { 2 + types.count }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        minLifetime = try reader.readUInt8()
        maxLifetime = try reader.readUInt8()
        types = reader.readRest()
    }

    func write(to writer: inout ByteWriter) {
        writer.write(minLifetime)
        writer.write(maxLifetime)
        writer.write(types)
    }
}

/// The layout REG_REQUEST, REG_RESPONSE and REG_FAILED share: one leading byte (a lifetime or a
/// failure type), then Reg Type × n. Each parameter keeps its own type and field name; the codec is here.
protocol RegistrationTypeList {
    var leadingByte: UInt8 { get }
    var types: [UInt8] { get }
    init(leadingByte: UInt8, types: [UInt8])
}

extension RegistrationTypeList {
    var contentsLength: Int { 1 + types.count }

    init(reading reader: inout ByteReader) throws(HIPWireError) {
        let leadingByte = try reader.readUInt8()
        self.init(leadingByte: leadingByte, types: reader.readRest())
    }

    func write(to writer: inout ByteWriter) {
        writer.write(leadingByte)
        writer.write(types)
    }
}

/// REG_REQUEST contents: the requested lifetime (0 cancels) and registration types.
public struct RegRequest: Hashable, Sendable, RegistrationTypeList {
    public var lifetime: UInt8
    public var types: [UInt8]

    public init(lifetime: UInt8, types: [UInt8]) {
        self.lifetime = lifetime
        self.types = types
    }

    init(leadingByte: UInt8, types: [UInt8]) { self.init(lifetime: leadingByte, types: types) }
    var leadingByte: UInt8 { lifetime }
}

/// REG_RESPONSE contents: the granted lifetime and registration types.
public struct RegResponse: Hashable, Sendable, RegistrationTypeList {
    public var lifetime: UInt8
    public var types: [UInt8]

    public init(lifetime: UInt8, types: [UInt8]) {
        self.lifetime = lifetime
        self.types = types
    }

    init(leadingByte: UInt8, types: [UInt8]) { self.init(lifetime: leadingByte, types: types) }
    var leadingByte: UInt8 { lifetime }
}

/// REG_FAILED contents: the failure type (RFC 8003 §4.4; 9 from RFC 9028) and the types it applies to.
public struct RegFailed: Hashable, Sendable, RegistrationTypeList {
    public var failureType: UInt8
    public var types: [UInt8]

    public init(failureType: UInt8, types: [UInt8]) {
        self.failureType = failureType
        self.types = types
    }

    init(leadingByte: UInt8, types: [UInt8]) { self.init(failureType: leadingByte, types: types) }
    var leadingByte: UInt8 { failureType }
}
