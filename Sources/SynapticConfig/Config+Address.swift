// Config.Address: an IPv4 or IPv6 address parsed from text with inet_pton, kept as its 4 or 16 bytes.
import Glibc

extension Config {
    /// An IPv4 (4 bytes) or IPv6 (16 bytes) address in network byte order. The node maps it to
    /// `HIPWire.IPAddress`. A value type; use it anywhere.
    public struct Address: Hashable, Sendable, CustomStringConvertible {
        /// 4 bytes for IPv4, 16 for IPv6.
        public let bytes: [UInt8]

        public var isIPv4: Bool { bytes.count == 4 }

        /// nil unless exactly 4 or 16 bytes.
        public init?(bytes: some Collection<UInt8>) {
            guard bytes.count == 4 || bytes.count == 16 else { return nil }
            self.bytes = Array(bytes)
        }

        /// Parses dotted-quad IPv4 or IPv6 text (no brackets, port or zone); nil for anything else.
        public init?(_ text: String) {
            // inet_pton reads a C string: an embedded NUL would hide the rest of the text.
            guard text.utf8.count <= Self.maximumTextLength, !text.utf8.contains(0) else { return nil }
            for (family, count) in [(AF_INET, 4), (AF_INET6, 16)] {
                var bytes = [UInt8](repeating: 0, count: count)
                if bytes.withUnsafeMutableBytes({ inet_pton(family, text, $0.baseAddress) }) == 1 {
                    self.bytes = bytes
                    return
                }
            }
            return nil
        }

        /// 0.0.0.0 or ::.
        public var isUnspecified: Bool { bytes.allSatisfy { $0 == 0 } }

        /// Dotted quad, or the compressed IPv6 form of inet_ntop (RFC 5952).
        public var description: String {
            var text = [CChar](repeating: 0, count: Self.maximumTextLength + 1)
            let family = isIPv4 ? AF_INET : AF_INET6
            let converted = bytes.withUnsafeBytes { address in
                inet_ntop(family, address.baseAddress, &text, socklen_t(text.count)) != nil
            }
            guard converted else { return bytes.map { String($0) }.joined(separator: ".") }
            return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }

        /// INET6_ADDRSTRLEN − 1: the longest text form (IPv4-mapped IPv6).
        private static let maximumTextLength = 45
    }
}
