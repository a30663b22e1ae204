/// Error thrown by the data plane's per-packet functions. It always carries the `DropReason` the caller
/// counts; `detail` says what exactly was wrong (for logs and tests). Thrown with typed throws, so it
/// never allocates. A value type: use it anywhere.
public struct DataPlaneError: Error, Hashable, Sendable, CustomStringConvertible {
    private enum Detail: Hashable, Sendable {
        case truncated
        case badIPVersion
        case badLength
        case badSource
        case badPadding
        case noRoom
        case fragment
        case unsupportedICMP
        case extensionHeaders
        case unknownSPI
        case replayed
        case tooOld
        case authentication
        case noSA
        case sequenceExhausted
        case cryptoFailure
        case badOffload
    }

    private let detail: Detail

    private init(_ detail: Detail) { self.detail = detail }

    /// The counter this error belongs to.
    public var dropReason: DropReason {
        switch detail {
        case .truncated, .badIPVersion, .badLength, .badSource, .badPadding, .badOffload: .malformed
        case .noRoom: .tooBig
        case .fragment: .fragment
        case .unsupportedICMP, .extensionHeaders: .untranslatable
        case .unknownSPI: .unknownSPI
        case .replayed, .tooOld: .replay
        case .authentication: .authenticationFailed
        case .noSA: .noSecurityAssociation
        case .sequenceExhausted: .sequenceExhausted
        case .cryptoFailure: .cryptoFailure
        }
    }

    public var description: String {
        switch detail {
        case .truncated: "packet truncated"
        case .badIPVersion: "unexpected IP version"
        case .badLength: "IP length field disagrees with the packet"
        case .badSource: "source address is not this host's HIT or LSI"
        case .badPadding: "ESP padding or trailer invalid"
        case .noRoom: "packet does not fit its buffer"
        case .fragment: "fragment"
        case .unsupportedICMP: "ICMP type not translatable"
        case .extensionHeaders: "IPv6 extension headers not translatable to IPv4"
        case .unknownSPI: "unknown SPI"
        case .replayed: "sequence number already received"
        case .tooOld: "sequence number left of the anti-replay window"
        case .authentication: "ICV verification failed"
        case .noSA: "no security association"
        case .sequenceExhausted: "sequence numbers exhausted"
        case .cryptoFailure: "libcrypto failed while sealing or opening"
        case .badOffload: "virtio-net header does not describe the packet"
        }
    }

    static let truncated = DataPlaneError(.truncated)
    static let badIPVersion = DataPlaneError(.badIPVersion)
    static let badLength = DataPlaneError(.badLength)
    static let badSource = DataPlaneError(.badSource)
    static let badPadding = DataPlaneError(.badPadding)
    static let noRoom = DataPlaneError(.noRoom)
    static let fragment = DataPlaneError(.fragment)
    static let unsupportedICMP = DataPlaneError(.unsupportedICMP)
    static let extensionHeaders = DataPlaneError(.extensionHeaders)
    static let unknownSPI = DataPlaneError(.unknownSPI)
    static let replayed = DataPlaneError(.replayed)
    static let tooOld = DataPlaneError(.tooOld)
    static let authentication = DataPlaneError(.authentication)
    static let noSA = DataPlaneError(.noSA)
    static let sequenceExhausted = DataPlaneError(.sequenceExhausted)
    static let cryptoFailure = DataPlaneError(.cryptoFailure)
    static let badOffload = DataPlaneError(.badOffload)
}
