// NodeConfiguration+Checks: what the configuration alone cannot know is wrong until the node has its
// identity — our own HIT or LSI given to a peer (refused) — and choices that work but deserve a word at
// start-up (warnings).
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
        if !hostSettings.espSuites.contains(.aes128CBCSHA256) {
            warnings.append("crypto.esp_suites lacks suite 8 (AES-128-CBC with HMAC-SHA-256), which RFC 7402 makes "
                            + "mandatory: peers that offer only the mandatory suite cannot connect")
        }
        return warnings
    }
}
