/// What the pipeline knows about one packet of a batch besides its bytes. A plain value.
public struct PacketMetadata: Sendable, Equatable {
    /// Why the packet was dropped; nil while it is still on its way.
    public var drop: DropReason?
    /// Outbound: the SPI it was sealed with (the sender maps it to the peer's locator). Inbound: its SPI.
    public var spi: UInt32
    /// The full 64-bit ESP sequence number it was sealed or opened with.
    public var sequence: UInt64
    /// The SA's `tag` (the installer's peer handle), once the SA is known.
    public var peer: Int

    public init(drop: DropReason? = nil, spi: UInt32 = 0, sequence: UInt64 = 0, peer: Int = 0) {
        self.drop = drop
        self.spi = spi
        self.sequence = sequence
        self.peer = peer
    }
}
