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
//
// libcrypto reads and writes the file for every kind (PEM, PKCS#8, RFC 8410 for Ed25519). An Ed25519 key is
// then handed to libsodium as its 32-byte seed, and written back from that seed, so the file format (and the
// HIT of an existing file) is the same as when libcrypto also signed with it.
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
        let (kind, signingKey) = try signingKey(from: key, path: path)
        return try HostIdentity(kind: kind, key: signingKey)
    }

    /// Writes this identity as a PKCS#8 PEM private key to a new file with mode 0600. Refuses an existing
    /// path (`.keyFileExists`); other failures are `.keyFileWriteFailed`, and a partly written file is removed.
    /// Does file I/O: call from the shell.
    public func save(path: String) throws(CryptoError) {
        let key = try libcryptoKey()
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

    /// The kind and signing key of a loaded key, or `.unsupportedKeyType` naming what it is. An Ed25519 key
    /// goes to libsodium as its seed; libcrypto's copy is freed (and wiped) with `key`.
    private static func signingKey(
        from key: EVPKey, path: String
    ) throws(CryptoError) -> (HostIdentityKind, SigningKey) {
        if EVP_PKEY_is_a(key.pointer, "EC") == 1 {
            let group = key.utf8String(OSSL_PKEY_PARAM_GROUP_NAME) ?? "explicit parameters"
            switch ECCurve(groupName: group) {
            case .p256: return (.ecdsaP256, .ecdsa(key, .p256))
            case .p384: return (.ecdsaP384, .ecdsa(key, .p384))
            case nil: throw .unsupportedKeyType(path: path, detail: "EC key on curve \(group)")
            }
        }
        if EVP_PKEY_is_a(key.pointer, "RSA") == 1 {
            let bits = EVP_PKEY_get_bits(key.pointer)
            switch bits {
            case 2048: return (.rsa2048, .rsaPSS(key))
            case 3072: return (.rsa3072, .rsaPSS(key))
            default: throw .unsupportedKeyType(path: path, detail: "RSA key of \(bits) bits")
            }
        }
        if EVP_PKEY_is_a(key.pointer, "ED25519") == 1 {
            let seed = SecretBytes(capacity: Ed25519.seedLength, failable: { buffer -> Int? in
                var length = buffer.count
                let read = EVP_PKEY_get_raw_private_key(
                    key.pointer, buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), &length)
                return read == 1 ? length : nil
            })
            guard let privateKey = seed?.withUnsafeBytes({ Ed25519.PrivateKey(seed: $0) }) else {
                throw .keyFileMalformed(path: path, detail: "no readable Ed25519 seed (\(LibCrypto.drainErrors()))")
            }
            return (.ed25519, .ed25519(privateKey))
        }
        let name = EVP_PKEY_get0_type_name(key.pointer).map { String(cString: $0) } ?? "unknown"
        throw .unsupportedKeyType(path: path, detail: "\(name) key")
    }

    /// The private key as a libcrypto EVP_PKEY for PEM_write_bio_PrivateKey: the key itself for RSA and
    /// ECDSA, a temporary copy built from the seed for Ed25519 (wiped by EVP_PKEY_free).
    private func libcryptoKey() throws(CryptoError) -> EVPKey {
        switch key {
        case .rsaPSS(let key), .ecdsa(let key, _):
            return key
        case .ed25519(let key):
            let pointer = key.withSeed { seed in
                EVP_PKEY_new_raw_private_key_ex(nil, "ED25519", nil,
                                                seed.baseAddress?.assumingMemoryBound(to: UInt8.self), seed.count)
            }
            guard let pointer else { throw LibCrypto.failure("EVP_PKEY_new_raw_private_key_ex(ED25519)") }
            return EVPKey(taking: pointer)
        }
    }
}
