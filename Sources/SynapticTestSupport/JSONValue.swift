// JSONValue: a Sendable JSON tree with forgiving lookups, for reading Tests/Vectors/vectors.json.

/// A decoded JSON value. Lookups on the wrong kind give `.null`, so a chain such as
/// `v["run5"]["kij"]["hex_zero_padded_32"].bytes` is nil rather than a crash when a key is missing.
public enum JSONValue: Sendable, Hashable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public subscript(key: String) -> JSONValue {
        if case .object(let members) = self { return members[key] ?? .null }
        return .null
    }

    public subscript(index: Int) -> JSONValue {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return .null
    }

    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var double: Double? { if case .number(let n) = self { n } else { nil } }
    public var int: Int? { double.flatMap { Int(exactly: $0) } }
    public var array: [JSONValue] { if case .array(let items) = self { items } else { [] } }
    public var object: [String: JSONValue] { if case .object(let members) = self { members } else { [:] } }
    /// The bytes of a hex string value ("0x" prefix allowed).
    public var bytes: [UInt8]? {
        guard var text = string else { return nil }
        if text.hasPrefix("0x") { text.removeFirst(2) }
        return Hex.decode(text)
    }
}
