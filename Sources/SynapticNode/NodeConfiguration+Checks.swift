// NodeConfiguration+Checks: what the configuration alone cannot know is wrong until the node has its
// identity — our own HIT or LSI given to a peer (refused) — and choices that work but deserve a word at
// start-up (warnings: a peer HIT of a suite we do not accept, no mandatory ESP suite).
import HIPCrypto
import HIPCore
import HIPWire

extension NodeConfiguration {
    /// Why this configuration cannot run with our identity `ownHIT`, or nil: a peer (or server) with our own
    /// HIT, or a peer's fixed LSI equal to the LSI our HIT gives us (ours would silently move elsewhere).
    func problem(ownHIT: HIT) -> String? {
        if let index = peers.firstIndex(where: { $0.hit == ownHIT }) {
            return "peers[\(index)].hit \(ownHIT) is this host's own HIT"
        }
        if let server = servers.first(where: { $0.hit == ownHIT }) {
            return "servers \"\(server.name)\": \(ownHIT) is this host's own HIT"
        }
        let ownLSI = LSI.forHIT(ownHIT)
        if let index = peers.firstIndex(where: { $0.lsi == ownLSI }) {
            return "peers[\(index)].lsi \(IPAddress.v4(ownLSI)) is this host's LSI (derived from its HIT)"
        }
        return nil
    }

    /// Settings that work but that a user should hear about at start-up.
    var warnings: [String] {
        var warnings: [String] = []
        let hits = peers.enumerated().map { ("peers[\($0.offset)].hit", $0.element.hit) }
            + servers.map { ("servers \"\($0.name)\" hit", $0.hit) }
        for (key, hit) in hits where HITSuite(rawValue: hit.bytes[3] & 0x0F).map(hostSettings.hitSuites.contains) != true {
            warnings.append("\(key) \(hit) has HIT suite \(hit.bytes[3] & 0x0F), which this host does not accept "
                            + "(RFC 7401 §5.2.10; accepted: \(hostSettings.hitSuites.map { String($0.rawValue) }.joined(separator: ", "))): "
                            + "no association can form with it; a mistyped HIT?")
        }
        if !hostSettings.espSuites.contains(.aes128CBCSHA256) {
            warnings.append("crypto.esp_suites lacks suite 8 (AES-128-CBC with HMAC-SHA-256), which RFC 7402 makes "
                            + "mandatory: peers that offer only the mandatory suite cannot connect")
        }
        return warnings
    }
}
