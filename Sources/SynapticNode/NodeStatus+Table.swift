// NodeStatus+Table: the text `synaptic status` prints: a summary line, one row per association (then their
// locators, relayed paths and our registrations), the clients registered with us, the Data Relay's line when
// it has routes or relayed anything, and the node-wide counters that are not zero.
//
//   synaptic 2001:22:…  LSI 1.2.3.4  TUN hip0  UDP 10500  raw HIP on  up 1h02m03s
//   PEER  HIT        LSI      STATE        HIP VIA  LOCATOR               SPI IN      SPI OUT     SUITE        …
//   db    2001:22:…  1.0.0.9  ESTABLISHED  raw HIP  198.18.0.2 (raw)      0x1a2b3c4d  0x5e6f7a8b  AES-128-GCM  …
//   locators of db: 198.18.0.2:10500 ACTIVE*, [fd00::2]:10500 UNVERIFIED     (a star: carries traffic)
//   path to web: relayed via hub                                  (a path through a server's relay)
//   registered with hub: relay-hip, relay-esp, 3412 s left, at 198.18.10.2 udp/10500
//   registered client web: relay-hip, relay-esp, 3390 s left, at 198.18.11.2 udp/10500, 1 relay routes
//   relay: 3 routes for 2 clients, relayed 1200 packets, 1680000 bytes
import Foundation
import HIPCore

extension NodeStatus {
    /// The table, ending with a newline.
    public func table() -> String {
        var lines = ["synaptic \(hit)  LSI \(lsi)  TUN \(tun)  UDP \(udpPort)  raw HIP \(rawHIP ? "on" : "off")  "
                     + "up \(Self.duration(uptimeSeconds))"]
        if associations.isEmpty {
            lines.append("no associations")
        } else {
            let header = ["PEER", "HIT", "LSI", "STATE", "HIP VIA", "LOCATOR", "SPI IN", "SPI OUT", "SUITE", "PKTS IN",
                          "BYTES IN", "PKTS OUT", "BYTES OUT", "DROPS", "LAST EXCHANGE", "LATENCY"]
            let rows = associations.map { association in
                [association.name ?? "-", association.hit, association.lsi ?? "-", association.state,
                 association.hipTransport.map { ExchangeTransport(rawValue: $0)?.description ?? $0 } ?? "-",
                 association.locator ?? "-", association.spiIn.map(hex) ?? "-", association.spiOut.map(hex) ?? "-",
                 association.suite ?? "-", "\(association.packetsIn)", "\(association.bytesIn)",
                 "\(association.packetsOut)", "\(association.bytesOut)", Self.counts(association.drops),
                 association.lastExchange ?? "-",
                 association.latencyMilliseconds.map { String(format: "%.1f ms", $0) } ?? "-"]
            }
            lines += Self.aligned([header] + rows)
            for association in associations where association.locators.count > 1 {
                lines.append("locators of \(association.name ?? association.hit): "
                             + association.locators.map(\.cell).joined(separator: ", "))
            }
            for association in associations {
                if let relay = association.relay {
                    lines.append("path to \(association.name ?? association.hit): relayed via \(relay)")
                }
                if let registration = association.registration { lines.append("registered with " + registration.cell) }
            }
        }
        for registration in registrations { lines.append("registered client " + registration.cell) }
        if relay.isActive {
            lines.append("relay: \(relay.routes) routes for \(relay.clients) clients, relayed \(relay.packets) packets, "
                         + "\(relay.bytes) bytes")
        }
        if !drops.isEmpty { lines.append("drops: " + Self.counts(drops)) }
        if !rejections.isEmpty { lines.append("rejected HIP packets: " + Self.counts(rejections)) }
        if !hipEvents.isEmpty { lines.append("HIP events: " + Self.counts(hipEvents)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "a=1,b=2" sorted by key, or "-".
    static func counts(_ values: [String: UInt64]) -> String {
        values.isEmpty ? "-" : values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
    }

    /// Columns padded to their widest cell, two spaces apart (the last column unpadded).
    static func aligned(_ rows: [[String]]) -> [String] {
        let columns = rows.map(\.count).max() ?? 0
        let widths = (0..<columns).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
    }

    /// "1h02m03s", "4m05s" or "6s".
    static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.down))
        let (hours, minutes, rest) = (total / 3600, total / 60 % 60, total % 60)
        if hours > 0 { return String(format: "%dh%02dm%02ds", hours, minutes, rest) }
        if minutes > 0 { return String(format: "%dm%02ds", minutes, rest) }
        return "\(rest)s"
    }
}
