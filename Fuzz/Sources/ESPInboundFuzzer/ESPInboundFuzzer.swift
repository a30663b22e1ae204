// ESPInboundFuzzer: libFuzzer entry point for the inbound ESP path of the data plane — demux, SA by SPI,
// anti-replay window (ESN inference included), open (ICV, decrypt, trailer), BEET rebuild and HIT→LSI
// translation — driven as the node's outside path drives it (InboundRun, which also lists the checks).
// Each input starts from fresh SAs, so it always takes the same path.
// `ESPInboundFuzzer --write-seeds DIR` writes the seed corpus (ESPSeeds).
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    InboundRun().run(Record.decode(UnsafeRawBufferPointer(start: data, count: size)))
    return 0
}

@_cdecl("synaptic_fuzz_write_seeds")
public func writeSeeds(_ directory: UnsafePointer<CChar>) -> CInt {
    do {
        try ESPSeeds.write(to: SeedDirectory(String(cString: directory)))
        return 0
    } catch {
        print("ESPInboundFuzzer: writing seeds: \(error)")
        return 1
    }
}
