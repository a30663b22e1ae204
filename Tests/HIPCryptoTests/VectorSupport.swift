// Test support: hex conversion and access to Tests/Vectors/vectors.json (see Tests/Vectors/README.md).
import Foundation
import HIPCrypto
import HIPWire

enum TestHex {
    /// Bytes from lowercase/uppercase hex (optionally with "0x" and spaces); traps on bad test data.
    static func bytes(_ text: String) -> [UInt8] {
        var digits = text.replacingOccurrences(of: " ", with: "").replacingOccurrences(of: "\n", with: "")
        if digits.hasPrefix("0x") { digits.removeFirst(2) }
        precondition(digits.count % 2 == 0, "odd hex length")
        var bytes: [UInt8] = []
        var index = digits.startIndex
        while index < digits.endIndex {
            let next = digits.index(index, offsetBy: 2)
            bytes.append(UInt8(digits[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    static func string(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}

extension SecretBytes {
    /// The secret as an array, for comparisons in tests only.
    var testBytes: [UInt8] { withUnsafeBytes { Array($0) } }
}

struct VectorError: Error, CustomStringConvertible {
    let description: String
}

/// Read-only access to vectors.json by key path.
struct VectorFile {
    let root: Any

    static func load() throws -> VectorFile {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Vectors/vectors.json")
        let data = try Data(contentsOf: url)
        return VectorFile(root: try JSONSerialization.jsonObject(with: data))
    }

    /// The value at `path` (dictionary keys, or decimal indexes into arrays).
    func value(_ path: String...) throws -> Any { try value(path) }

    func string(_ path: String...) throws -> String { try typed(path) }

    func hex(_ path: String...) throws -> [UInt8] { TestHex.bytes(try typed(path) as String) }

    func int(_ path: String...) throws -> Int { try typed(path) }

    func list(_ path: String...) throws -> [[String: Any]] { try typed(path) }

    private func typed<T>(_ path: [String]) throws -> T {
        guard let value = try value(path) as? T else {
            throw VectorError(description: "\(path.joined(separator: ".")) is not a \(T.self)")
        }
        return value
    }

    private func value(_ path: [String]) throws -> Any {
        var current: Any = root
        for key in path {
            if let dictionary = current as? [String: Any], let next = dictionary[key] {
                current = next
            } else if let array = current as? [Any], let index = Int(key), array.indices.contains(index) {
                current = array[index]
            } else {
                throw VectorError(description: "vectors.json has no \(path.joined(separator: "."))")
            }
        }
        return current
    }

    /// The hosts of `run` (name → host dictionary).
    func hosts(_ run: String) throws -> [String: [String: Any]] {
        guard let hosts = try value(run, "hosts") as? [String: [String: Any]] else {
            throw VectorError(description: "\(run).hosts is not a dictionary")
        }
        return hosts
    }
}

/// Typed access to one JSON object of vectors.json.
extension Dictionary where Key == String, Value == Any {
    func string(_ key: String) throws -> String {
        guard let value = self[key] as? String else { throw VectorError(description: "no string \(key)") }
        return value
    }

    func hex(_ key: String) throws -> [UInt8] { TestHex.bytes(try string(key)) }

    func int(_ key: String) throws -> Int {
        guard let value = self[key] as? Int else { throw VectorError(description: "no integer \(key)") }
        return value
    }

    func hit(_ key: String) throws -> HIT {
        guard let hit = HIT(try string(key)) else { throw VectorError(description: "\(key) is not a HIT") }
        return hit
    }
}
