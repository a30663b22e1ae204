// NodeStatus+Prometheus: the metrics endpoint's text (Prometheus exposition format 0.0.4).
//
//   synaptic_info{hit,lsi,tun} 1 · synaptic_uptime_seconds · synaptic_associations{state} (every state)
//   synaptic_association_events_total{event} · synaptic_esp_packets_total / _bytes_total{peer,name,direction}
//   synaptic_drops_total{peer,reason} (peer "" for node-wide drops) · synaptic_hip_packets_total{direction,type}
//   synaptic_hip_rejections_total{reason} · synaptic_hip_events_total{event} (every event)
//   synaptic_relay_routes · synaptic_relay_clients · synaptic_relayed_packets_total / _bytes_total
import Foundation
import HIPCore

extension NodeStatus {
    /// The RFC 7401 state names, each exported even when no association is in it.
    static let stateNames = ["I1-SENT", "I2-SENT", "R2-SENT", "ESTABLISHED", "CLOSING", "CLOSED", "E-FAILED"]

    /// The metrics, ending with a newline.
    public func prometheusText() -> String {
        var out = ""
        func family(_ name: String, _ type: String, _ help: String) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
        }
        func sample(_ name: String, _ labels: [(String, String)], _ value: String) {
            let rendered = labels.isEmpty ? ""
                : "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
            out += "\(name)\(rendered) \(value)\n"
        }

        family("synaptic_info", "gauge", "The node's identity (value 1).")
        sample("synaptic_info", [("hit", hit), ("lsi", lsi), ("tun", tun)], "1")
        family("synaptic_uptime_seconds", "gauge", "Seconds since the node started.")
        sample("synaptic_uptime_seconds", [], String(uptimeSeconds))

        family("synaptic_associations", "gauge", "Associations by state.")
        for state in Self.stateNames {
            sample("synaptic_associations", [("state", state)], "\(associations.filter { $0.state == state }.count)")
        }
        family("synaptic_association_events_total", "counter",
               "Associations established, failed, closed, replaced; exchanges restarted on unknown SPIs.")
        for event in ["established", "failed", "closed", "replaced", "restarted_on_unknown_spi"] {
            sample("synaptic_association_events_total", [("event", event)], "\(associationEvents[event] ?? 0)")
        }

        family("synaptic_esp_packets_total", "counter", "ESP packets per association and direction.")
        for association in associations {
            let peer = [("peer", association.hit), ("name", association.name ?? "")]
            sample("synaptic_esp_packets_total", peer + [("direction", "in")], "\(association.packetsIn)")
            sample("synaptic_esp_packets_total", peer + [("direction", "out")], "\(association.packetsOut)")
        }
        family("synaptic_esp_bytes_total", "counter", "Inner payload bytes per association and direction.")
        for association in associations {
            let peer = [("peer", association.hit), ("name", association.name ?? "")]
            sample("synaptic_esp_bytes_total", peer + [("direction", "in")], "\(association.bytesIn)")
            sample("synaptic_esp_bytes_total", peer + [("direction", "out")], "\(association.bytesOut)")
        }

        family("synaptic_drops_total", "counter", "Dropped packets by reason (peer \"\" when no association).")
        for (reason, count) in drops.sorted(by: { $0.key < $1.key }) {
            sample("synaptic_drops_total", [("peer", ""), ("reason", reason)], "\(count)")
        }
        for association in associations {
            for (reason, count) in association.drops.sorted(by: { $0.key < $1.key }) {
                sample("synaptic_drops_total", [("peer", association.hit), ("reason", reason)], "\(count)")
            }
        }

        family("synaptic_hip_packets_total", "counter", "HIP packets sent and received, by type.")
        for (type, count) in hipPacketsSent.sorted(by: { $0.key < $1.key }) {
            sample("synaptic_hip_packets_total", [("direction", "sent"), ("type", type)], "\(count)")
        }
        for (type, count) in hipPacketsReceived.sorted(by: { $0.key < $1.key }) {
            sample("synaptic_hip_packets_total", [("direction", "received"), ("type", type)], "\(count)")
        }
        family("synaptic_hip_rejections_total", "counter", "Received HIP packets dropped, by reason.")
        for (reason, count) in rejections.sorted(by: { $0.key < $1.key }) {
            sample("synaptic_hip_rejections_total", [("reason", reason)], "\(count)")
        }
        family("synaptic_hip_events_total", "counter",
               "Retransmissions, duplicates, puzzle rotations and raises, rate-limited NOTIFYs and reports.")
        for event in Self.hipEvents(Counters()).keys.sorted() {
            sample("synaptic_hip_events_total", [("event", event)], "\(hipEvents[event] ?? 0)")
        }

        family("synaptic_relay_routes", "gauge", "Data Relay routes installed for registered clients.")
        sample("synaptic_relay_routes", [], "\(relay.routes)")
        family("synaptic_relay_clients", "gauge", "Registered clients with Data Relay routes.")
        sample("synaptic_relay_clients", [], "\(relay.clients)")
        family("synaptic_relayed_packets_total", "counter", "ESP datagrams relayed for registered clients.")
        sample("synaptic_relayed_packets_total", [], "\(relay.packets)")
        family("synaptic_relayed_bytes_total", "counter", "UDP payload bytes of the ESP datagrams relayed.")
        sample("synaptic_relayed_bytes_total", [], "\(relay.bytes)")
        return out
    }

    /// Label value escaping: backslash, double quote and newline.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }
}
