// HIPPacket: a HIP packet, fixed header plus parameters (RFC 7401 §5.1).
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  | Next Header   | Header Length |0| Packet Type |Version| RES.|1|
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |          Checksum             |           Controls            |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |                Sender's Host Identity Tag (HIT)               |
//  |                                                               |
//  |                                                               |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               Receiver's Host Identity Tag (HIT)              |
//  |                                                               |
//  |                                                               |
//  |                                                               |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  /                        HIP Parameters                         /
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Next Header = 59, Header Length = total/8 − 1 (≥ 4), version 2, reserved 0, fixed bit 1.
// Parsing: HIPPacket+Parse.swift. Serializing: HIPPacket+Serialize.swift.

/// A decoded HIP packet. A value type; build, parse and serialize it from any thread.
///
/// The checksum is not a field: `serialize` writes 0 (correct over UDP, RFC 5770/9028) and the sender over
/// raw IP fills it with `HIPChecksum.compute` for its pseudo-header; `parse` ignores it (verify with
/// `HIPChecksum.verify` when the packet came over raw IP).
public struct HIPPacket: Hashable, Sendable {
    public var type: PacketType
    /// Controls; only 0x0001 (A, anonymous) is defined.
    public var controls: UInt16
    public var senderHIT: HIT
    public var receiverHIT: HIT
    /// The parameters. `serialize` writes them in ascending type order, stably (so equal types stay in
    /// the order given); `parse` returns them in wire order.
    public var parameters: [HIPParameter]

    public init(type: PacketType, senderHIT: HIT, receiverHIT: HIT, controls: UInt16 = 0,
                parameters: [HIPParameter] = []) {
        self.type = type
        self.senderHIT = senderHIT
        self.receiverHIT = receiverHIT
        self.controls = controls
        self.parameters = parameters
    }

    /// The first parameter with this type number, if any.
    public func first(_ type: UInt16) -> HIPParameter? {
        parameters.first { $0.type == type }
    }
}
