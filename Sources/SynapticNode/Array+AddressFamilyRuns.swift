// Array+AddressFamilyRuns: how a batch whose slots leave on different sockets is sent: one sendmmsg run per
// stretch of consecutive slots of one address family (a nil slot is not sent), in slot order.
//
//   families: [v4, v4, nil, v6, v6, v4]  →  runs: v4 0..<2, v6 3..<5, v4 5..<6
// Used by the inside path (sealed ESP) and the outside path (relayed ESP). No allocation.
import SynapticPlatform

extension Array where Element == AddressFamily? {
    /// Calls `body` with each run of consecutive slots in `0..<count` of one family, in order (slots
    /// without a family are skipped).
    func forEachRun(upTo count: Int, _ body: (AddressFamily, Range<Int>) -> Void) {
        var start = 0
        while start < count {
            guard let family = self[start] else {
                start += 1
                continue
            }
            var end = start + 1
            while end < count && self[end] == family { end += 1 }
            body(family, start..<end)
            start = end
        }
    }
}
