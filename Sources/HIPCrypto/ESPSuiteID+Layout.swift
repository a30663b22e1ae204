// ESP packet layout per suite (RFC 4303 §2, RFC 4106 §3, RFC 3602 §3, RFC 4868 §2.3):
//
//   0                   1                   2                   3
//   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               Security Parameters Index (SPI)                 |  headerLength =
//  |               Sequence Number (low 32 bits)                   |  8 + ivLength
//  |               IV (0: suite 7, 8: suite 13, 16: suites 8/9)    |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               Payload (the upper-layer segment)  …            |  encrypted (not suite 7)
//  |       …       |  Padding 1, 2, 3 … (0–15)     | Pad Length | Next Header |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//  |               ICV (16)                                        |
//  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Payload ‖ Padding ‖ Pad Length ‖ Next Header is a multiple of the AES block (16) for CBC, else of 4.

extension ESPSuiteID {
    /// Bytes before the payload: SPI, Sequence Number and the explicit IV.
    public var headerLength: Int { 8 + ivLength }

    /// The multiple that Payload ‖ Padding ‖ Pad Length ‖ Next Header is padded to.
    public var paddingBlock: Int {
        switch self {
        case .aes128CBCSHA256, .aes256CBCSHA256: 16
        case .nullSHA256, .aesGCM16: 4
        }
    }

    /// The most bytes an ESP packet adds after the payload (padding, Pad Length, Next Header, ICV).
    public var maximumTrailerLength: Int { paddingBlock - 1 + 2 + icvLength }

    /// Padding bytes for a payload of `payloadLength` bytes.
    public func paddingLength(payloadLength: Int) -> Int {
        (paddingBlock - (payloadLength + 2) % paddingBlock) % paddingBlock
    }

    /// The length of the ESP packet that carries `payloadLength` payload bytes.
    public func packetLength(payloadLength: Int) -> Int {
        headerLength + payloadLength + paddingLength(payloadLength: payloadLength) + 2 + icvLength
    }
}
