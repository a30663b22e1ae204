// TShark: runs `tshark -r` on a pcap and reports, per frame, the protocol stack and any expert marks
// (or any fields asked for).
//
//  tshark -r FILE -n -T fields -E occurrence=a -E aggregator=<US> -E separator=/t -e FIELD ...

import Foundation

/// One decoded frame.
public struct TSharkFrame: Sendable, CustomStringConvertible {
    /// An expert-info mark (severity as tshark's text: "comment", "chat", "note", "warning", "error").
    public struct Expert: Sendable, Hashable {
        public let message: String
        public let severity: String
    }

    public let number: Int
    /// frame.protocols, e.g. "eth:ethertype:ip:hip" or "raw:ipv6:hip".
    public let protocols: [String]
    public let experts: [Expert]
    /// tshark flagged the frame as malformed.
    public let malformed: Bool
    /// Values of the extra fields asked for, by field name (all occurrences, in order).
    public let fields: [String: [String]]

    public var description: String {
        "frame \(number) \(protocols.joined(separator: ":"))"
            + (experts.isEmpty ? "" : " experts: \(experts.map { "\($0.severity): \($0.message)" })")
            + (malformed ? " MALFORMED" : "")
    }
}

/// A failure to run tshark.
public struct TSharkError: Error, CustomStringConvertible {
    public let description: String
}

/// The tshark runner. Runs a child process; call from tests only.
public enum TShark {
    /// The tshark executable on PATH, if any.
    public static var executable: String? {
        let paths = (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":")
        return paths.map { "\($0)/tshark" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    /// Decodes every frame of `path`, with the values of `extraFields` (e.g. "hip.tlv.type") per frame.
    /// `preferences` are passed as `-o key:value`.
    public static func decode(pcap path: String, extraFields: [String] = [],
                              preferences: [String] = []) throws -> [TSharkFrame] {
        let standard = ["frame.number", "frame.protocols", "_ws.expert.message", "_ws.expert.severity", "_ws.malformed"]
        let rows = try run(pcap: path, fields: standard + extraFields, preferences: preferences)
        return try rows.map { row in
            guard let number = row[0].first.flatMap({ Int($0) }) else {
                throw TSharkError(description: "tshark gave no frame number: \(row)")
            }
            let protocols = (row[1].first ?? "").split(separator: ":").map(String.init)
            let experts = zip(row[2], row[3]).map { TSharkFrame.Expert(message: $0, severity: severityName($1)) }
            var fields: [String: [String]] = [:]
            for (index, name) in extraFields.enumerated() { fields[name] = row[standard.count + index] }
            return TSharkFrame(number: number, protocols: protocols, experts: experts,
                               malformed: !row[4].isEmpty || protocols.contains("_ws.malformed"), fields: fields)
        }
    }

    /// Per frame, per field, all occurrences.
    private static func run(pcap path: String, fields: [String], preferences: [String]) throws -> [[[String]]] {
        guard let executable else {
            throw TSharkError(description: "tshark not found on PATH (scripts/install-deps.sh installs it)")
        }
        let aggregator = "\u{1F}"
        var arguments = ["-r", path, "-n", "-T", "fields", "-E", "occurrence=a", "-E", "aggregator=\(aggregator)",
                         "-E", "separator=/t"]
        for field in fields { arguments += ["-e", field] }
        for preference in preferences { arguments += ["-o", preference] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw TSharkError(description: "tshark exited \(process.terminationStatus): \(errorText)")
        }
        return try text.split(separator: "\n").map { line in
            let columns = line.split(separator: "\t", omittingEmptySubsequences: false)
            guard columns.count == fields.count else {
                throw TSharkError(description: "unexpected tshark line: \(line)")
            }
            return columns.map { $0.isEmpty ? [] : $0.components(separatedBy: aggregator) }
        }
    }

    /// tshark prints severities as numbers (PI_COMMENT 0x100000 … PI_ERROR 0x800000).
    private static func severityName(_ value: String) -> String {
        switch Int(value) {
        case 0x100000: "comment"
        case 0x200000: "chat"
        case 0x400000: "note"
        case 0x600000: "warning"
        case 0x800000: "error"
        default: value
        }
    }
}
