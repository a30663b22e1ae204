// TableReader: the loader's view of one TOML table. Every key asked for is remembered, so a key the file
// has and nobody asked for (a typo, an unknown table) is an error naming it.
import TOMLKit

/// Reads keys of one table (or of a table the file left out, which reads as empty).
/// Used only while loading, on the loading thread.
struct TableReader {
    private let table: TOMLTable?
    let path: String
    let file: String
    private var known: [String] = []

    init(_ table: TOMLTable?, path: String, file: String) {
        self.table = table
        self.path = path
        self.file = file
    }

    /// The value at `key`, if present; `key` is a known key from now on.
    mutating func value(_ key: String) -> ConfigValue? {
        known.append(key)
        guard let value = table?[key] else { return nil }
        return ConfigValue(value: value, path: keyPath(key), file: file)
    }

    /// Reads the sub-table `key` (empty when absent) with `read`, then refuses its unknown keys.
    mutating func table<T>(_ key: String, _ read: (inout TableReader) throws(ConfigError) -> T) throws(ConfigError) -> T {
        if let value = value(key) { return try value.table(read) }
        var empty = TableReader(nil, path: keyPath(key), file: file)
        return try read(&empty)
    }

    /// Throws for the first key (in sorted order) that was never asked for.
    func checkUnknownKeys() throws(ConfigError) {
        guard let table else { return }
        for key in table.keys.sorted() where !known.contains(key) {
            throw .unknownKey(file, keyPath(key), isTable: table[key]?.type == .table, known: known)
        }
    }

    func keyPath(_ key: String) -> String {
        let bare = !key.isEmpty && key.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): true
            default: false
            }
        }
        let shown = bare ? key : "\"\(key)\""
        return path.isEmpty ? shown : "\(path).\(shown)"
    }
}
