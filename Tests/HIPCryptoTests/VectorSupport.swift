// Test support for HIPCrypto tests (vectors come from SynapticTestSupport's `Vectors`).
import HIPCrypto
import SynapticTestSupport

/// The bytes of a hex literal in test source (a malformed literal is a bug in the test).
func bytes(_ hex: String) -> [UInt8] {
    guard let decoded = Hex.decode(hex) else { preconditionFailure("malformed hex literal in a test: \(hex)") }
    return decoded
}

extension SecretBytes {
    /// The secret as an array, for comparisons in tests only.
    var testBytes: [UInt8] { withUnsafeBytes { Array($0) } }
}
