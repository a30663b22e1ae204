// Each validation error names the file, the key path and what is wrong, in stable words.
import Testing
@testable import SynapticConfig

struct ErrorCase: Sendable, CustomTestStringConvertible {
    let toml: String
    let key: String
    let message: String
    var testDescription: String { key.isEmpty ? message : key }
}

private let peerA = "[[peers]]\nhit = \"2001:20::1\"\n"
private let malformedLocator = "is not an address with optional port (198.18.0.2, 198.18.0.2:10500, fd00::2 or [fd00::2]:10500)"
private let topLevel = "crypto, dataplane, identity, keylog, log, metrics, nat, peers, policy, rekey, server, servers, status, timers, transport, tun"
private let serverHub = "[[servers]]\nname = \"hub\"\nhit = \"2001:2a::1\"\nlocators = [\"198.18.9.1\"]\n"

private let cases: [ErrorCase] = [
    // HITs
    .init(toml: "[[peers]]\nhit = \"2001:20::zz\"", key: "peers[0].hit",
          message: "\"2001:20::zz\" is not an IPv6 address, so not a HIT"),
    .init(toml: "[[peers]]\nhit = \"198.18.0.2\"", key: "peers[0].hit",
          message: "\"198.18.0.2\" is not an IPv6 address, so not a HIT"),
    .init(toml: "[[peers]]\nhit = \"2001:db8::1\"", key: "peers[0].hit",
          message: "2001:db8::1 is not a HIT: outside the ORCHIDv2 prefix 2001:20::/28"),
    .init(toml: "[[peers]]\nhit = \"2001:30::1\"", key: "peers[0].hit",
          message: "2001:30::1 is not a HIT: outside the ORCHIDv2 prefix 2001:20::/28"),
    .init(toml: "[[peers]]\nname = \"db\"", key: "peers[0].hit", message: "missing (required)"),
    .init(toml: "[policy]\nallow = [\"2001:db8::1\"]", key: "policy.allow[0]",
          message: "2001:db8::1 is not a HIT: outside the ORCHIDv2 prefix 2001:20::/28"),
    // Locators and ports
    .init(toml: peerA + "[[peers]]\nhit = \"2001:20::2\"\nlocators = [\"198.18.0.256\"]", key: "peers[1].locators[0]",
          message: "\"198.18.0.256\" \(malformedLocator)"),
    .init(toml: peerA + "locators = [\"198.18.0.2\", \"fd00::2]:10500\"]", key: "peers[0].locators[1]",
          message: "\"fd00::2]:10500\" \(malformedLocator)"),
    .init(toml: peerA + "locators = [\"[198.18.0.2]:10500\"]", key: "peers[0].locators[0]",
          message: "\"[198.18.0.2]:10500\" \(malformedLocator)"),
    .init(toml: peerA + "locators = [\"[fd00::2]10500\"]", key: "peers[0].locators[0]",
          message: "\"[fd00::2]10500\" \(malformedLocator)"),
    .init(toml: peerA + "locators = [\"198.18.0.2:+80\"]", key: "peers[0].locators[0]",
          message: "\"198.18.0.2:+80\" \(malformedLocator)"),
    .init(toml: peerA + "locators = [\"198.18.0.2:\"]", key: "peers[0].locators[0]",
          message: "\"198.18.0.2:\" \(malformedLocator)"),
    .init(toml: peerA + "locators = [\"198.18.0.2:70000\"]", key: "peers[0].locators[0]",
          message: "port 70000 is out of range 1...65535"),
    .init(toml: peerA + "locators = [\"[fd00::2]:0\"]", key: "peers[0].locators[0]",
          message: "port 0 is out of range 1...65535"),
    .init(toml: peerA + "locators = [\"0.0.0.0\"]", key: "peers[0].locators[0]",
          message: "0.0.0.0 is the unspecified address, not a usable locator"),
    .init(toml: peerA + "locators = \"198.18.0.2\"", key: "peers[0].locators",
          message: "expected an array, found a string"),
    .init(toml: "[transport]\nudp_port = 0", key: "transport.udp_port", message: "0 is out of range 1...65535"),
    .init(toml: "[transport]\nudp_port = 65536", key: "transport.udp_port", message: "65536 is out of range 1...65535"),
    .init(toml: "[transport]\nlisten = [\"::1\", \"localhost\"]", key: "transport.listen[1]",
          message: "\"localhost\" is not an IPv4 or IPv6 address"),
    .init(toml: "[metrics]\nlisten = \"127.0.0.1\"", key: "metrics.listen",
          message: "\"127.0.0.1\" needs a port (127.0.0.1:9100 or [::1]:9100)"),
    // Peer names, HITs and LSIs
    .init(toml: peerA + "name = \"db\"\n[[peers]]\nhit = \"2001:20::2\"\nname = \"db\"", key: "peers[1].name",
          message: "duplicate name \"db\" (already at peers[0].name)"),
    .init(toml: peerA + "[[peers]]\nhit = \"2001:20::2\"\n[[peers]]\nhit = \"2001:0020:0:0::1\"", key: "peers[2].hit",
          message: "duplicate HIT 2001:20::1 (already at peers[0].hit)"),
    .init(toml: peerA + "lsi = \"1.0.0.9\"\n[[peers]]\nhit = \"2001:20::2\"\nlsi = \"1.0.0.9\"", key: "peers[1].lsi",
          message: "duplicate LSI 1.0.0.9 (already at peers[0].lsi)"),
    .init(toml: peerA + "lsi = \"10.0.0.1\"", key: "peers[0].lsi",
          message: "\"10.0.0.1\" is not an LSI (an IPv4 address in 1.0.0.0/8 other than 1.0.0.0)"),
    .init(toml: peerA + "name = \"d b\"", key: "peers[0].name",
          message: "\"d b\" is not a valid name (1 to 63 letters, digits, '.', '_' or '-')"),
    // Unknown keys and tables, wrong types
    .init(toml: "[tun]\nmut = 1400", key: "tun.mut", message: "unknown key (expected one of: mtu, name, offload)"),
    .init(toml: "[tunnel]\nname = \"x\"", key: "tunnel", message: "unknown table (expected one of: \(topLevel))"),
    .init(toml: "udp_port = 10500", key: "udp_port", message: "unknown key (expected one of: \(topLevel))"),
    .init(toml: peerA + "adress = \"198.18.0.2\"", key: "peers[0].adress",
          message: "unknown key (expected one of: hit, locators, lsi, name, via)"),
    .init(toml: "[transport.\"udp port\"]", key: "transport.\"udp port\"",
          message: "unknown table (expected one of: listen, raw_hip, udp_port)"),
    .init(toml: "[tun]\nmtu = \"1400\"", key: "tun.mtu", message: "expected an integer, found a string"),
    .init(toml: "[tun]\nmtu = 1400.0", key: "tun.mtu", message: "expected an integer, found a floating-point number"),
    .init(toml: "tun = 5", key: "tun", message: "expected a table, found an integer"),
    .init(toml: "[peers]\nhit = \"2001:20::1\"", key: "peers",
          message: "expected an array of tables ([[peers]]), found a table"),
    .init(toml: "peers = [\"2001:20::1\"]", key: "peers[0]", message: "expected a table, found a string"),
    .init(toml: "[transport]\nraw_hip = \"yes\"", key: "transport.raw_hip",
          message: "expected a boolean (true or false), found a string"),
    // Ranges and choices
    .init(toml: "[crypto]\npuzzle_difficulty = 29", key: "crypto.puzzle_difficulty", message: "29 is out of range 0...28"),
    .init(toml: "[crypto]\npuzzle_difficulty = -1", key: "crypto.puzzle_difficulty", message: "-1 is out of range 0...28"),
    .init(toml: "[crypto]\npuzzle_difficulty = 8\npuzzle_difficulty_ceiling = 6", key: "crypto.puzzle_difficulty_ceiling",
          message: "6 is below crypto.puzzle_difficulty (8)"),
    .init(toml: "[tun]\nmtu = 1279", key: "tun.mtu", message: "1279 is out of range 1280...9000"),
    .init(toml: "[dataplane]\nworkers = 0", key: "dataplane.workers", message: "0 is out of range 1...64"),
    .init(toml: "[dataplane]\nworkers = 65", key: "dataplane.workers", message: "65 is out of range 1...64"),
    .init(toml: "[tun]\nname = \"hip0123456789abc\"", key: "tun.name",
          message: "\"hip0123456789abc\" is not a valid interface name (1 to 15 letters, digits, '.', '_' or '-')"),
    .init(toml: "[log]\nlevel = \"verbose\"", key: "log.level",
          message: "\"verbose\" is not one of: trace, debug, info, notice, warning, error, critical"),
    .init(toml: "[identity]\nalgorithm = \"dsa\"", key: "identity.algorithm",
          message: "\"dsa\" is not one of: ecdsa-p256, ecdsa-p384, rsa-2048, rsa-3072, ed25519"),
    .init(toml: "[identity]\nkey = \"\"", key: "identity.key", message: "must not be empty"),
    .init(toml: "[policy]\nallow = \"everyone\"", key: "policy.allow",
          message: "\"everyone\" is not \"configured\", \"any\" or a list of HITs"),
    .init(toml: "[timers]\nretransmit_initial_ms = 2000\nretransmit_max_ms = 1000", key: "timers.retransmit_max_ms",
          message: "1000 is out of range 2000...300000"),
    .init(toml: "[rekey]\nafter_bytes = 1000", key: "rekey.after_bytes", message: "0 (never) or at least 1048576"),
    .init(toml: "[rekey]\nafter_seconds = 5", key: "rekey.after_seconds", message: "0 (never) or at least 10"),
    .init(toml: "[rekey]\nafter_packets = -1", key: "rekey.after_packets",
          message: "-1 is out of range 0...9223372036854775807"),
    .init(toml: "[rekey]\ndiffie_hellman = 1", key: "rekey.diffie_hellman", message: "expected a boolean (true or false), found an integer"),
    // [server], [[servers]], via and [nat]
    .init(toml: "[nat]\nkeepalive_seconds = 14", key: "nat.keepalive_seconds", message: "14 is out of range 15...3600"),
    .init(toml: "[nat]\nkeepalive_seconds = 3601", key: "nat.keepalive_seconds", message: "3601 is out of range 15...3600"),
    .init(toml: "[nat]\nkeepalive_seconds = 20.0", key: "nat.keepalive_seconds",
          message: "expected an integer, found a floating-point number"),
    .init(toml: "[nat]\nkeepalive = 20", key: "nat.keepalive", message: "unknown key (expected one of: keepalive_seconds)"),
    .init(toml: peerA + "via = \"hub\"", key: "peers[0].via", message: "\"hub\" names no [[servers]] entry (there are none)"),
    .init(toml: peerA + "via = \"hb\"\n" + serverHub, key: "peers[0].via",
          message: "\"hb\" names no [[servers]] entry (there are: hub)"),
    .init(toml: peerA + "via = 1\n", key: "peers[0].via", message: "expected a string, found an integer"),
    .init(toml: serverHub + serverHub.replacing("2a::1", with: "2a::2"), key: "servers[1].name",
          message: "duplicate name \"hub\" (already at servers[0].name)"),
    .init(toml: serverHub + serverHub.replacing("hub", with: "hub2").replacing("2a::1", with: "2a:0::1"),
          key: "servers[1].hit", message: "duplicate HIT 2001:2a::1 (already at servers[0].hit)"),
    .init(toml: peerA + "[[peers]]\nhit = \"2001:2a::1\"\n" + serverHub, key: "servers[0].hit",
          message: "2001:2a::1 is also peers[1].hit (a server is not listed in [[peers]] as well)"),
    .init(toml: serverHub + "services = [\"relay\", \"turn\"]", key: "servers[0].services[1]",
          message: "\"turn\" is not one of: rendezvous, relay"),
    .init(toml: serverHub + "services = [\"relay\", \"relay\"]", key: "servers[0].services[1]",
          message: "duplicate service \"relay\" (already at servers[0].services[0])"),
    .init(toml: serverHub + "services = []", key: "servers[0].services",
          message: "must list at least one service (rendezvous, relay)"),
    .init(toml: serverHub + "services = \"relay\"", key: "servers[0].services", message: "expected an array, found a string"),
    .init(toml: "[[servers]]\nhit = \"2001:2a::1\"\nlocators = [\"198.18.9.1\"]", key: "servers[0].name",
          message: "missing (required)"),
    .init(toml: "[[servers]]\nname = \"hub\"\nlocators = [\"198.18.9.1\"]", key: "servers[0].hit",
          message: "missing (required)"),
    .init(toml: "[[servers]]\nname = \"hub\"\nhit = \"2001:2a::1\"", key: "servers[0].locators", message: "missing (required)"),
    .init(toml: "[[servers]]\nname = \"hub\"\nhit = \"2001:2a::1\"\nlocators = []", key: "servers[0].locators",
          message: "must list at least one locator"),
    .init(toml: "[[servers]]\nname = \"hub\"\nhit = \"2001:2a::1\"\nlocators = [\"0.0.0.0\"]", key: "servers[0].locators[0]",
          message: "0.0.0.0 is the unspecified address, not a usable locator"),
    .init(toml: "[[servers]]\nname = \"h u b\"\nhit = \"2001:2a::1\"\nlocators = [\"198.18.9.1\"]", key: "servers[0].name",
          message: "\"h u b\" is not a valid name (1 to 63 letters, digits, '.', '_' or '-')"),
    .init(toml: "[[servers]]\nname = \"hub\"\nhit = \"2001:db8::1\"\nlocators = [\"198.18.9.1\"]", key: "servers[0].hit",
          message: "2001:db8::1 is not a HIT: outside the ORCHIDv2 prefix 2001:20::/28"),
    .init(toml: serverHub + "port = 1", key: "servers[0].port",
          message: "unknown key (expected one of: hit, locators, name, services)"),
    .init(toml: "[servers]\nname = \"hub\"", key: "servers", message: "expected an array of tables ([[servers]]), found a table"),
    .init(toml: "[server]\nallow = \"everyone\"", key: "server.allow",
          message: "\"everyone\" is not \"configured\", \"any\" or a list of HITs"),
    .init(toml: "[server]\nallow = [\"2001:db8::1\"]", key: "server.allow[0]",
          message: "2001:db8::1 is not a HIT: outside the ORCHIDv2 prefix 2001:20::/28"),
    .init(toml: "[server]\nrendezvous = \"yes\"", key: "server.rendezvous",
          message: "expected a boolean (true or false), found a string"),
    .init(toml: "[server]\nrvs = true", key: "server.rvs", message: "unknown key (expected one of: allow, relay, rendezvous)"),
    // Crypto lists
    .init(toml: "[crypto]\nhip_ciphers = [4, 1]", key: "crypto.hip_ciphers[1]",
          message: "cipher 1 (NULL-ENCRYPT) needs crypto.allow_null_cipher = true"),
    .init(toml: "[crypto]\nesp_suites = [7, 13]", key: "crypto.esp_suites[0]",
          message: "suite 7 (NULL encryption, authentication only) needs policy.allow_auth_only_esp = true"),
    .init(toml: "[crypto]\ndh_groups = []", key: "crypto.dh_groups", message: "must list at least one DH group"),
    .init(toml: "[crypto]\ndh_groups = [7, 5]", key: "crypto.dh_groups[1]",
          message: "5 is not a supported DH group (supported: 3, 4, 7, 8, 11)"),
    .init(toml: "[crypto]\ndh_groups = [7, 8, 7]", key: "crypto.dh_groups[2]",
          message: "duplicate DH group 7 (already at crypto.dh_groups[0])"),
    .init(toml: "[crypto]\nesp_suites = [13, 12]", key: "crypto.esp_suites[1]",
          message: "12 is not a supported ESP suite (supported: 7, 8, 9, 13)"),
]

@Suite struct ConfigErrorTests {
    @Test(arguments: cases) func namesFileKeyAndProblem(_ errorCase: ErrorCase) {
        #expect {
            _ = try Config.parse(errorCase.toml, file: "test.toml")
        } throws: { error in
            guard let error = error as? ConfigError else { return false }
            #expect(error.file == "test.toml")
            #expect(error.key == errorCase.key)
            #expect(error.message == errorCase.message)
            #expect(error.description == "test.toml: \(errorCase.key): \(errorCase.message)")
            return true
        }
    }

    @Test func syntaxErrorNamesLineAndColumn() throws {
        let error = try #require(throws: ConfigError.self) {
            try Config.parse("[tun]\nname = \"hip0\"\nmtu = = 1400\n", file: "bad.toml")
        }
        #expect(error.key == "")
        #expect(error.description.hasPrefix("bad.toml:3:"))
        #expect(error.message.hasPrefix("invalid TOML: "))
    }

    @Test func duplicateKeyIsASyntaxError() throws {
        let error = try #require(throws: ConfigError.self) {
            try Config.parse("[tun]\nmtu = 1400\nmtu = 1400\n", file: "dup.toml")
        }
        #expect(error.description.hasPrefix("dup.toml:3:"))
    }

    @Test func nulByteIsRefusedRatherThanEndingTheFileEarly() throws {
        let error = try #require(throws: ConfigError.self) {
            try Config.parse("[tun]\nname = \"hip0\"\n\u{0}\n[bogus]\n", file: "nul.toml")
        }
        #expect(error.description == "nul.toml: not a TOML text file: contains a NUL byte")
    }

    // toml++ 3.4.0 asserts preconditions it does not check: these texts aborted the process (found by
    // Fuzz/ConfigFuzzer); TOMLPreflight refuses them first.
    @Test(arguments: [("[=]", 1, 1), ("[ ,]", 1, 1), ("[[[1]]]", 1, 1), ("[[ =]]", 1, 1), ("[\r]", 1, 1),
                      ("\u{FEFF}[=]", 1, 4), ("[tun]\nmtu = 1400\n  [=]\n", 3, 3),
                      ("[tun]\nname = \"hip0\" # [\n[\u{1}]", 3, 1)])
    func tableHeaderWithoutAKeyIsASyntaxError(_ toml: String, line: Int, column: Int) throws {
        let error = try #require(throws: ConfigError.self) { try Config.parse(toml, file: "header.toml") }
        #expect(error.description == "header.toml:\(line):\(column): invalid TOML: a table header must start with a key "
                + "(a letter, digit, '-', '_' or a quoted key)")
    }

    @Test(arguments: [("a = [}]", 1, 6), ("[crypto]\nesp_suites = [8, }7]\n", 2, 18), ("a = [ # c\n}]", 2, 1),
                      ("a = [{ b = [}] }]", 1, 13)])
    func arrayElementStartingWithABraceIsASyntaxError(_ toml: String, line: Int, column: Int) throws {
        let error = try #require(throws: ConfigError.self) { try Config.parse(toml, file: "array.toml") }
        #expect(error.description == "array.toml:\(line):\(column): invalid TOML: expected an array element or ']', found '}'")
    }

    @Test(arguments: ["a = [\u{2028}]", "a = [1,\u{85}2]", "a = 1\u{2029}"])
    func unicodeLineBreakOutsideStringsIsASyntaxError(_ toml: String) throws {
        let error = try #require(throws: ConfigError.self) { try Config.parse(toml, file: "break.toml") }
        #expect(error.message == "invalid TOML: NEL, U+2028 and U+2029 are allowed only in strings and comments")
    }

    @Test func bracketsAndBreaksInsideValuesAndCommentsPassThePreflight() {
        let texts = ["a = \"\"\"\n[=]\"\"\"\n", "a = '''\n[=]'''\n", "a = [\n[+1],\n]\n", "a = [ # [\n{ b = [1] },\n]\n",
                     "\"[=\" = 1\n[\"b\"]\n[ 'c' ]\n[[d]]\n", "a = \"x\\\"[\"\n[e]\n", "[f]\n[[g.h]]\n",
                     "a = [ # }\n]\n", "a = { b = [1, 2] }\n", "a = \"\u{2028}\" # \u{2029}\n", "a = ['}', \"}\"]\n"]
        for text in texts {
            #expect(TOMLPreflight.check(text) == nil, "\(text)")
        }
    }

    @Test func missingFileIsNamed() throws {
        let error = try #require(throws: ConfigError.self) {
            try Config.load(path: "/nonexistent/synaptic.toml")
        }
        #expect(error.description == "/nonexistent/synaptic.toml: cannot read: No such file or directory")
    }
}
