// HIPWireFuzzer: libFuzzer entry point for everything in HIPWire that reads untrusted bytes.
//
// Stages per input:
//  1. HIPPacket.parse, strict and lenient; on success serialize → strict parse must give the same packet
//     (parameters stably sorted, since lenient keeps wire order and serialize sorts);
//  2. coveredRegion for each rule, before HIP_MAC / HIP_SIGNATURE_2 / HIP_SIGNATURE (the HOST_ID TLV for
//     .mac2 is taken from the input's tail when it is 8-aligned);
//  3. UDPPayload.classify, and the HIP parser at the offset it names;
//  4. HIPHeader and ESPHeader parse.
// A broken round trip traps on purpose (libFuzzer reports it as a crash with the input saved).

import HIPWire

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    for options in [ParseOptions.strict, .lenient] {
        if var packet = try? HIPPacket.parse(bytes, options: options) {
            let reparsed: HIPPacket
            do {
                reparsed = try HIPPacket.parse(packet.serialize())
            } catch {
                fatalError("round trip: our own output does not parse: \(error)")
            }
            packet.parameters = packet.parameters.enumerated()
                .sorted { ($0.element.type, $0.offset) < ($1.element.type, $1.offset) }.map(\.element)
            precondition(reparsed == packet, "round trip changed the packet")
        }
    }

    let tail = size >= 16 ? Array(bytes[(size - 16)...]) : []
    for before in [ParameterType.hipMAC, ParameterType.hipSignature2, ParameterType.hipSignature] {
        for rule in [CoverageRule.mac, .signature, .signature2, .mac2(responderHostIDTLV: tail)] {
            if let region = try? coveredRegion(of: bytes, before: before, rule: rule) {
                precondition(region.count % 8 == 0 && Int(region[1]) == region.count / 8 - 1, "covered region length")
            }
        }
    }

    if case .hip(let offset) = UDPPayload.classify(bytes) {
        _ = try? HIPPacket.parse(UnsafeRawBufferPointer(rebasing: bytes[offset...]))
    }
    if let header = try? HIPHeader.parse(bytes) { precondition(header.length == size, "header length") }
    _ = try? ESPHeader(bytes)
    return 0
}
