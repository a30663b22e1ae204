// ConfigFile: reads a config file's bytes (bounded in size) and checks they are text.
import Glibc

/// Reads config files. Blocking; call it from any thread, not from the data path.
enum ConfigFile {
    /// The file's text: at most `ConfigLimits.maximumFileSize` bytes of UTF-8.
    static func read(_ path: String) throws(ConfigError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw .unreadable(path, errorText(errno)) }
        defer { close(descriptor) }

        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path, errorText(errno))
            }
            if count == 0 { break }
            guard bytes.count + count <= ConfigLimits.maximumFileSize else {
                throw .unreadable(path, "larger than \(ConfigLimits.maximumFileSize) bytes")
            }
            bytes += chunk[..<count]
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .notText(path, "not valid UTF-8")
        }
        return text
    }

    /// The directory a relative path in `path` is taken relative to, or nil when `path` names no directory.
    static func directory(of path: String) -> String? {
        guard let slash = path.lastIndex(of: "/") else { return nil }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func errorText(_ code: Int32) -> String {
        String(cString: strerror(code))
    }
}
