// LibCrypto: the small internal layer over OpenSSL 3 libcrypto that the rest of HIPCrypto uses.
// Every handle is owned by a final class that frees it; OSSL_PARAM arrays are built by `ParameterSet`,
// which owns every key string and value the array points to (swift-linux-notes §1: OSSL_PARAM lifetimes).
import COpenSSL

enum LibCrypto {
    /// Drains libcrypto's thread-local error queue into one line (and leaves the queue empty).
    static func drainErrors() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail from libcrypto" : messages.joined(separator: "; ")
    }

    /// A `.library` error for `operation`, with the drained libcrypto error queue as detail.
    static func failure(_ operation: String) -> CryptoError {
        .library("libcrypto \(operation)", detail: drainErrors())
    }
}

/// Owner of one `EVP_PKEY`. Immutable after creation; OpenSSL 3 allows concurrent signing, verifying and
/// deriving with one EVP_PKEY as long as each operation uses its own context, which every caller here does.
/// Private key material is cleared by `EVP_PKEY_free`.
final class EVPKey: @unchecked Sendable {
    let pointer: OpaquePointer

    init(taking pointer: OpaquePointer) { self.pointer = pointer }

    deinit { EVP_PKEY_free(pointer) }

    /// Generates a key with `EVP_PKEY_CTX_new_from_name(name)`; `configure` sets group or size.
    static func generate(
        algorithm name: String, configure: (OpaquePointer) -> Int32
    ) throws(CryptoError) -> EVPKey {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            throw LibCrypto.failure("EVP_PKEY_CTX_new_from_name(\(name))")
        }
        defer { EVP_PKEY_CTX_free(context) }
        guard EVP_PKEY_keygen_init(context) == 1, configure(context) == 1 else {
            throw LibCrypto.failure("key generation setup for \(name)")
        }
        var key: OpaquePointer?
        guard EVP_PKEY_generate(context, &key) == 1, let key else {
            throw LibCrypto.failure("EVP_PKEY_generate(\(name))")
        }
        return EVPKey(taking: key)
    }

    /// Builds a public key (or domain parameters) of type `name` from `parameters` with EVP_PKEY_fromdata.
    static func fromData(
        algorithm name: String, selection: Int32, parameters: ParameterSet
    ) -> EVPKey? {
        guard let context = EVP_PKEY_CTX_new_from_name(nil, name, nil) else {
            _ = LibCrypto.drainErrors()
            return nil
        }
        defer { EVP_PKEY_CTX_free(context) }
        var key: OpaquePointer?
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &key, selection, parameters.pointer) == 1,
              let key
        else {
            _ = LibCrypto.drainErrors()
            return nil
        }
        return EVPKey(taking: key)
    }

    /// Whether libcrypto's quick public-key check passes (EVP_PKEY_public_check_quick).
    func quickPublicKeyCheckPasses() -> Bool {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        let passes = EVP_PKEY_public_check_quick(context) == 1
        if !passes { _ = LibCrypto.drainErrors() }
        return passes
    }

    /// A big-number parameter as minimal big-endian bytes (or left-padded to `paddedTo`), or nil.
    func bigNumber(_ name: String, paddedTo width: Int? = nil) -> [UInt8]? {
        var number: OpaquePointer?
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            _ = LibCrypto.drainErrors()
            return nil
        }
        defer { BN_free(number) }
        let minimal = Int((BN_num_bits(number) + 7) / 8)
        let length = width ?? minimal
        guard minimal <= length else { return nil }
        var bytes = [UInt8](repeating: 0, count: length)
        guard BN_bn2binpad(number, &bytes, Int32(length)) == Int32(length) else { return nil }
        return bytes
    }

    /// A UTF-8 string parameter (e.g. the EC group name), or nil.
    func utf8String(_ name: String) -> String? {
        var buffer = [CChar](repeating: 0, count: 80)
        var length = 0
        guard EVP_PKEY_get_utf8_string_param(pointer, name, &buffer, buffer.count, &length) == 1 else {
            _ = LibCrypto.drainErrors()
            return nil
        }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// An OSSL_PARAM array built with OSSL_PARAM_BLD. OpenSSL copies the values into the array but keeps
/// pointers to the key names, so the key names are `strdup`ed here and live exactly as long as the array.
/// Octet-string values (which may be secrets) are wiped before the array is freed.
final class ParameterSet {
    enum Value {
        case utf8(String)
        case octets(UnsafeRawBufferPointer)
        case bigEndianInteger([UInt8])
        case int(Int32)
    }

    let pointer: UnsafeMutablePointer<OSSL_PARAM>
    private let keys: [UnsafeMutablePointer<CChar>]

    /// Builds the array. `.octets` buffers are copied (and the copies wiped), so they need only be valid
    /// during this call.
    init(_ entries: [(String, Value)]) throws(CryptoError) {
        guard let builder = OSSL_PARAM_BLD_new() else { throw LibCrypto.failure("OSSL_PARAM_BLD_new") }
        defer { OSSL_PARAM_BLD_free(builder) }
        var keys: [UnsafeMutablePointer<CChar>] = []
        var temporaries: [UnsafeMutableRawBufferPointer] = []
        var numbers: [OpaquePointer] = []
        defer {
            for buffer in temporaries {
                OPENSSL_cleanse(buffer.baseAddress, buffer.count)
                buffer.deallocate()
            }
            numbers.forEach { BN_clear_free($0) }
        }
        var pushed = true
        for (name, value) in entries {
            guard let key = strdup(name) else { pushed = false; break }
            keys.append(key)
            switch value {
            case .utf8(let text):
                // The builder reads values only in OSSL_PARAM_BLD_to_param, so copies must outlive the loop.
                let utf8 = Array(text.utf8) + [0]
                let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: utf8.count, alignment: 1)
                copy.copyBytes(from: utf8)
                temporaries.append(copy)
                pushed = OSSL_PARAM_BLD_push_utf8_string(
                    builder, key, copy.baseAddress?.assumingMemoryBound(to: CChar.self), utf8.count - 1) == 1
            case .octets(let bytes):
                let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, bytes.count), alignment: 1)
                if bytes.count > 0 { copy.copyMemory(from: bytes) }
                temporaries.append(copy)
                pushed = OSSL_PARAM_BLD_push_octet_string(builder, key, copy.baseAddress, bytes.count) == 1
            case .bigEndianInteger(let bytes):
                guard let number = BN_bin2bn(bytes, Int32(bytes.count), nil) else { pushed = false; break }
                numbers.append(number)
                pushed = OSSL_PARAM_BLD_push_BN(builder, key, number) == 1
            case .int(let number):
                pushed = OSSL_PARAM_BLD_push_int32(builder, key, number) == 1
            }
            if !pushed { break }
        }
        guard pushed, let array = OSSL_PARAM_BLD_to_param(builder) else {
            keys.forEach { free($0) }
            throw LibCrypto.failure("OSSL_PARAM_BLD")
        }
        self.pointer = array
        self.keys = keys
    }

    deinit {
        // OpenSSL 3.0 has no OSSL_PARAM_clear_free: wipe the copied octet strings (secrets such as Kij) first.
        var entry = pointer
        while entry.pointee.key != nil {
            if entry.pointee.data_type == OSSL_PARAM_OCTET_STRING {
                OPENSSL_cleanse(entry.pointee.data, entry.pointee.data_size)
            }
            entry += 1
        }
        OSSL_PARAM_free(pointer)
        keys.forEach { free($0) }
    }
}
