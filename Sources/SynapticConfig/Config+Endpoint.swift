// Config.Endpoint: an address with a UDP port, written "198.18.0.2", "198.18.0.2:10500", "fd00::2",
// "[fd00::2]" or "[fd00::2]:10500" (IPv6 with a port needs the brackets).

extension Config {
    /// An address and a port: a peer locator, or a listener. A value type; use it anywhere.
    public struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        public let address: Address
        public let port: UInt16

        public init(address: Address, port: UInt16) {
            self.address = address
            self.port = port
        }

        /// `198.18.0.2:10500` or `[fd00::2]:10500`.
        public var description: String {
            address.isIPv4 ? "\(address):\(port)" : "[\(address)]:\(port)"
        }

        /// Reads an endpoint string. Without a port it takes `defaultPort`; a nil `defaultPort` makes the
        /// port required. The unspecified address (0.0.0.0, ::) only when `allowsUnspecified`.
        init(_ value: ConfigValue, defaultPort: UInt16?, allowsUnspecified: Bool) throws(ConfigError) {
            let text = try value.string()
            let forms = defaultPort == nil ? "127.0.0.1:9100 or [::1]:9100"
                : "198.18.0.2, 198.18.0.2:10500, fd00::2 or [fd00::2]:10500"
            let malformed = value.invalid("\"\(text)\" is not an address with optional port (\(forms))")

            var host = Substring(text)
            var portText: Substring?
            if text.hasPrefix("[") {
                guard let close = text.firstIndex(of: "]") else { throw malformed }
                host = text[text.index(after: text.startIndex)..<close]
                let rest = text[text.index(after: close)...]
                if !rest.isEmpty {
                    guard rest.first == ":" else { throw malformed }
                    portText = rest.dropFirst()
                }
                guard host.contains(":") else { throw malformed }   // brackets are for IPv6 only
            } else if let colon = text.firstIndex(of: ":"), text.lastIndex(of: ":") == colon {
                host = text[..<colon]
                portText = text[text.index(after: colon)...]
            }
            guard let address = Address(String(host)) else { throw malformed }
            guard allowsUnspecified || !address.isUnspecified else {
                throw value.invalid("\(address) is the unspecified address, not a usable locator")
            }

            if let portText {
                guard (1...9).contains(portText.count), portText.allSatisfy({ ("0"..."9").contains($0) }),
                      let port = Int(portText) else { throw malformed }
                guard ConfigLimits.port.contains(port) else {
                    throw value.invalid("port \(port) is out of range \(ConfigLimits.port.lowerBound)...\(ConfigLimits.port.upperBound)")
                }
                self.init(address: address, port: UInt16(port))
            } else if let defaultPort {
                self.init(address: address, port: defaultPort)
            } else {
                throw value.invalid("\"\(text)\" needs a port (\(forms))")
            }
        }
    }
}
