// HIPHostFuzzer: libFuzzer entry point for the protocol core: `HIPHost.handle` of one fixed host (A in
// Fixture) fed records of HIP packets over raw IP and UDP from sources the input chooses, and events
// (timers, outbound data, close, rekey, ESP seen, address changes, …) on a manual clock (FuzzedHost
// describes the records and the checks).
//
// State: recreated per input. Every input starts from a copy of the same prototype host (a value type, so
// the copy is cheap and shares nothing mutable but the SPI allocator, which restarts), with libcrypto's
// RAND stream restarted, so one input always takes the same path, in any order and in any run.
// `HIPHostFuzzer --write-seeds DIR` writes the seed corpus: exchanges between A and in-memory peers B and C
// (HostSeeds).
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var host = FuzzedHost.fresh()
    for record in Record.decode(UnsafeRawBufferPointer(start: data, count: size)) { host.apply(record) }
    return 0
}

@_cdecl("synaptic_fuzz_write_seeds")
public func writeSeeds(_ directory: UnsafePointer<CChar>) -> CInt {
    do {
        try HostSeeds.write(to: SeedDirectory(String(cString: directory)))
        return 0
    } catch {
        print("HIPHostFuzzer: writing seeds: \(error)")
        return 1
    }
}
