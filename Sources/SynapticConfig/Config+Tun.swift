// Config.Tun: [tun] — the TUN device carrying the host's HIT and LSI.

extension Config {
    /// `[tun]`. A value type; use it anywhere.
    public struct Tun: Hashable, Sendable {
        /// `name`: the interface name (1–15 bytes of letters, digits, '.', '_', '-').
        public let name: String
        /// `mtu`: the TUN MTU; the default leaves room for ESP over UDP over IPv6 on a 1500-byte path.
        public let mtu: Int
        /// `offload`: TCP/UDP segmentation and receive offloads between the TUN, the data plane and the UDP
        /// socket (TSO/USO reads, coalesced TCP writes, UDP GSO and GRO); on by default.
        public let offload: Bool

        init(_ reader: inout TableReader) throws(ConfigError) {
            if let value = reader.value("name") {
                let text = try value.string()
                guard ConfigLimits.interfaceNameLength.contains(text.utf8.count), text != ".", text != "..",
                      text.utf8.allSatisfy(Config.isNameByte) else {
                    throw value.invalid("\"\(text)\" is not a valid interface name (1 to 15 letters, digits, '.', '_' or '-')")
                }
                name = text
            } else {
                name = ConfigDefaults.tunName
            }
            mtu = try reader.value("mtu")?.int(in: ConfigLimits.mtu) ?? ConfigDefaults.mtu
            offload = try reader.value("offload")?.bool() ?? true
        }
    }
}
