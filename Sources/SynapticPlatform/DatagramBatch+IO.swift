// DatagramBatch+IO: recvmmsg and sendmmsg over a batch (used by UDPSocket and RawHIPSocket).
//
// Receive: reset every datagram → one recvmmsg for up to `capacity` datagrams → `count`.
// Send: sendmmsg from `next`; it returns how many went out; on a failure of the first remaining datagram,
// EAGAIN stops (wait for writability), a per-datagram error (unreachable, too big, ...) skips that one.

import CSynapticShims
import Glibc

extension DatagramBatch {
    /// Receives up to `capacity` datagrams from the non-blocking socket `fd` with one recvmmsg; returns
    /// how many (0 when none was waiting) and sets `count`.
    func receive(from fd: Int32, call: String) throws(SystemError) -> Int {
        prepareForReceive()
        let headers = self.headers
        let capacity = UInt32(self.capacity)
        let received = try SystemCall.unlessWouldBlock(call) {
            synaptic_recvmmsg(fd, headers, capacity, Int32(MSG_DONTWAIT), nil)
        }
        count = Int(received ?? 0)
        return count
    }

    /// Sends datagrams `start..<count` to the socket `fd`. See `BatchProgress`.
    func send(to fd: Int32, from start: Int, call: String) throws(SystemError) -> BatchProgress {
        var progress = BatchProgress(next: start)
        while progress.next < count {
            let first = headers + progress.next
            let remaining = UInt32(count - progress.next)
            do {
                guard let sent = try SystemCall.unlessWouldBlock(call, {
                    synaptic_sendmmsg(fd, first, remaining, Int32(MSG_DONTWAIT))
                }), sent > 0 else { return progress }
                progress.next += Int(sent)
                progress.sent += Int(sent)
            } catch {
                let pieces = pieceCount(at: progress.next)
                try progress.skip(failedWith: error)
                progress.rejectedPieces += pieces
            }
        }
        return progress
    }
}
