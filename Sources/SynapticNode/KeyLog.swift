// KeyLog: ESP SAs written for Wireshark/tshark, like SSLKEYLOGFILE for TLS (off unless configured).
//
// One line per SA direction, a record of Wireshark's "esp_sa" UAT table (Wireshark 4.0, packet-esp.c):
//   "Protocol","Src IP","Dest IP","SPI","Encryption","Encryption Key","Authentication","Authentication Key"
//   e.g. "IPv4","198.18.0.1","198.18.0.2","0x12345678","AES-GCM with 16 octet ICV [RFC4106]","0x<key‖salt>","NULL",""
// Protocol and addresses are those of the outer (ESP) packet; "*" matches any address when ours is not
// known. Algorithm names are the UAT's value strings; keys are hex with 0x. A file of these lines can be
// used as the esp_sa UAT file, or each line passed as `-o "uat:esp_sa:<line>"`.
// (Our ESP covers the ESN high bits in the ICV, RFC 4303; tshark 4.0 checks ICVs without them, so it
// marks correct packets "incorrect ICV" but decrypts them.)
//
// Before the two records, one comment line per association (Wireshark's UAT files skip lines starting
// with "#") with what its KEYMAT was drawn from (RFC 7401 §6.5), for offline verification:
//   # HIP local_hit=<HIT> peer_hit=<HIT> dh_group=<DH group ID> rhash=<sha1|sha256|sha384>
//         hip_cipher=<HIP_CIPHER ID> esp_suite=<ESP suite ID> puzzle_i=<#I hex> puzzle_j=<#J hex> kij=<Kij hex>
//   (one line) KEYMAT = HKDF(rhash, salt #I ‖ #J, Kij, info = the HITs in ascending order); the ESP keys of
//   the records follow the HIP keys (HIPCrypto.HIPKeys): SA-gl is sent by the host with the greater HIT.
//   The core exports the KEYMAT inputs only with HostSettings.exportsKeymatInputs (set when a keylog is
//   configured); without them the line has the HITs and esp_suite only.
import Glibc
import HIPCore
import HIPCrypto
import HIPWire
import SynapticPlatform

/// The keylog file: created with mode 0600; an existing one must be a regular file (not a symbolic link,
/// FIFO, device or directory) owned by the effective user and not group/other accessible. Appended to.
/// Written from the control thread only.
final class KeyLog {
    let path: String
    private let descriptor: Int32

    /// Opens (or creates) `path` for appending. Errors name the path and the reason.
    init(path: String) throws(NodeError) {
        self.path = path
        // O_NOFOLLOW refuses a symbolic link as the last component (ELOOP); O_NONBLOCK keeps a FIFO from
        // blocking the open (no effect on a regular file).
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0o600)
        guard fd >= 0 else {
            let reason = errno == ELOOP ? "it is a symbolic link" : String(cString: strerror(errno))
            throw .file(path, "cannot open keylog: \(reason)")
        }
        var status = stat()
        let problem: String? = if fstat(fd, &status) != 0 {
            "fstat failed: \(String(cString: strerror(errno)))"
        } else if status.st_mode & S_IFMT != S_IFREG {
            "not a regular file"
        } else if status.st_uid != geteuid() {
            "owned by uid \(status.st_uid), not by this process's effective uid \(geteuid())"
        } else if status.st_mode & 0o077 != 0 {
            "group or others may access it (chmod 600)"
        } else {
            nil
        }
        if let problem {
            close(fd)
            throw .file(path, "refusing keylog: \(problem)")
        }
        descriptor = fd
    }

    deinit {
        close(descriptor)
    }

    /// Appends the association line and the two SAs of `pair`; ESP to the peer goes to `destination`.
    func record(_ pair: SecurityAssociationPair, destination: SocketAddress) {
        append(KeyLog.associationLine(pair) + KeyLog.lines(pair, peerAddress: IPAddress(destination.address)).joined())
    }

    /// Appends the esp_sa record of one SA a rekey installed (inbound: from the peer to us).
    func record(_ sa: DirectionalSA, inbound: Bool, peerAddress: IPAddress) {
        let local = sa.localAddress.map(\.description) ?? "*", peer = peerAddress.description
        append(KeyLog.record(protocol: peerAddress.familyName, source: inbound ? peer : local,
                             destination: inbound ? local : peer, spi: sa.spi, suite: sa.suite, keys: sa.keys))
    }

    /// Writes `text` (it holds keys) and zeroes the copy of its bytes.
    private func append(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        _ = bytes.withUnsafeMutableBytes { $0.initializeMemory(as: UInt8.self, repeating: 0) }
    }

    /// The esp_sa records of `pair` (outbound, then inbound), each ending in a newline.
    static func lines(_ pair: SecurityAssociationPair, peerAddress: IPAddress) -> [String] {
        let local = pair.localAddress.map(\.description) ?? "*"
        let peer = peerAddress.description
        return [
            record(protocol: peerAddress.familyName, source: local, destination: peer, spi: pair.outboundSPI,
                   suite: pair.suite, keys: pair.outboundKeys),
            record(protocol: peerAddress.familyName, source: peer, destination: local, spi: pair.inboundSPI,
                   suite: pair.suite, keys: pair.inboundKeys),
        ]
    }

    /// The "# HIP" comment line of `pair` (file comment), ending in a newline.
    static func associationLine(_ pair: SecurityAssociationPair) -> String {
        let inputs = pair.keymatInputs
        let fields = ["local_hit=\(pair.localHIT)", "peer_hit=\(pair.peerHIT)"]
            + (inputs.map { ["dh_group=\($0.dhGroup.rawValue)", "rhash=\(hashName($0.hash))",
                             "hip_cipher=\($0.hipCipher.rawValue)"] } ?? [])
            + ["esp_suite=\(pair.suite.rawValue)"]
            + (inputs.map { ["puzzle_i=\(hexDigits($0.puzzleI))", "puzzle_j=\(hexDigits($0.puzzleJ))",
                             "kij=\($0.kij.withUnsafeBytes { hexDigits($0) })"] } ?? [])
        return "# HIP " + fields.joined(separator: " ") + "\n"
    }

    private static func hashName(_ hash: HashAlgorithm) -> String {
        switch hash {
        case .sha1: "sha1"
        case .sha256: "sha256"
        case .sha384: "sha384"
        }
    }

    /// Lower-case hex of `bytes`, no prefix.
    private static func hexDigits(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    private static func record(protocol family: String, source: String, destination: String, spi: UInt32,
                               suite: ESPSuiteID, keys: ESPKeys) -> String {
        let (encryption, authentication) = algorithmNames(suite)
        let fields = [family, source, destination, hex(spi),
                      encryption, hexKey(keys.encryption),
                      authentication, hexKey(keys.authentication)]
        return fields.map { "\"\($0)\"" }.joined(separator: ",") + "\n"
    }

    /// Wireshark's names for the suite's encryption and authentication algorithms (RFC 7402 §5.1.2 suites).
    static func algorithmNames(_ suite: ESPSuiteID) -> (encryption: String, authentication: String) {
        switch suite {
        case .nullSHA256: ("NULL", "HMAC-SHA-256-128 [RFC4868]")
        case .aes128CBCSHA256, .aes256CBCSHA256: ("AES-CBC [RFC3602]", "HMAC-SHA-256-128 [RFC4868]")
        case .aesGCM16: ("AES-GCM with 16 octet ICV [RFC4106]", "NULL")
        }
    }

    /// "0x" and the key in hex, or "" for an empty key.
    private static func hexKey(_ key: SecretBytes) -> String {
        key.withUnsafeBytes { bytes in bytes.isEmpty ? "" : "0x" + hexDigits(bytes) }
    }
}
