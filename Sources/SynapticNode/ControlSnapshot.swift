// ControlSnapshot: the control plane's view of every association, copied on its thread for status and
// metrics.
import Foundation
import HIPCore
import HIPCrypto
import HIPWire

/// Associations and counters of the control plane at one moment. A value type.
struct ControlSnapshot: Sendable {
    struct Association: Sendable {
        var peer: HIT
        var name: String?
        var lsi: UInt32?
        var state: AssociationState
        var role: Role?
        /// How the base exchange reaches (or reached) the peer: raw HIP or UDP.
        var exchangeTransport: ExchangeTransport? = nil
        var locator: Endpoint?
        var locators: [LocatorStatus] = []
        var inboundSPI: UInt32?
        var outboundSPI: UInt32?
        var suite: ESPSuiteID?
        /// Wall-clock time and latency (Initiator only) of the last completed base exchange.
        var exchangedAt: Date?
        var latency: Duration?
        /// The server whose relay our packets go through (nil: direct), and its name.
        var relay: HIT?
        var relayName: String?
        /// Our registration with this peer, when it is one of our servers.
        var registration: RegistrationStatus?
    }

    var associations: [Association]
    var core: Counters
    /// HIP packets the shell could not send (no socket of that kind, kernel refused, no source address).
    var sendFailures: UInt64
    /// Raw HIP packets dropped for their Sender's HIT's rate (HIPSenderLimiter).
    var rawSenderLimited: UInt64 = 0
    /// Base exchanges started because a peer's address sent ESP with an unknown SPI.
    var unknownSPIExchanges: UInt64 = 0
    /// Hosts registered with us, with their configured names.
    var registrations: [(status: RegistrationStatus, name: String?)] = []
    /// The core's clock when the snapshot was taken (registration lifetimes are measured from it).
    var now: Instant = .zero
}

/// What the node remembers about the last base exchange with a peer (the core keeps the protocol state).
struct ExchangeRecord: Sendable {
    var role: Role
    var latency: Duration?
    var completedAt: Date
}
