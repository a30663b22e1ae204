// The `synaptic` command line: subcommands are registered here.
import ArgumentParser

@main
struct Synaptic: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synaptic",
        abstract: "Secure, persistent connectivity for containers over the Host Identity Protocol (HIPv2).",
        version: SynapticVersion.current,
        subcommands: [UpCommand.self, StatusCommand.self, KeygenCommand.self, HitCommand.self]
    )
}
