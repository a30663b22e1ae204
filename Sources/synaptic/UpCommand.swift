// `synaptic up`: run a HIP host in the foreground until SIGTERM or SIGINT.
import ArgumentParser
import Foundation
import Glibc
import Logging
import SynapticConfig
import Synchronization
import SynapticNode
import SynapticPlatform

struct UpCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "up",
        abstract: "Run this host: TUN with its HIT and LSI, HIP and ESP over UDP (and raw HIP), in the foreground.",
        discussion: """
            Loads CONFIG (TOML, see Configs/synaptic.example.toml), creates the host identity key if it is \
            missing, and runs until SIGTERM or SIGINT (CLOSE is sent to every peer, the TUN is removed, exit \
            status 0; a second signal exits at once). SIGHUP reloads the peers and the policy from CONFIG; a file with errors is reported and \
            the running settings are kept. Logs go to standard error (to standard output when the environment \
            sets SYNAPTIC_LOG_STREAM=stdout, as the container image does); "synaptic up" is logged once the node \
            holds everything it needs. `synaptic status` reads the node's status socket: [status] socket, by \
            default \(Config.defaultStatusSocket(tun: "<tun name>")) (one per TUN; another node's socket is \
            refused). Needs CAP_NET_ADMIN, and CAP_NET_RAW for HIP on raw IP protocol 139 (without it HIP runs \
            over UDP only); either may also come from the file's permitted set (setcap ...+p): they are made \
            effective at start. With CAP_NET_RAW, I1s go over raw HIP first and fall back to UDP when no R1 came by the \
            first I1 timeout.
            """)

    @Argument(help: ArgumentHelp("The configuration file.", valueName: "config"))
    var config: String

    func run() throws {
        // Before any thread exists, so that every thread inherits them: CAP_NET_ADMIN and CAP_NET_RAW that
        // are permitted (from the file's capabilities, as in the container image) but not yet effective.
        // Failing to raise them is not fatal: the node then reports what it cannot do.
        _ = try? CapabilitySet.raiseEffective([.netAdmin, .netRaw])
        // Before any thread exists, so that every thread inherits the mask and only the waiter sees them.
        let signals = SignalWaiter(blocking: [SIGTERM, SIGINT, SIGHUP])
        let configuration: NodeConfiguration
        do {
            configuration = try NodeConfiguration.load(path: config)
        } catch {
            printError("synaptic: \(error)")
            throw ExitCode.failure
        }
        let level = configuration.logLevel
        let toStdout = ProcessInfo.processInfo.environment["SYNAPTIC_LOG_STREAM"] == "stdout"
        LoggingSystem.bootstrap { label in
            var handler = toStdout ? StreamLogHandler.standardOutput(label: label)
                                   : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "synaptic")
        let node: Node
        do {
            node = try Node(configuration: configuration, logger: logger)
        } catch {
            logger.critical("\(error)")
            throw ExitCode.failure
        }
        let path = config
        let stopping = Atomic<Bool>(false)
        signals.start { signal in
            if signal == SIGHUP {
                do {
                    node.reload(try NodeConfiguration.load(path: path))
                } catch {
                    logger.error("reload: \(error); keeping the running configuration")
                }
            } else if stopping.exchange(true, ordering: .relaxed) {
                logger.warning("signal \(signal) again: exiting without waiting for CLOSE_ACKs")
                Glibc.exit(1)
            } else {
                logger.info("signal \(signal): closing associations and stopping")
                node.stop()
            }
            return true
        }
        node.start()
        node.wait()
    }
}
