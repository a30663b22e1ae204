// The `synaptic keygen` and `synaptic hit` subcommands, run as a subprocess (the built executable next to
// the test bundle).
import Foundation
import Testing

@Suite struct CLITests {
    struct Output {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The `synaptic` executable built alongside this test bundle.
    static func executable() throws -> URL {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var candidates = [testBinary.deletingLastPathComponent().appendingPathComponent("synaptic")]
        // The bundle may be a directory (…/synapticPackageTests.xctest/…): also look next to it.
        var directory = testBinary.deletingLastPathComponent()
        while directory.path != "/" {
            if directory.pathExtension == "xctest" {
                candidates.append(directory.deletingLastPathComponent().appendingPathComponent("synaptic"))
            }
            directory = directory.deletingLastPathComponent()
        }
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
            throw CLIError(description: "synaptic executable not found; looked at \(candidates.map(\.path))")
        }
        return found
    }

    struct CLIError: Error, CustomStringConvertible { let description: String }

    static func run(_ arguments: [String]) throws -> Output {
        let process = Process()
        process.executableURL = try executable()
        process.arguments = arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let out = stdout.fileHandleForReading.readDataToEndOfFile()
        let err = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                      stderr: String(decoding: err, as: UTF8.self))
    }

    final class Scratch {
        let directory: String
        init() throws {
            directory = FileManager.default.temporaryDirectory
                .appendingPathComponent("synaptic-cli-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false)
        }
        deinit { try? FileManager.default.removeItem(atPath: directory) }
        func path(_ name: String) -> String { directory + "/" + name }
    }

    /// "HIT x" / "LSI y" lines → (x, y).
    static func hitAndLSI(_ text: String) -> (String, String)? {
        let lines = text.split(separator: "\n")
        guard let hit = lines.first(where: { $0.hasPrefix("HIT ") })?.dropFirst(4),
              let lsi = lines.first(where: { $0.hasPrefix("LSI ") })?.dropFirst(4)
        else { return nil }
        return (String(hit), String(lsi))
    }

    @Test func keygenThenHitAgree() throws {
        let scratch = try Scratch()
        let key = scratch.path("host.key")
        let keygen = try Self.run(["keygen", "--out", key])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let generated = try #require(Self.hitAndLSI(keygen.stdout))
        #expect(generated.0.hasPrefix("2001:22:"))           // ECDSA P-256 by default: suite 2
        #expect(generated.1.hasPrefix("1."))
        let mode = try FileManager.default.attributesOfItem(atPath: key)[.posixPermissions] as? Int
        #expect(mode == 0o600)

        let hit = try Self.run(["hit", key])
        #expect(hit.status == 0)
        #expect(hit.stdout == "HIT \(generated.0)\nLSI \(generated.1)\n")

        let json = try Self.run(["hit", "--json", key])
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["hit"] as? String == generated.0)
        #expect(object["lsi"] as? String == generated.1)
        #expect(object["algorithm"] as? String == "ecdsa-p256")
        #expect(object["hitSuite"] as? Int == 2)
    }

    @Test(arguments: [("ecdsa-p384", "2001:22:"), ("rsa-2048", "2001:21:"), ("ed25519", "2001:25:")])
    func keygenAlgorithms(algorithm: String, prefix: String) throws {
        let scratch = try Scratch()
        let key = scratch.path("\(algorithm).key")
        let keygen = try Self.run(["keygen", "--algorithm", algorithm, "--out", key])
        #expect(keygen.status == 0, "\(keygen.stderr)")
        let hit = try Self.run(["hit", "--json", key])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(hit.stdout.utf8)) as? [String: Any])
        #expect(object["algorithm"] as? String == algorithm)
        #expect((object["hit"] as? String)?.hasPrefix(prefix) == true)
    }

    /// A key made by the `openssl` command line gives the HIT computed independently in Python.
    @Test func hitOfAnExternallyMadeKey() throws {
        let scratch = try Scratch()
        let key = scratch.path("openssl.pem")
        let pem = """
            -----BEGIN PRIVATE KEY-----
            MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgywWTtpd8uUQaM+Rg
            Xik4b4z6hY3iSSbZbLoUN+tpt+2hRANCAARHkFXk/h/ibf6VtUOo2DxtgiGUA5LS
            bLtMtbvDQ/PITJCndKptRFwT29fTQKPHdfAiIN7Az8d2pffWbRVd0jMu
            -----END PRIVATE KEY-----

            """
        #expect(FileManager.default.createFile(atPath: key, contents: Data(pem.utf8),
                                               attributes: [.posixPermissions: 0o600]))
        let hit = try Self.run(["hit", key])
        #expect(hit.status == 0, "\(hit.stderr)")
        #expect(hit.stdout == "HIT 2001:22:9932:ff1c:f042:e7d:4716:4827\nLSI 1.22.72.39\n")
    }

    @Test func clearErrorsAndNonZeroExit() throws {
        let scratch = try Scratch()
        let key = scratch.path("host.key")
        #expect(try Self.run(["keygen", "--out", key]).status == 0)

        let again = try Self.run(["keygen", "--out", key])
        #expect(again.status != 0)
        #expect(again.stderr.contains("\(key) already exists"))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
        let open = try Self.run(["hit", key])
        #expect(open.status != 0)
        #expect(open.stdout.isEmpty)
        #expect(open.stderr.contains("permissions 0644"))
        #expect(open.stderr.contains("chmod 600 \(key)"))

        let missing = try Self.run(["hit", scratch.path("absent.key")])
        #expect(missing.status != 0)
        #expect(missing.stderr.contains("does not exist"))

        let directory = try Self.run(["hit", scratch.directory])
        #expect(directory.status != 0)
        #expect(directory.stderr.contains("cannot be read"))

        let junk = scratch.path("junk.key")
        #expect(FileManager.default.createFile(atPath: junk, contents: Data("junk\n".utf8),
                                               attributes: [.posixPermissions: 0o600]))
        let malformed = try Self.run(["hit", junk])
        #expect(malformed.status != 0)
        #expect(malformed.stderr.contains("is not a PEM private key"))

        let badAlgorithm = try Self.run(["keygen", "--algorithm", "dsa", "--out", scratch.path("dsa.key")])
        #expect(badAlgorithm.status != 0)
        #expect(badAlgorithm.stderr.contains("ecdsa-p256"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path("dsa.key")))

        let noArgument = try Self.run(["hit"])
        #expect(noArgument.status != 0)

        // `up` refuses our own HIT as a peer before it touches the network.
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: key)
        let (ownHIT, _) = try #require(Self.hitAndLSI(try Self.run(["hit", key]).stdout))
        let config = scratch.path("self.toml")
        #expect(FileManager.default.createFile(atPath: config, contents: Data("""
            [identity]
            key = "\(key)"
            [[peers]]
            hit = "\(ownHIT)"
            """.utf8)))
        let ourselves = try Self.run(["up", config])
        #expect(ourselves.status != 0)
        #expect(ourselves.stderr.contains("peers[0].hit \(ownHIT) is this host's own HIT"))

        // A key made by `up` stays when a later step fails (here: a listen address this host does not have),
        // and the log says so.
        let newKey = scratch.path("new/host.key")
        let unbindable = scratch.path("unbindable.toml")
        #expect(FileManager.default.createFile(atPath: unbindable, contents: Data("""
            [identity]
            key = "\(newKey)"
            [transport]
            listen = ["198.18.250.250"]
            raw_hip = false
            """.utf8)))
        let failed = try Self.run(["up", unbindable])
        #expect(failed.status != 0)
        #expect(failed.stderr.contains("kept the new host identity \(newKey)"))
        #expect(FileManager.default.fileExists(atPath: newKey))
    }

    @Test func helpDescribesTheSubcommands() throws {
        let help = try Self.run(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("keygen"))
        #expect(help.stdout.contains("hit"))
        let keygen = try Self.run(["keygen", "--help"])
        #expect(keygen.stdout.contains("0600"))
        #expect(keygen.stdout.contains("ed25519"))
    }
}
