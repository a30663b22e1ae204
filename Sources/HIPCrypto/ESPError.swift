/// Why an ESP packet could not be sealed or opened. Errors are thrown with typed throws and never
/// allocate; compare with the static values (`error == .authenticationFailed`). Sendable values.
public struct ESPError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Reason: Hashable, Sendable {
        case authenticationFailed
        case malformed
        case badPadding
        case noRoom
        case library
    }

    private let reason: Reason

    private init(_ reason: Reason) { self.reason = reason }

    /// The ICV did not verify: tampering, a wrong key or a wrong inferred sequence number. Drop and count.
    public static let authenticationFailed = ESPError(.authenticationFailed)
    /// The packet is too short, or its ciphertext is not a whole number of cipher blocks.
    public static let malformed = ESPError(.malformed)
    /// The decrypted trailer is inconsistent: Pad Length too large, or padding not 1, 2, 3, … (RFC 4303 §2.4).
    public static let badPadding = ESPError(.badPadding)
    /// Seal: the buffer has no room for the header, padding, trailer and ICV around the payload.
    public static let noRoom = ESPError(.noRoom)
    /// libcrypto failed on a context that was set up correctly (should not happen; drop the packet).
    public static let library = ESPError(.library)

    public var description: String {
        switch reason {
        case .authenticationFailed: "ESP ICV verification failed"
        case .malformed: "ESP packet malformed"
        case .badPadding: "ESP padding invalid"
        case .noRoom: "no room for the ESP header and trailer"
        case .library: "libcrypto failed during ESP processing"
        }
    }
}
