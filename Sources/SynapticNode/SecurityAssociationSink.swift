// SecurityAssociationSink: how the control plane changes the data plane (the seam the executor tests fake).
import HIPWire
import SynapticDataPlane
import SynapticPlatform

/// Installs, moves and removes SAs, sets the Data Relay's routes and manages queued packets in the data
/// plane. Called from the control thread; implementations hand the work to the thread owning each half of
/// the SA database (the routes: the outside path's).
protocol SecurityAssociationSink: AnyObject {
    func install(inbound: InboundInstall, outbound: OutboundInstall)
    /// Installs one more inbound SA (a rekey's; the older ones keep opening packets until retired).
    func install(inbound: InboundInstall)
    /// Installs an outbound SA in place of the peer's current one (a rekey's).
    func install(outbound: OutboundInstall)
    /// Removes one inbound SA.
    func retire(inboundSPI: UInt32)
    func remove(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32)
    /// Sends the ESP of the outbound SA `outboundSPI` to `peer` to `destination` from now on (same keys and
    /// sequence numbers); ignored if that SA is gone or replaced.
    func move(peer: HIT, outboundSPI: UInt32, destination: SocketAddress)
    /// Drops the packets queued for `peer` (its exchange failed or cannot start).
    func discardPending(peer: HIT)
    /// The peers reachable by LSI.
    func publish(peerLSIs: [UInt32: HIT])
    /// The addresses of known peers (where an unknown SPI can mean a peer that still uses old SAs).
    func publish(peerAddresses: Set<InetAddress>)
    /// When the data paths ask for a rekey (reload).
    func publish(thresholds: RekeyThresholds)
    /// Data Relay: forwards ESP for the registered `client` as `routes` say, replacing its earlier routes
    /// (an empty list removes them).
    func relay(client: HIT, routes: [RelayTable<SocketAddress>.Route])
}

/// The real sink: posts to the inside and outside paths' inboxes (inbound first, so a peer's first ESP
/// packet finds its SA).
final class DataPlaneLink: SecurityAssociationSink {
    private let inside: Inbox<InsideMessage>
    private let outside: Inbox<OutsideMessage>

    init(inside: Inbox<InsideMessage>, outside: Inbox<OutsideMessage>) {
        self.inside = inside
        self.outside = outside
    }

    func install(inbound: InboundInstall, outbound: OutboundInstall) {
        outside.post(.install(inbound))
        inside.post(.install(outbound))
    }

    func install(inbound: InboundInstall) {
        outside.post(.install(inbound))
    }

    func install(outbound: OutboundInstall) {
        inside.post(.install(outbound))
    }

    func retire(inboundSPI: UInt32) {
        outside.post(.remove(spi: inboundSPI))
    }

    func remove(peer: HIT, inboundSPI: UInt32, outboundSPI: UInt32) {
        inside.post(.remove(peer: peer, spi: outboundSPI))
        outside.post(.remove(spi: inboundSPI))
    }

    func move(peer: HIT, outboundSPI: UInt32, destination: SocketAddress) {
        inside.post(.move(peer: peer, spi: outboundSPI, destination: destination))
    }

    func discardPending(peer: HIT) {
        inside.post(.discardPending(peer: peer))
    }

    func publish(peerLSIs: [UInt32: HIT]) {
        inside.post(.peerLSIs(peerLSIs))
    }

    func publish(peerAddresses: Set<InetAddress>) {
        outside.post(.peerAddresses(peerAddresses))
    }

    func publish(thresholds: RekeyThresholds) {
        inside.post(.thresholds(thresholds))
        outside.post(.thresholds(thresholds))
    }

    func relay(client: HIT, routes: [RelayTable<SocketAddress>.Route]) {
        outside.post(.relay(client: client, routes: routes))
    }
}
