// SeedDirectory: where a seed writer (`<fuzzer> --write-seeds DIR`) puts its corpus units.
import Foundation

/// Writes named corpus units into one directory (created if missing), replacing units of the same name.
public struct SeedDirectory {
    public let path: String

    public init(_ path: String) throws {
        self.path = path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `bytes` as the unit `name`.
    public func write(_ name: String, _ bytes: [UInt8]) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path).appendingPathComponent(name))
    }
}
