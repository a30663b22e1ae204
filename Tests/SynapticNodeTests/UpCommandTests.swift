// `synaptic up` and `synaptic status` failing cleanly: configuration errors name the file and key, a
// missing node is reported, and neither needs privileges to say so.
import Foundation
import Testing

@Suite struct UpCommandTests {
    @Test func configurationErrorsNameFileAndKeyAndExitNonZero() throws {
        let scratch = try CLITests.Scratch()
        let config = scratch.path("bad.toml")
        try "[tun]\nmtu = 70000\n".write(toFile: config, atomically: true, encoding: .utf8)
        let badValue = try CLITests.run(["up", config])
        #expect(badValue.status == 1)
        #expect(badValue.stderr.contains("\(config): tun.mtu: 70000 is out of range 1280...9000"), "\(badValue.stderr)")

        try "[[peers]]\nhit = \"2001:db8::1\"\n".write(toFile: config, atomically: true, encoding: .utf8)
        let badHIT = try CLITests.run(["up", config])
        #expect(badHIT.status == 1)
        #expect(badHIT.stderr.contains("\(config): peers[0].hit: "))

        let missing = try CLITests.run(["up", scratch.path("absent.toml")])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("absent.toml"))

        let status = try CLITests.run(["status", "--config", config])
        #expect(status.status == 1 && status.stderr.contains("peers[0].hit"))
    }

    @Test func statusWithoutANodeSaysSo() throws {
        let scratch = try CLITests.Scratch()
        let output = try CLITests.run(["status", "--socket", scratch.path("none.sock"), "--json"])
        #expect(output.status == 1)
        #expect(output.stdout.isEmpty)
        #expect(output.stderr.contains("no synaptic node is running (status socket \(scratch.path("none.sock"))"))
        let both = try CLITests.run(["status", "--socket", "x", "--config", "y"])
        #expect(both.status != 0)
    }

    @Test func helpNamesTheInterfaces() throws {
        let up = try CLITests.run(["up", "--help"])
        #expect(up.stdout.contains("SIGHUP") && up.stdout.contains("CAP_NET_ADMIN"))
        let status = try CLITests.run(["status", "--help"])
        #expect(status.stdout.contains("--socket") && status.stdout.contains("--config") && status.stdout.contains("--json"))
    }
}
