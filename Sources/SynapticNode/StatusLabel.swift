// StatusLabel: stable snake_case labels for status JSON keys and Prometheus label values.
import HIPCore
import HIPCrypto
import HIPWire
import SynapticDataPlane

/// Label helpers. Pure; use anywhere.
enum StatusLabel {
    /// "unknown SPI" → "unknown_spi", "closeAck" → "close_ack", "HIT does not match HOST_ID" →
    /// "hit_does_not_match_host_id": lowercase words joined by "_" (camelCase split, other characters
    /// separate words).
    static func snake(_ text: String) -> String {
        var words: [String] = []
        var current = ""
        var previousLower = false
        for character in text {
            if character.isLetter || character.isNumber {
                if character.isUppercase && previousLower && !current.isEmpty {
                    words.append(current)
                    current = ""
                }
                current.append(contentsOf: character.lowercased())
                previousLower = character.isLowercase || character.isNumber
            } else {
                if !current.isEmpty { words.append(current) }
                current = ""
                previousLower = false
            }
        }
        if !current.isEmpty { words.append(current) }
        return words.joined(separator: "_")
    }

    static func label(_ reason: DropReason) -> String { snake(reason.description) }
    static func label(_ reason: RejectReason) -> String { snake(reason.description) }
    static func label(_ type: PacketType) -> String { snake("\(type)") }
}

/// An SPI as 0x and 8 hex digits (status table, keylog, logs).
func hex(_ spi: UInt32) -> String {
    let digits = String(spi, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - digits.count)) + digits
}

extension ESPSuiteID {
    /// The suite's usual name (RFC 7402 §5.1.2).
    var displayName: String {
        switch self {
        case .nullSHA256: "NULL-HMAC-SHA-256"
        case .aes128CBCSHA256: "AES-128-CBC-HMAC-SHA-256"
        case .aes256CBCSHA256: "AES-256-CBC-HMAC-SHA-256"
        case .aesGCM16: "AES-128-GCM"
        }
    }
}
