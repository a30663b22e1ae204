// StageWorkers: the parallel stage of a batch (seal or open) on Dispatch queues: one serial queue per
// helper and one work item per helper, made once and submitted again for every batch, so a batch costs
// one dispatch_async and two semaphore operations per helper and no closure allocation.
//
//   caller (worker 0)              helper k (its serial queue)
//   job = (kind, batch, n)
//   queue[k].async(item[k])  ────► item[k]: run stripe k (packets k, k + n, …)
//   run stripe 0
//   done.wait() × (n − 1)    ◄──── done.signal()
//
// dispatch_async and the semaphore order the job fields and the batch's memory between the threads.

import Dispatch

/// A fixed set of helper queues for one direction's parallel stage. `run` may be called from one
/// thread at a time (the path that owns that half of the SADatabase).
final class StageWorkers: @unchecked Sendable {
    enum Kind {
        case seal
        case open
    }

    /// The job the work items read (written by `run` before it submits them).
    private final class Job: @unchecked Sendable {
        let done = DispatchSemaphore(value: 0)
        var kind = Kind.seal
        var batch: PacketBatch?
        var workers = 1

        func runStripe(worker: Int) {
            guard let batch else { return }
            switch kind {
            case .seal: OutboundProcessor.sealStripe(batch, worker: worker, workers: workers)
            case .open: InboundProcessor.openStripe(batch, worker: worker, workers: workers)
            }
        }
    }

    private let job = Job()
    private let queues: [DispatchQueue]
    private let items: [DispatchWorkItem]
    /// Helper queues; with the caller, `helpers + 1` workers.
    var helpers: Int { queues.count }

    init(helpers: Int, name: String) {
        let job = self.job
        queues = (0..<helpers).map { DispatchQueue(label: "\(name)-\($0 + 1)", qos: .userInteractive) }
        items = (0..<helpers).map { helper in
            DispatchWorkItem {
                job.runStripe(worker: helper + 1)
                job.done.signal()
            }
        }
    }

    /// Runs the stage over `batch` on `workers` workers (1 … helpers + 1): the caller is worker 0.
    func run(_ kind: Kind, on batch: PacketBatch, workers: Int) {
        let workers = max(1, min(workers, helpers + 1))
        job.kind = kind
        job.batch = batch
        job.workers = workers
        for helper in 0..<(workers - 1) { queues[helper].async(execute: items[helper]) }
        job.runStripe(worker: 0)
        for _ in 0..<(workers - 1) { job.done.wait() }
        job.batch = nil
    }
}
