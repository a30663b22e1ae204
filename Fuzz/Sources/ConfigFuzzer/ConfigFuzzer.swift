// ConfigFuzzer: libFuzzer entry point for the configuration loader: arbitrary text (invalid UTF-8 replaced,
// as only text reaches the parser) through Config.parse — TOML parse (TOMLKit), every table read with its
// type, range and unknown-key checks, the cross-checks — and, when it loads, the node's conversion
// NodeConfiguration(_:) (no I/O) and its effective policy. Stateless: no state survives an input.
// Checks (a failure traps): a refused text yields a ConfigError whose description renders; a loaded one
// converts completely — NodeConfiguration+Config maps with compactMap on the grounds that validation
// leaves nothing unmappable, so no peer, server, LSI, listen address, metrics address, key algorithm, DH
// group, HIP cipher or ESP suite may go missing.
import FuzzSupport
import HIPCrypto
import SynapticConfig
import SynapticNode

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self)
    let config: Config
    do {
        config = try Config.parse(text, file: "fuzz.toml", baseDirectory: "/etc/synaptic")
    } catch {
        require(!error.description.isEmpty, "empty ConfigError description")
        return 0
    }
    let node = NodeConfiguration(config)
    require(node.peers.count == config.peers.count, "a peer went missing")
    require(zip(node.peers, config.peers).allSatisfy { ($0.lsi == nil) == ($1.lsi == nil) }, "an LSI went missing")
    require(node.servers.count == config.servers.count, "a server went missing")
    require(node.listenAddresses.count == config.transport.listen.count, "a listen address went missing")
    require((node.metricsListen == nil) == (config.metricsListen == nil), "the metrics address went missing")
    require(HostIdentityKind(rawValue: config.identity.algorithm.rawValue) == node.identityKind,
                 "the key algorithm did not map")
    let settings = node.hostSettings
    require(settings.dhGroups.count == config.crypto.dhGroups.count
                 && settings.hipCiphers.count == config.crypto.hipCiphers.count
                 && settings.espSuites.count == config.crypto.espSuites.count, "a crypto ID did not map")
    _ = node.effectivePolicy
    return 0
}
