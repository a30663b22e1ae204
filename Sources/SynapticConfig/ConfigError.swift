// ConfigError: why a configuration file was refused, naming the file, the key and what is wrong.

/// A configuration file that cannot be used. `description` is the line to print, for example
/// `/etc/synaptic.toml: peers[1].locators[0]: "fd00::2]:1" is not an address ...`; the caller exits non-zero.
/// A value type; use it anywhere.
public struct ConfigError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The file as given to `Config.load(path:)` (or the name passed to `Config.parse`).
    public let file: String
    /// Dotted key path with array indices (`peers[1].locators[0]`), or "" when the whole file is at fault
    /// (unreadable, too large, not TOML).
    public let key: String
    private let reason: Reason

    private enum Reason: Hashable, Sendable {
        case unreadable(String)
        case notText(String)
        case syntax(line: Int, column: Int, String)
        case unknownKey(isTable: Bool, known: [String])
        case wrongType(expected: String, found: String)
        case missing
        case outOfRange(Int, ClosedRange<Int>)
        case invalid(String)
        case duplicate(String, first: String)
    }

    private init(file: String, key: String, _ reason: Reason) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    /// What is wrong, without file and key.
    public var message: String {
        switch reason {
        case .unreadable(let why): "cannot read: \(why)"
        case .notText(let why): "not a TOML text file: \(why)"
        case .syntax(_, _, let why): "invalid TOML: \(why)"
        case .unknownKey(let isTable, let known):
            "unknown \(isTable ? "table" : "key") (expected one of: \(known.sorted().joined(separator: ", ")))"
        case .wrongType(let expected, let found): "expected \(expected), found \(found)"
        case .missing: "missing (required)"
        case .outOfRange(let value, let range): "\(value) is out of range \(range.lowerBound)...\(range.upperBound)"
        case .invalid(let why): why
        case .duplicate(let what, let first): "duplicate \(what) (already at \(first))"
        }
    }

    /// `file: key: message`; syntax errors use `file:line:column: message`.
    public var description: String {
        if case .syntax(let line, let column, _) = reason { return "\(file):\(line):\(column): \(message)" }
        return key.isEmpty ? "\(file): \(message)" : "\(file): \(key): \(message)"
    }

    static func unreadable(_ file: String, _ why: String) -> ConfigError { .init(file: file, key: "", .unreadable(why)) }
    static func notText(_ file: String, _ why: String) -> ConfigError { .init(file: file, key: "", .notText(why)) }
    static func syntax(_ file: String, line: Int, column: Int, _ why: String) -> ConfigError {
        .init(file: file, key: "", .syntax(line: line, column: column, why))
    }
    static func unknownKey(_ file: String, _ key: String, isTable: Bool, known: [String]) -> ConfigError {
        .init(file: file, key: key, .unknownKey(isTable: isTable, known: known))
    }
    static func wrongType(_ file: String, _ key: String, expected: String, found: String) -> ConfigError {
        .init(file: file, key: key, .wrongType(expected: expected, found: found))
    }
    static func missing(_ file: String, _ key: String) -> ConfigError { .init(file: file, key: key, .missing) }
    static func outOfRange(_ file: String, _ key: String, _ value: Int, _ range: ClosedRange<Int>) -> ConfigError {
        .init(file: file, key: key, .outOfRange(value, range))
    }
    static func invalid(_ file: String, _ key: String, _ why: String) -> ConfigError {
        .init(file: file, key: key, .invalid(why))
    }
    static func duplicate(_ file: String, _ key: String, _ what: String, first: String) -> ConfigError {
        .init(file: file, key: key, .duplicate(what, first: first))
    }
}
