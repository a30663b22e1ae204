// Config.HIT: a Host Identity Tag from the file, checked to lie in the ORCHIDv2 prefix 2001:20::/28
// (RFC 7343 §2: Prefix(28) | OGA ID(4) | hash(96)).

extension Config {
    /// A HIT (16 bytes, network byte order) inside 2001:20::/28. The node maps it to `HIPWire.HIT`.
    /// A value type; use it anywhere.
    public struct HIT: Hashable, Sendable, CustomStringConvertible {
        public let bytes: [UInt8]

        /// nil unless 16 bytes starting with the ORCHIDv2 prefix.
        public init?(bytes: some Collection<UInt8>) {
            let bytes = Array(bytes)
            guard bytes.count == 16, Self.hasORCHIDPrefix(bytes) else { return nil }
            self.bytes = bytes
        }

        /// Parses IPv6 text; nil unless it is a HIT.
        public init?(_ text: String) {
            guard let address = Address(text), !address.isIPv4 else { return nil }
            self.init(bytes: address.bytes)
        }

        /// Reads a HIT string, telling apart text that is no IPv6 address from an address outside the prefix.
        init(_ value: ConfigValue) throws(ConfigError) {
            let text = try value.string()
            guard let address = Address(text), !address.isIPv4 else {
                throw value.invalid("\"\(text)\" is not an IPv6 address, so not a HIT")
            }
            guard let hit = HIT(bytes: address.bytes) else {
                throw value.invalid("\(address) is not a HIT: outside the ORCHIDv2 prefix 2001:20::/28")
            }
            self = hit
        }

        public var description: String { Address(bytes: bytes)?.description ?? "" }

        private static func hasORCHIDPrefix(_ bytes: [UInt8]) -> Bool {
            let prefix = ConfigProtocol.orchidPrefix
            return bytes[0] == prefix[0] && bytes[1] == prefix[1] && bytes[2] == prefix[2]
                && bytes[3] & 0xF0 == prefix[3]
        }
    }
}
