// LSIAllocator: collision-free LSIs for the peers (and the local host) of one synaptic process.
//
// Each HIT gets its preferred LSI (`LSI.forHIT`) when free; on a collision it gets the next free valid LSI
// counting up from there (wrapping within 1.0.0.1 … 1.255.255.254, skipping .0 and .255). Assignments
// are stable until released, so an LSI keeps meaning the same peer while it is in use.
import HIPWire

/// A HIT ↔ LSI table. A value type: not shared between threads (keep it inside one owner, e.g. the node).
public struct LSIAllocator: Sendable {
    private var lsiByHIT: [HIT: UInt32] = [:]
    private var hitByLSI: [UInt32: HIT] = [:]
    private var reservedLSIs: Set<UInt32>

    /// An empty table; `reserved` LSIs (e.g. statically configured ones) are never handed out.
    public init(reserved: Set<UInt32> = []) {
        reservedLSIs = reserved
    }

    /// The LSI of `hit`, assigning one if needed; nil only if all ~16.6 million LSIs are taken.
    public mutating func assign(_ hit: HIT) -> UInt32? {
        if let existing = lsiByHIT[hit] { return existing }
        let preferred = LSI.forHIT(hit)
        var candidate = preferred
        repeat {
            if hitByLSI[candidate] == nil, !reservedLSIs.contains(candidate) {
                lsiByHIT[hit] = candidate
                hitByLSI[candidate] = hit
                return candidate
            }
            candidate = Self.next(after: candidate)
        } while candidate != preferred
        return nil
    }

    /// Never hands out `lsi` from now on (e.g. fixed by a reloaded configuration). An assignment it already
    /// has stays: release it first.
    public mutating func reserve(_ lsi: UInt32) {
        reservedLSIs.insert(lsi)
    }

    /// Frees the LSI of `hit` (no effect if it has none).
    public mutating func release(_ hit: HIT) {
        guard let lsi = lsiByHIT.removeValue(forKey: hit) else { return }
        hitByLSI.removeValue(forKey: lsi)
    }

    /// The LSI assigned to `hit`, if any.
    public func lsi(for hit: HIT) -> UInt32? { lsiByHIT[hit] }

    /// The HIT that `lsi` stands for, if assigned.
    public func hit(for lsi: UInt32) -> HIT? { hitByLSI[lsi] }

    /// The next valid LSI after `lsi`, wrapping from 1.255.255.254 to 1.0.0.1.
    static func next(after lsi: UInt32) -> UInt32 {
        var low = (lsi & 0x00FF_FFFF) &+ 1
        if low & 0xFF == 0xFF { low &+= 2 }       // x.y.255 → x.(y+1).1
        low &= 0x00FF_FFFF
        if low & 0xFF == 0 { low |= 1 }           // wrapped to 0.0.0 → 0.0.1
        return ProtocolConstants.lsiPrefix | low
    }
}
