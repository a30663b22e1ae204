// TestIdentities: host identities generated once per test process and shared by all tests (RSA and MODP
// work is slow in a debug build).
import HIPCrypto
import Synchronization

enum TestIdentities {
    private static let cache = Mutex<[String: HostIdentity]>([:])

    /// Identity number `index` of `kind` (generated on first use).
    static func identity(_ kind: HostIdentityKind, _ index: Int = 0) throws -> HostIdentity {
        let key = "\(kind.rawValue)#\(index)"
        return try cache.withLock { cache in
            if let identity = cache[key] { return identity }
            let identity = try HostIdentity.generate(kind)
            cache[key] = identity
            return identity
        }
    }

    /// Two distinct identities of `kind`, ordered so that the first has the smaller HIT.
    static func pair(_ kind: HostIdentityKind) throws -> (smaller: HostIdentity, greater: HostIdentity) {
        let a = try identity(kind, 0), b = try identity(kind, 1)
        return a.hit < b.hit ? (a, b) : (b, a)
    }
}
