// `synaptic status`: the associations of one running node, or of every node on this host, as tables or JSON.
import ArgumentParser
import Foundation
import SynapticConfig
import SynapticNode

struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "Show the running nodes' associations (one row each) and counters.",
        discussion: """
            Each node serves a status socket: its [status] socket, by default \
            \(Config.defaultStatusSocket(tun: "<tun name>")) (one per TUN interface). --socket PATH or \
            --config FILE asks that one node; --json then prints one JSON object. Without either, every \
            *.sock in \(Config.statusDirectory) is asked and each node that answers is shown, one table after \
            the other; --json then prints a JSON array with one such object per node (even for one node), \
            each naming its socket in "statusSocket". Socket files nothing listens on (left by a node that \
            was killed) are skipped and named in one line on standard error. Columns: peer name, HIT, LSI, \
            state, HIP VIA (how the base exchange reached the peer: raw HIP, UDP, or UDP (raw HIP \
            unanswered) when our raw HIP I1 got no R1 by its first timeout and the UDP fallback did; \
            "hipTransport" raw, udp or udp_raw_unanswered in JSON), current locator, SPIs in and out, ESP \
            suite, packets and bytes each way, drops by reason, time and latency of the last base exchange. \
            Exits 1 \
            when no node is running, or when a node that listens did not answer (the others are shown).
            """)

    @Option(name: .long, help: ArgumentHelp("The node's status socket.", valueName: "path"))
    var socket: String?

    @Option(name: .long, help: ArgumentHelp("The node's configuration file (for its status socket).", valueName: "file"))
    var config: String?

    @Flag(name: .long, help: "Print JSON instead of tables.")
    var json = false

    func validate() throws {
        if socket != nil && config != nil { throw ValidationError("give --socket or --config, not both") }
    }

    func run() throws {
        var path = socket
        if let config {
            do {
                path = try NodeConfiguration.load(path: config).statusSocketPath
            } catch {
                printError("synaptic: \(error)")
                throw ExitCode.failure
            }
        }
        do {
            if let path {
                try show(StatusClient.fetch(socketPath: path))
            } else {
                try showAll(StatusClient.scan(directory: Config.statusDirectory))
            }
        } catch let error as NodeError {
            printError("synaptic: \(error)")
            throw ExitCode.failure
        }
    }

    /// One node: its table, or one JSON object.
    private func show(_ status: NodeStatus) throws {
        if json {
            print(try Self.encode(status))
        } else {
            print(status.table(), terminator: "")
        }
    }

    /// Every node that answered (tables one after the other, or a JSON array), then the stale sockets and
    /// the nodes that did not answer on standard error.
    private func showAll(_ scan: StatusClient.Scan) throws {
        if json {
            print(try Self.encode(scan.nodes.map(\.status)))
        } else {
            print(scan.nodes.map { $0.status.table() }.joined(separator: "\n"), terminator: "")
        }
        if !scan.stale.isEmpty {
            printError("synaptic: skipped stale status sockets (nothing listens on them): "
                       + scan.stale.joined(separator: ", "))
        }
        for failure in scan.failures { printError("synaptic: \(failure)") }
        if !scan.failures.isEmpty { throw ExitCode.failure }
    }

    private static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
