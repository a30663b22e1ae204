// `synaptic status`: the associations of the running node, as a table or JSON.
import ArgumentParser
import Foundation
import SynapticNode

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running node's associations (one row each) and counters.",
        discussion: """
            Reads the node's status socket: --socket PATH, else the [status] socket of --config FILE, else \
            \(NodeLimits.defaultStatusSocket). Columns: peer name, HIT, LSI, state, current locator, SPIs in and \
            out, ESP suite, packets and bytes each way, drops by reason, time and latency of the last base \
            exchange. --json prints the same as one JSON object. Exits 1 when no node is running.
            """)

    @Option(name: .long, help: ArgumentHelp("The node's status socket.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("The node's configuration file (for its status socket).", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Print JSON instead of a table.")
    var json = false

    func validate() throws {
        if socket != nil && config != nil { throw ValidationError("give --socket or --config, not both") }
    }

    func run() throws {
        var path = socket ?? NodeLimits.defaultStatusSocket
        if let config {
            do {
                path = try NodeConfiguration.load(path: config).statusSocketPath ?? path
            } catch {
                printError("synaptic: \(error)")
                throw ExitCode.failure
            }
        }
        let status: NodeStatus
        do {
            status = try StatusClient.fetch(socketPath: path)
        } catch {
            printError("synaptic: \(error)")
            throw ExitCode.failure
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(status), as: UTF8.self))
        } else {
            print(status.table(), terminator: "")
        }
    }
}
