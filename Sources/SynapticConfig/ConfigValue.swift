// ConfigValue: one TOML value at a known key path, with typed reads whose errors name that path.
import TOMLKit

/// A value read from the file and the dotted path it was found at (`peers[1].locators[0]`).
/// Used only while loading, on the loading thread.
struct ConfigValue {
    let value: any TOMLValueConvertible
    let path: String
    let file: String

    var isArray: Bool { value.type == .array }

    func string() throws(ConfigError) -> String {
        guard let text = value.string else { throw wrongType("a string") }
        return text
    }

    func int(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let number = value.int else { throw wrongType("an integer") }
        guard range.contains(number) else { throw .outOfRange(file, path, number, range) }
        return number
    }

    func bool() throws(ConfigError) -> Bool {
        guard let flag = value.bool else { throw wrongType("a boolean (true or false)") }
        return flag
    }

    /// The elements, each with its index in the path. `expected` names the shape in the error.
    func array(expected: String = "an array") throws(ConfigError) -> [ConfigValue] {
        guard let array = value.array else { throw wrongType(expected) }
        return array.enumerated().map { ConfigValue(value: $1, path: "\(path)[\($0)]", file: file) }
    }

    /// Reads this table with `read`, then refuses any key `read` did not ask for.
    func table<T>(_ read: (inout TableReader) throws(ConfigError) -> T) throws(ConfigError) -> T {
        guard let table = value.table else { throw wrongType("a table") }
        var reader = TableReader(table, path: path, file: file)
        let result = try read(&reader)
        try reader.checkUnknownKeys()
        return result
    }

    /// A string that must be one of `T`'s raw values.
    func choice<T: RawRepresentable & CaseIterable>(_: T.Type) throws(ConfigError) -> T where T.RawValue == String {
        let text = try string()
        guard let choice = T(rawValue: text) else {
            throw invalid("\"\(text)\" is not one of: \(T.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return choice
    }

    /// A non-empty file system path; a relative one is taken relative to `baseDirectory` when there is one.
    func filePath(relativeTo baseDirectory: String?) throws(ConfigError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw invalid("must not be empty") }
        guard let baseDirectory, !text.hasPrefix("/") else { return text }
        return baseDirectory.hasSuffix("/") ? baseDirectory + text : baseDirectory + "/" + text
    }

    func invalid(_ why: String) -> ConfigError { .invalid(file, path, why) }

    private func wrongType(_ expected: String) -> ConfigError {
        let found = switch value.type {
        case .table: "a table"
        case .array: "an array"
        case .string: "a string"
        case .int: "an integer"
        case .double: "a floating-point number"
        case .bool: "a boolean"
        case .date: "a date"
        case .time: "a time"
        case .dateTime: "a date-time"
        }
        return .wrongType(file, path, expected: expected, found: found)
    }
}
