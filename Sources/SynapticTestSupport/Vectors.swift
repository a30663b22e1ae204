// Vectors: loads Tests/Vectors/vectors.json (layout: Tests/Vectors/README.md §3) and gives typed views of
// the parts several test targets use; everything else through the `JSONValue` tree.

import Foundation
import HIPWire

/// A problem with the vector file (missing, unreadable, or a field not as documented).
public struct VectorError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Access to the known-answer vectors. Thread-safe (the file is read once).
public enum Vectors {
    /// The capture sections of vectors.json: cutehip HEAD runs 5 and 1, and the repository's hip.pcap.
    public static let runs = ["run5", "run1", "repo_hip_pcap"]

    /// The absolute path of Tests/Vectors, found from this source file's location.
    public static var directory: String {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Vectors.swift, SynapticTestSupport, Sources
        return url.appendingPathComponent("Tests/Vectors").path
    }

    /// The path of a file in Tests/Vectors.
    public static func path(_ name: String) -> String { directory + "/" + name }

    private static let cached: Result<JSONValue, any Error> = Result {
        let data = try Data(contentsOf: URL(fileURLWithPath: path("vectors.json")))
        return try JSONDecoder().decode(JSONValue.self, from: data)
    }

    /// The whole vector file.
    public static func load() throws -> JSONValue { try cached.get() }

    /// Every captured HIP packet of every run, in capture order.
    public static func capturedPackets() throws -> [CapturedPacket] {
        let json = try load()
        var packets: [CapturedPacket] = []
        for run in runs {
            for entry in json[run]["hip_packets"].array {
                packets.append(try CapturedPacket(run: run, entry: entry))
            }
        }
        guard !packets.isEmpty else { throw VectorError("vectors.json: no hip_packets") }
        return packets
    }

    /// One captured packet by run and label ("I1", "R1", "UPDATE (SEQ)", …).
    public static func packet(run: String, label: String) throws -> CapturedPacket {
        guard let packet = try capturedPackets().first(where: { $0.run == run && $0.label == label }) else {
            throw VectorError("vectors.json: no packet \(label) in \(run)")
        }
        return packet
    }

    /// Every `mac_checks[]` entry (run5 only has them).
    public static func macChecks() throws -> [CoverageCheck] {
        let json = try load()
        var checks: [CoverageCheck] = []
        for run in runs {
            for entry in json[run]["mac_checks"].array {
                guard let label = entry["packet"].string, let name = entry["parameter"].string,
                      let expected = entry["mac_input_hex"].bytes,
                      let type = name.split(separator: "(").last.flatMap({ UInt16($0.dropLast()) }) else {
                    throw VectorError("vectors.json: bad mac_checks entry in \(run)")
                }
                let rule: CoverageRule
                if type == ParameterType.hipMAC2 {
                    guard let responder = json[run]["roles"]["responder"].string,
                          let tlv = json[run]["hosts"][responder]["host_id_tlv_hex"].bytes else {
                        throw VectorError("vectors.json: no responder HOST_ID TLV in \(run)")
                    }
                    rule = .mac2(responderHostIDTLV: tlv)
                } else {
                    rule = .mac
                }
                checks.append(CoverageCheck(run: run, label: label, parameterType: type, rule: rule,
                                            expected: expected))
            }
        }
        return checks
    }

    /// Every `signature_checks[]` entry; the rule follows the entry's `rules` field (cutehip's R2 carries
    /// a HIP_SIGNATURE_2 TLV computed under HIP_SIGNATURE rules).
    public static func signatureChecks() throws -> [CoverageCheck] {
        let json = try load()
        var checks: [CoverageCheck] = []
        for run in runs {
            for entry in json[run]["signature_checks"].array {
                guard let label = entry["packet"].string, let type = entry["parameter_type"].int,
                      let rules = entry["rules"].string, let expected = entry["signed_data_hex"].bytes else {
                    throw VectorError("vectors.json: bad signature_checks entry in \(run)")
                }
                checks.append(CoverageCheck(run: run, label: label, parameterType: UInt16(type),
                                            rule: rules == "HIP_SIGNATURE_2" ? .signature2 : .signature,
                                            expected: expected))
            }
        }
        return checks
    }
}

/// A HIP packet from a capture, with the vector file's own decoding of it.
public struct CapturedPacket: Sendable, CustomStringConvertible {
    public let run: String
    public let label: String
    /// The HIP message, from Next Header to the end (as on the wire, checksum included).
    public let bytes: [UInt8]
    /// Outer IP addresses (all captures are IPv4, raw protocol 139).
    public let source: IPAddress
    public let destination: IPAddress
    public let parameters: [CapturedParameter]
    /// Whether the parameters were in ascending type order on the wire.
    public let sortedOnWire: Bool

    public var description: String { "\(run) \(label)" }

    init(run: String, entry: JSONValue) throws {
        guard let label = entry["label"].string, let bytes = entry["hip_message_hex"].bytes,
              let source = entry["outer"]["src"].string.flatMap(IPAddress.init),
              let destination = entry["outer"]["dst"].string.flatMap(IPAddress.init),
              let sorted = entry["parameters_sorted_by_type_on_wire"].bool else {
            throw VectorError("vectors.json: bad hip_packets entry in \(run)")
        }
        self.run = run
        self.label = label
        self.bytes = bytes
        self.source = source
        self.destination = destination
        self.sortedOnWire = sorted
        self.parameters = try entry["parameters"].array.map { p in
            guard let type = p["type"].int, let length = p["length"].int, let offset = p["offset"].int,
                  let tlv = p["tlv_hex"].bytes else {
                throw VectorError("vectors.json: bad parameter in \(run) \(label)")
            }
            return CapturedParameter(type: UInt16(type), length: length, offset: offset, tlv: tlv)
        }
    }
}

/// One parameter as listed in vectors.json.
public struct CapturedParameter: Sendable {
    public let type: UInt16
    /// The TLV Length field (contents only).
    public let length: Int
    /// Offset from the start of the HIP header.
    public let offset: Int
    /// The whole TLV with its padding.
    public let tlv: [UInt8]
}

/// An expected MAC input or signed region: `coveredRegion(of: packet, before: parameterType, rule: rule)`
/// must equal `expected`.
public struct CoverageCheck: Sendable, CustomStringConvertible {
    public let run: String
    public let label: String
    public let parameterType: UInt16
    public let rule: CoverageRule
    public let expected: [UInt8]

    public var description: String { "\(run) \(label) before \(parameterType)" }
}
