// FileSystem: the directory creation the node's files need (key file, status socket).
import Glibc

enum FileSystem {
    /// Creates the directory holding `path` and any missing parents with `mode` (existing ones are left
    /// as they are). Errors name the directory.
    static func createParentDirectory(of path: String, mode: mode_t) throws(NodeError) {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return }
        let directory = String(path[..<slash])
        var partial = directory.hasPrefix("/") ? "" : "."
        for component in directory.split(separator: "/") {
            partial += "/" + component
            if mkdir(partial, mode) != 0 && errno != EEXIST {
                throw .file(directory, "cannot create directory: \(String(cString: strerror(errno)))")
            }
        }
    }
}
