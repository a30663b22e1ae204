// HIPCoreError: why a HIPHost could not be created or reconfigured.
import HIPCrypto

/// An error from setting up a `HIPHost` (never from `handle`, which reports drops as `RejectReason`s).
/// A public struct over a private reason so cases can grow.
public struct HIPCoreError: Error, Hashable, Sendable, CustomStringConvertible {
    enum Reason: Hashable, Sendable {
        case invalidSettings(String)
        case crypto(CryptoError)
    }

    let reason: Reason

    static func invalidSettings(_ detail: String) -> HIPCoreError { HIPCoreError(reason: .invalidSettings(detail)) }
    static func crypto(_ error: CryptoError) -> HIPCoreError { HIPCoreError(reason: .crypto(error)) }

    /// True when the settings were refused (the description says which one and why).
    public var isInvalidSettings: Bool {
        if case .invalidSettings = reason { return true }
        return false
    }

    public var description: String {
        switch reason {
        case .invalidSettings(let detail): "invalid HIP settings: \(detail)"
        case .crypto(let error): "crypto failure while preparing R1s: \(error)"
        }
    }
}
