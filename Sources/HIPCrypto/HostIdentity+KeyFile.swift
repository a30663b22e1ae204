// HostIdentity+KeyFile: the host identity on disk, as a PEM private key.
//
//   -----BEGIN PRIVATE KEY-----        PKCS#8 (RFC 5958) PrivateKeyInfo, base64, as written by `save`
//   ...                                (`load` also accepts libcrypto's traditional EC/RSA PEM forms)
//   -----END PRIVATE KEY-----
//
// Files are created with O_CREAT|O_EXCL and mode 0600 and never overwritten. `load` opens the file, then
// checks the *opened* file with fstat (no race between check and read; opened non-blocking, so a FIFO is
// refused instead of waited on): it must be a regular file owned by this process's effective user (as the
// keylog), with no permission bits for group or others (mode & 077 == 0), like OpenSSH's private key check. Contents are read
// into a buffer that is wiped afterwards; encrypted PEM is refused (no passphrase prompt).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COpenSSL

extension HostIdentity {
    /// Loads a PEM private key file. Errors (each with a message naming the path): `.keyFileMissing`,
    /// `.keyFileUnreadable`, `.keyFileNotOwned` (another user's file), `.keyFileTooOpen` (any group/other
    /// permission bit set), `.keyFileMalformed`
    /// (not PEM, encrypted, truncated, too large), `.unsupportedKeyType` (e.g. DSA, RSA-1024, Ed448).
    /// Does file I/O: call from the shell (startup, CLI), not from the protocol core.
    public static func load(path: String) throws(CryptoError) -> HostIdentity {
        // O_NONBLOCK: opening a FIFO must not wait for a writer (fstat then refuses it); it does not change
        // reads from a regular file.
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw .keyFileMissing(path: path) }
            throw .keyFileUnreadable(path: path, detail: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw .keyFileUnreadable(path: path, detail: String(cString: strerror(errno)))
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw .keyFileUnreadable(path: path, detail: "not a regular file")
        }
        guard status.st_uid == geteuid() else {
            throw .keyFileNotOwned(path: path, owner: status.st_uid, user: geteuid())
        }
        guard status.st_mode & 0o077 == 0 else {
            throw .keyFileTooOpen(path: path, mode: UInt32(status.st_mode))
        }
        guard status.st_size <= Limits.keyFileMaxBytes else {
            throw .keyFileMalformed(path: path, detail: "file is \(status.st_size) bytes, too large for a key")
        }
        let contents = UnsafeMutableRawBufferPointer.allocate(byteCount: Limits.keyFileMaxBytes + 1, alignment: 1)
        defer {
            OPENSSL_cleanse(contents.baseAddress, contents.count)
            contents.deallocate()
        }
        var length = 0
        while length < contents.count {
            let count = read(descriptor, contents.baseAddress! + length, contents.count - length)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw .keyFileUnreadable(path: path, detail: String(cString: strerror(errno)))
            }
            length += count
        }
        guard length <= Limits.keyFileMaxBytes else {
            throw .keyFileMalformed(path: path, detail: "file grew beyond \(Limits.keyFileMaxBytes) bytes")
        }
        let key = try parsePEM(UnsafeRawBufferPointer(rebasing: contents[0..<length]), path: path)
        return try HostIdentity(kind: try kind(of: key, path: path), key: key)
    }

    /// Writes this identity as a PKCS#8 PEM private key to a new file with mode 0600. Refuses an existing
    /// path (`.keyFileExists`); other failures are `.keyFileWriteFailed`, and a partly written file is removed.
    /// Does file I/O: call from the shell.
    public func save(path: String) throws(CryptoError) {
        guard let bio = BIO_new(BIO_s_secmem()) else { throw LibCrypto.failure("BIO_new") }
        defer { BIO_free(bio) }
        guard PEM_write_bio_PrivateKey(bio, key.pointer, nil, nil, 0, nil, nil) == 1 else {
            throw LibCrypto.failure("PEM_write_bio_PrivateKey")
        }
        var data: UnsafeMutablePointer<CChar>?
        let length = BIO_ctrl(bio, BIO_CTRL_INFO, 0, &data)   // BIO_get_mem_data
        guard length > 0, let data else { throw LibCrypto.failure("BIO_get_mem_data") }

        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else {
            let code = errno
            if code == EEXIST { throw .keyFileExists(path: path) }
            throw .keyFileWriteFailed(path: path, detail: String(cString: strerror(code)))
        }
        var failure: String?
        // The mode given to open(2) is filtered by the umask; set it exactly so a strict umask cannot
        // leave an unreadable 0000 file behind.
        if fchmod(descriptor, 0o600) != 0 { failure = String(cString: strerror(errno)) }
        var written = 0
        while failure == nil, written < length {
            let count = write(descriptor, data + written, length - written)
            if count < 0 {
                if errno == EINTR { continue }
                failure = String(cString: strerror(errno))
                break
            }
            written += count
        }
        if failure == nil, fsync(descriptor) != 0 { failure = String(cString: strerror(errno)) }
        if close(descriptor) != 0, failure == nil { failure = String(cString: strerror(errno)) }
        if let failure {
            unlink(path)
            throw .keyFileWriteFailed(path: path, detail: failure)
        }
    }

    /// Decodes a PEM private key; never prompts for a passphrase.
    private static func parsePEM(_ contents: UnsafeRawBufferPointer, path: String) throws(CryptoError) -> EVPKey {
        guard contents.count > 0 else { throw .keyFileMalformed(path: path, detail: "file is empty") }
        guard let bio = BIO_new_mem_buf(contents.baseAddress, Int32(contents.count)) else {
            throw LibCrypto.failure("BIO_new_mem_buf")
        }
        defer { BIO_free(bio) }
        let refusePassphrase: @convention(c) (
            UnsafeMutablePointer<CChar>?, Int32, Int32, UnsafeMutableRawPointer?
        ) -> Int32 = { _, _, _, _ in -1 }
        guard let pointer = PEM_read_bio_PrivateKey(bio, nil, refusePassphrase, nil) else {
            let detail = LibCrypto.drainErrors()
            throw .keyFileMalformed(path: path, detail: "no readable unencrypted PEM private key (\(detail))")
        }
        return EVPKey(taking: pointer)
    }

    /// The kind of a loaded key, or `.unsupportedKeyType` naming what it is.
    private static func kind(of key: EVPKey, path: String) throws(CryptoError) -> HostIdentityKind {
        if EVP_PKEY_is_a(key.pointer, "EC") == 1 {
            let group = key.utf8String(OSSL_PKEY_PARAM_GROUP_NAME) ?? "explicit parameters"
            switch ECCurve(groupName: group) {
            case .p256: return .ecdsaP256
            case .p384: return .ecdsaP384
            case nil: throw .unsupportedKeyType(path: path, detail: "EC key on curve \(group)")
            }
        }
        if EVP_PKEY_is_a(key.pointer, "RSA") == 1 {
            let bits = EVP_PKEY_get_bits(key.pointer)
            switch bits {
            case 2048: return .rsa2048
            case 3072: return .rsa3072
            default: throw .unsupportedKeyType(path: path, detail: "RSA key of \(bits) bits")
            }
        }
        if EVP_PKEY_is_a(key.pointer, "ED25519") == 1 { return .ed25519 }
        let name = EVP_PKEY_get0_type_name(key.pointer).map { String(cString: $0) } ?? "unknown"
        throw .unsupportedKeyType(path: path, detail: "\(name) key")
    }
}
