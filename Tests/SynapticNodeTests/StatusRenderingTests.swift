// What `synaptic status` prints (table and JSON), the metrics text, the labels both use, and how the
// status is assembled from the threads' snapshots (the Data Relay's routes and relayed traffic included).
import Foundation
import HIPCore
import HIPCrypto
import HIPWire
import SynapticDataPlane
import SynapticPlatform
import Testing
@testable import SynapticNode

@Suite struct StatusRenderingTests {
    static let peerHIT = "2001:22:3b5d:a360:48c1:1ff6:9f2e:2d4"

    static var sample: NodeStatus {
        NodeStatus(
            hit: "2001:22:3ea8:fab9:e904:2eae:3cf8:3f98", lsi: "1.248.63.152", tun: "hip0", udpPort: 10500,
            rawHIP: true, uptimeSeconds: 3723.9,
            associations: [
                AssociationStatus(name: "db", hit: peerHIT, lsi: "1.46.2.212", state: "ESTABLISHED", role: "initiator",
                                  hipTransport: "udp_raw_unanswered", locator: "198.18.0.2 udp/10500", spiIn: 0x11d6_3fcd, spiOut: 0x0402_f5e3,
                                  suite: "AES-128-GCM", packetsIn: 9, bytesIn: 576, packetsOut: 10, bytesOut: 640,
                                  drops: ["replay": 2, "authentication_failed": 1], queued: 0,
                                  lastExchange: "2026-11-24T19:21:14Z", latencyMilliseconds: 4.75),
                AssociationStatus(hit: "2001:22:1::2", state: "I1-SENT", hipTransport: "raw", queued: 3),
            ],
            hipPacketsSent: ["i1": 1, "i2": 1], hipPacketsReceived: ["r1": 1, "r2": 1],
            rejections: ["stale_r1": 1], drops: ["unknown_spi": 4, "unroutable": 1],
            associationEvents: ["established": 1], hipEvents: ["retransmissions": 2],
            relay: RelayStatus(routes: 3, clients: 2, packets: 1200, bytes: 1_680_000))
    }

    @Test func tableHasOneAlignedRowPerAssociation() {
        let lines = Self.sample.table().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "synaptic 2001:22:3ea8:fab9:e904:2eae:3cf8:3f98  LSI 1.248.63.152  TUN hip0  UDP 10500  "
                + "raw HIP on  up 1h02m03s")
        #expect(lines[1].hasPrefix("PEER  HIT "))
        #expect(lines[2].hasPrefix("db    \(Self.peerHIT)  1.46.2.212  ESTABLISHED  UDP (raw HIP unanswered)  "
                                   + "198.18.0.2 udp/10500  0x11d63fcd  0x0402f5e3  AES-128-GCM  9 "))
        #expect(lines[2].contains("authentication_failed=1,replay=2"))
        #expect(lines[2].hasSuffix("2026-11-24T19:21:14Z  4.8 ms"))
        #expect(lines[3].hasPrefix("-     2001:22:1::2 "))
        #expect(lines[3].contains("I1-SENT      raw HIP  "))
        // Every column starts at the same offset in the header and the rows.
        for column in ["STATE", "HIP VIA", "LOCATOR", "SUITE", "DROPS"] {
            let offset = lines[1].range(of: column)!.lowerBound.utf16Offset(in: lines[1])
            #expect(lines[2].utf16.count > offset && lines[2].utf16[lines[2].utf16.index(lines[2].startIndex, offsetBy: offset - 1)] == 32)
        }
        #expect(lines[4] == "relay: 3 routes for 2 clients, relayed 1200 packets, 1680000 bytes")
        #expect(lines[5] == "drops: unknown_spi=4,unroutable=1")
        #expect(lines[6] == "rejected HIP packets: stale_r1=1")
        #expect(lines[7] == "HIP events: retransmissions=2")
        #expect(lines[8].isEmpty && lines.count == 9)
    }

    /// A peer with several locators gets a line with each locator's state; the one carrying ESP is starred,
    /// and JSON lists them with address, port, state and whether they carry traffic.
    @Test func locatorsAreShownWithTheirStates() throws {
        var status = Self.sample
        status.associations[0].locators = [
            LocatorInfo(address: "198.18.0.2", port: 10500, state: "DEPRECATED", active: false),
            LocatorInfo(address: "fd00::2", port: 10500, state: "ACTIVE", active: true),
            LocatorInfo(address: "198.18.9.2", port: nil, state: "UNVERIFIED", active: false),
        ]
        let lines = status.table().split(separator: "\n").map(String.init)
        #expect(lines.contains("locators of db: 198.18.0.2:10500 DEPRECATED, [fd00::2]:10500 ACTIVE*, 198.18.9.2 (raw) UNVERIFIED"))
        #expect(!lines.contains { $0.hasPrefix("locators of 2001:22:1::2") })   // one locator or none: no line
        let json = try #require(try JSONSerialization.jsonObject(with: JSONEncoder.status.encode(status)) as? [String: Any])
        let association = try #require((json["associations"] as? [[String: Any]])?.first)
        let locators = try #require(association["locators"] as? [[String: Any]])
        #expect(locators.count == 3)
        #expect(locators[1]["address"] as? String == "fd00::2" && locators[1]["port"] as? Int == 10500
                && locators[1]["state"] as? String == "ACTIVE" && locators[1]["active"] as? Bool == true)
        #expect(association["spiIn"] as? Int == 0x11d6_3fcd && association["spiOut"] as? Int == 0x0402_f5e3)
        #expect(association["hipTransport"] as? String == "udp_raw_unanswered")
    }

    /// A relay whose routes are gone still shows what it relayed; a node that never relayed shows no line.
    @Test func relayLineWhileThereAreRoutesOrRelayedTraffic() {
        var status = Self.sample
        status.relay = RelayStatus(routes: 0, clients: 0, packets: 5, bytes: 640)
        #expect(status.table().contains("\nrelay: 0 routes for 0 clients, relayed 5 packets, 640 bytes\n"))
        status.relay = RelayStatus()
        #expect(!status.table().contains("relay:"))
    }

    @Test func emptyNodeSaysSo() {
        let status = NodeStatus(hit: "2001:22::1", lsi: "1.0.0.1", tun: "hip7", udpPort: 10600, rawHIP: false,
                                uptimeSeconds: 5, associations: [])
        #expect(status.table() == "synaptic 2001:22::1  LSI 1.0.0.1  TUN hip7  UDP 10600  raw HIP off  up 5s\nno associations\n")
    }

    @Test func jsonRoundTripsWithStableKeys() throws {
        let data = try JSONEncoder.status.encode(Self.sample)
        #expect(try JSONDecoder().decode(NodeStatus.self, from: data) == Self.sample)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains("\"locator\":\"198.18.0.2 udp/10500\""))
        #expect(text.contains("\"spiIn\":299253709"))
        #expect(text.contains("\"latencyMilliseconds\":4.75"))
        #expect(text.contains("\"relay\":{\"bytes\":1680000,\"clients\":2,\"packets\":1200,\"routes\":3}"))
    }

    @Test func durations() {
        #expect(NodeStatus.duration(0.4) == "0s")
        #expect(NodeStatus.duration(65) == "1m05s")
        #expect(NodeStatus.duration(3600) == "1h00m00s")
    }

    @Test func labelsAreSnakeCase() {
        #expect(StatusLabel.label(DropReason.unknownSPI) == "unknown_spi")
        #expect(StatusLabel.label(DropReason.noSecurityAssociation) == "no_sa")
        #expect(StatusLabel.label(PacketType.closeAck) == "close_ack")
        #expect(StatusLabel.label(PacketType.i1) == "i1")
        #expect(StatusLabel.label(RejectReason.hitMismatch) == "hit_does_not_match_host_id")
        #expect(StatusLabel.label(RejectReason.simultaneousOpenYield) == "simultaneous_open_peer_yields_to_us")
        // Distinct reasons keep distinct labels (they are metric label values and JSON keys).
        #expect(Set(RejectReason.allCases.map(StatusLabel.label)).count == RejectReason.allCases.count)
        #expect(Set(DropReason.allCases.map(StatusLabel.label)).count == DropReason.allCases.count)
    }

    @Test func prometheusTextIsWellFormed() {
        let text = Self.sample.prometheusText()
        let lines = text.split(separator: "\n").map(String.init)
        let sample = /^[a-z_]+(\{([a-z_]+="([^"\\]|\\.)*",?)*\})? [0-9.e+-]+$/
        for line in lines where !line.hasPrefix("#") {
            #expect(line.wholeMatch(of: sample) != nil, "\(line)")
        }
        // Every sample's family is declared (HELP and TYPE) before it.
        var declared: Set<String> = []
        for line in lines {
            if line.hasPrefix("# TYPE ") { declared.insert(String(line.split(separator: " ")[2])) }
            if !line.hasPrefix("#") { #expect(declared.contains(String(line.prefix { $0 != "{" && $0 != " " }))) }
        }
        #expect(lines.contains("synaptic_associations{state=\"ESTABLISHED\"} 1"))
        #expect(lines.contains("synaptic_associations{state=\"I1-SENT\"} 1"))
        #expect(lines.contains("synaptic_associations{state=\"CLOSING\"} 0"))
        #expect(lines.contains("synaptic_esp_packets_total{peer=\"\(Self.peerHIT)\",name=\"db\",direction=\"out\"} 10"))
        #expect(lines.contains("synaptic_esp_bytes_total{peer=\"\(Self.peerHIT)\",name=\"db\",direction=\"in\"} 576"))
        #expect(lines.contains("synaptic_drops_total{peer=\"\",reason=\"unknown_spi\"} 4"))
        #expect(lines.contains("synaptic_drops_total{peer=\"\(Self.peerHIT)\",reason=\"replay\"} 2"))
        #expect(lines.contains("synaptic_hip_packets_total{direction=\"sent\",type=\"i2\"} 1"))
        #expect(lines.contains("synaptic_hip_rejections_total{reason=\"stale_r1\"} 1"))
        #expect(lines.contains("synaptic_association_events_total{event=\"established\"} 1"))
        #expect(lines.contains("synaptic_hip_events_total{event=\"retransmissions\"} 2"))
        #expect(lines.contains("synaptic_hip_events_total{event=\"duplicate_r1\"} 0"))
        #expect(lines.contains("synaptic_relay_routes 3"))
        #expect(lines.contains("synaptic_relay_clients 2"))
        #expect(lines.contains("synaptic_relayed_packets_total 1200"))
        #expect(lines.contains("synaptic_relayed_bytes_total 1680000"))
        #expect(NodeStatus.escape("a\"b\\c\nd") == "a\\\"b\\\\c\\nd")
    }

    @Test func assembledFromSnapshots() throws {
        let peer = try #require(HIT("2001:22:3b5d:a360:48c1:1ff6:9f2e:2d4"))
        let stranger = try #require(HIT("2001:22::99"))
        let control = ControlSnapshot(
            associations: [.init(peer: peer, name: "db", lsi: 0x012E_02D4, state: .established, role: .responder,
                                 exchangeTransport: .raw, locator: Endpoint(address: IPAddress("198.18.0.2")!, transport: .raw),
                                 inboundSPI: 300, outboundSPI: 400, suite: .aes128CBCSHA256,
                                 exchangedAt: Date(timeIntervalSince1970: 0), latency: nil)],
            core: Counters(), sendFailures: 2)
        let queue = PendingPackets(capacity: 1, slotSize: 16)
        [UInt8](repeating: 0, count: 8).withUnsafeBytes { _ = queue.append($0); _ = queue.append($0) }
        let orphan = PendingPackets(capacity: 4, slotSize: 16)
        [UInt8](repeating: 0, count: 8).withUnsafeBytes { _ = orphan.append($0) }
        orphan.discardAll()
        var insideCounters = InsideCounters()
        insideCounters.unroutable = 5
        insideCounters.tooManyPendingPeers = 6
        var outsideCounters = OutsideCounters()
        outsideCounters.natKeepalives = 1
        outsideCounters.relayedPackets = 7
        outsideCounters.relayedBytes = 756
        outsideCounters.relaySendFailures = 2
        let inside = InsideSnapshot(outbound: [], unassigned: TrafficCounters(),
                                    pending: [peer: (queued: queue.count, drops: queue.drops),
                                              stranger: (queued: 0, drops: orphan.drops)],
                                    retiredPendingDrops: PendingPackets.Drops(queueFull: 3, exchangeFailed: 0, tooBig: 4),
                                    counters: insideCounters)
        let outside = OutsideSnapshot(inbound: [], unassigned: TrafficCounters(), counters: outsideCounters,
                                      relayRoutes: 2, relayClients: 1)
        let status = NodeStatus(identity: .init(hit: peer, lsi: .v4(0x0101_0101), tun: "hip0", udpPort: 10500, rawHIP: false),
                                uptime: .seconds(2), control: control, inside: inside, outside: outside)
        #expect(status.associations.count == 1)
        let association = try #require(status.associations.first)
        #expect(association.name == "db")
        #expect(association.lsi == "1.46.2.212")
        #expect(association.state == "ESTABLISHED")
        #expect(association.role == "responder")
        #expect(association.locator == "198.18.0.2 (raw)" && association.hipTransport == "raw")
        #expect(association.spiIn == 300 && association.spiOut == 400)
        #expect(association.suite == "AES-128-CBC-HMAC-SHA-256")
        #expect(association.queued == 1)
        #expect(association.drops == ["queue_full": 1])
        #expect(association.lastExchange == "1970-01-01T00:00:00Z")
        // Node-wide: the paths' own counters, the queue of a peer without association, and evicted queues.
        #expect(status.drops == ["unroutable": 5, "too_many_pending_peers": 6, "nat_keepalive": 1, "hip_send_failed": 2,
                                 "exchange_failed": 1, "queue_full": 3, "queued_too_big": 4, "relay_send_failed": 2])
        #expect(status.relay == RelayStatus(routes: 2, clients: 1, packets: 7, bytes: 756))
        #expect(status.uptimeSeconds == 2)
    }
}
