// StageWorkers: the parallel stage of a batch (seal or open) on Dispatch queues. Each helper is one serial
// queue running one long-lived loop, submitted once at start, that waits for a batch on a semaphore; so a
// batch costs two semaphore operations per helper and no allocation.
//
//   caller (worker 0)           helper k (the loop on its serial queue)
//   job = (kind, batch, n)
//   start[k].signal()  ───────► start[k].wait()
//   run stripe 0                run stripe k (packets k, k + n, …)
//   done.wait() × (n − 1) ◄──── done.signal()
//
// The semaphores order the job fields and the batch's memory between the threads. Not one reusable
// DispatchWorkItem submitted per batch: libdispatch counts a block object's runs in 32 bits and aborts
// ("unbalanced dispatch_group_leave") after 2^32 of them, about a day of full-rate traffic. Not a fresh
// closure per batch either: that allocates on every batch.

import Dispatch

/// A fixed set of helper queues for one direction's parallel stage. `run` may be called from one thread
/// at a time (the path that owns that half of the SADatabase); the helper loops end when the owner is
/// deallocated.
final class StageWorkers: @unchecked Sendable {
    enum Kind {
        case seal
        case open
    }

    /// State shared with the helper loops (they keep it alive, not the owner).
    private final class Shared: @unchecked Sendable {
        let start: [DispatchSemaphore]
        let done = DispatchSemaphore(value: 0)
        var kind = Kind.seal
        var batch: PacketBatch?
        var workers = 1
        var stopping = false

        init(helpers: Int) { start = (0..<helpers).map { _ in DispatchSemaphore(value: 0) } }

        func runStripe(worker: Int) {
            guard let batch else { return }
            switch kind {
            case .seal: OutboundProcessor.sealStripe(batch, worker: worker, workers: workers)
            case .open: InboundProcessor.openStripe(batch, worker: worker, workers: workers)
            }
        }
    }

    private let shared: Shared
    /// Helper queues; with the caller, `helpers + 1` workers.
    let helpers: Int

    init(helpers: Int, name: String) {
        self.helpers = helpers
        let shared = Shared(helpers: helpers)
        self.shared = shared
        for helper in 0..<helpers {
            DispatchQueue(label: "\(name)-\(helper + 1)", qos: .userInteractive).async {
                while true {
                    shared.start[helper].wait()
                    if shared.stopping { return }
                    shared.runStripe(worker: helper + 1)
                    shared.done.signal()
                }
            }
        }
    }

    deinit {
        shared.stopping = true
        for semaphore in shared.start { semaphore.signal() }
    }

    /// Runs the stage over `batch` on `workers` workers (1 … helpers + 1): the caller is worker 0.
    func run(_ kind: Kind, on batch: PacketBatch, workers: Int) {
        let workers = max(1, min(workers, helpers + 1))
        shared.kind = kind
        shared.batch = batch
        shared.workers = workers
        for helper in 0..<(workers - 1) { shared.start[helper].signal() }
        shared.runStripe(worker: 0)
        for _ in 0..<(workers - 1) { shared.done.wait() }
        shared.batch = nil
    }
}
