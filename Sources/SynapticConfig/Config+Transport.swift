// Config.Transport: [transport] — the UDP port shared by HIP control and ESP, raw HIP, listen addresses.

extension Config {
    /// `[transport]`. A value type; use it anywhere.
    public struct Transport: Hashable, Sendable {
        /// `udp_port`: HIP control (after a 4-byte zero marker) and ESP share it; also the default locator port.
        public let udpPort: UInt16
        /// `raw_hip`: also send and receive HIP on IP protocol 139 when the process may (CAP_NET_RAW).
        public let rawHIP: Bool
        /// `listen`: local addresses to bind; empty means every address.
        public let listen: [Address]

        init(_ reader: inout TableReader) throws(ConfigError) {
            udpPort = UInt16(try reader.value("udp_port")?.int(in: ConfigLimits.port) ?? ConfigDefaults.udpPort)
            rawHIP = try reader.value("raw_hip")?.bool() ?? ConfigDefaults.rawHIP
            var listen: [Address] = []
            for item in try reader.value("listen")?.array() ?? [] {
                let text = try item.string()
                guard let address = Address(text) else {
                    throw item.invalid("\"\(text)\" is not an IPv4 or IPv6 address")
                }
                listen.append(address)
            }
            self.listen = listen
        }
    }
}
