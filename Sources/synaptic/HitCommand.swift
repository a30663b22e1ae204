// `synaptic hit`: show the HIT and LSI of a host identity key file.
import ArgumentParser
import Foundation
import HIPCrypto
import HIPWire

struct HitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hit",
        abstract: "Print the HIT and LSI of a host identity key file.",
        discussion: """
            Loads FILE (a PEM private key made by `synaptic keygen`; it must not be readable or writable \
            by group or others) and prints two lines, "HIT <IPv6>" and "LSI <IPv4>", or one JSON object \
            with --json: {"algorithm", "hit", "hitSuite", "lsi"}. The LSI shown is the preferred one \
            (1.x.y.z from the HIT's low 24 bits); a running node may assign another on a collision.
            """)

    @Argument(help: ArgumentHelp("The host identity key file.", valueName: "file"))
    var file: String

    @Flag(name: .long, help: "Print JSON instead of text.")
    var json = false

    func run() throws {
        let identity = try HostIdentity.load(path: file)
        let hit = identity.hit.description
        let lsi = IPAddress.v4(LSI.forHIT(identity.hit)).description
        if json {
            let object: [String: Any] = [
                "algorithm": identity.kind.rawValue, "hit": hit,
                "hitSuite": Int(identity.kind.hitSuite.rawValue), "lsi": lsi,
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("HIT \(hit)")
            print("LSI \(lsi)")
        }
    }
}
