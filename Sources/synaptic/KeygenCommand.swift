// `synaptic keygen`: create a host identity key file.
import ArgumentParser
import HIPCrypto
import HIPWire

extension HostIdentityKind: ExpressibleByArgument {}

struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create a new host identity (private key file) and print its HIT and LSI.",
        discussion: """
            Writes a PEM (PKCS#8) private key to FILE, created with mode 0600. An existing FILE is never \
            overwritten. The HIT (the host's IPv6 identity, 2001:2x::/28) is derived from the public key: \
            ecdsa-* keys give HIT suite 2 (SHA-384), rsa-* keys suite 1 (SHA-256), ed25519 keys the \
            experimental suite 5 (RFC 9374). Point `identity.key` in the configuration at FILE.

            Example: synaptic keygen --out /var/lib/synaptic/host.key
            """)

    @Option(name: .long, help: "The key type (ECDSA P-256 unless given).")
    var algorithm: HostIdentityKind = .ecdsaP256

    @Option(name: .long, help: ArgumentHelp("The key file to create (must not exist).", valueName: "file"))
    var out: String

    func run() throws {
        let identity = try HostIdentity.generate(algorithm)
        try identity.save(path: out)
        print("Wrote \(algorithm.rawValue) host identity to \(out) (mode 0600)")
        print("HIT \(identity.hit)")
        print("LSI \(IPAddress.v4(LSI.forHIT(identity.hit)))")
    }
}
