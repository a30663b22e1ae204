// LinkStatistics: the kernel's drop counters of one network interface, from /proc/net/dev as the calling
// thread's network namespace sees it.
//
//   Inter-|   Receive                                                |  Transmit
//    face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed
//     hip0: 1234  10      0    0    0    0     0          0         5678  12     0    726  0    0     0       0
//
// For a TUN device, "transmit" is the kernel handing packets to our reader: its drops are packets the
// kernel discarded because we did not read them in time (the queue was full); "receive" drops are packets
// we wrote that the kernel discarded.

/// Drop counters of one interface. A value type.
public struct LinkStatistics: Hashable, Sendable {
    public var receiveDropped: UInt64
    public var transmitDropped: UInt64

    /// The counters of `interface`, or nil when it is not in /proc/net/dev (or the file cannot be read).
    public static func read(interface: String) -> LinkStatistics? {
        guard let text = try? ProcFile.readText(ProcFile.path("net/dev")) else { return nil }
        return parse(text, interface: interface)
    }

    /// The counters of `interface` in /proc/net/dev text.
    static func parse(_ text: String, interface: String) -> LinkStatistics? {
        for line in text.split(separator: "\n") {
            guard let colon = line.firstIndex(of: ":"),
                  String(line[..<colon].filter { $0 != " " && $0 != "\t" }) == interface else { continue }
            let fields = line[line.index(after: colon)...].split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 16, let receive = UInt64(fields[3]), let transmit = UInt64(fields[11]) else { return nil }
            return LinkStatistics(receiveDropped: receive, transmitDropped: transmit)
        }
        return nil
    }
}
