// ParameterType: HIP parameter type numbers (IANA "HIP Parameter Types"; RFC 7401 §5.2, RFC 7402,
// RFC 8003, RFC 8004, RFC 8046, RFC 5770/9028). The least significant bit is the critical bit.

/// Namespace of parameter type numbers. Pure constants.
public enum ParameterType {
    public static let espInfo: UInt16 = 65
    public static let r1Counter: UInt16 = 129
    public static let locatorSet: UInt16 = 193
    public static let puzzle: UInt16 = 257
    public static let solution: UInt16 = 321
    public static let seq: UInt16 = 385
    public static let ack: UInt16 = 449
    public static let dhGroupList: UInt16 = 511
    public static let diffieHellman: UInt16 = 513
    public static let hipCipher: UInt16 = 579
    public static let natTraversalMode: UInt16 = 608
    public static let transactionPacing: UInt16 = 610
    public static let encrypted: UInt16 = 641
    public static let hostID: UInt16 = 705
    public static let hitSuiteList: UInt16 = 715
    public static let cert: UInt16 = 768
    public static let notification: UInt16 = 832
    public static let echoRequestSigned: UInt16 = 897
    public static let regInfo: UInt16 = 930
    public static let regRequest: UInt16 = 932
    public static let regResponse: UInt16 = 934
    public static let regFailed: UInt16 = 936
    public static let regFrom: UInt16 = 950
    public static let echoResponseSigned: UInt16 = 961
    public static let transportFormatList: UInt16 = 2049
    public static let espTransform: UInt16 = 4095
    public static let relayedAddress: UInt16 = 4650
    public static let mappedAddress: UInt16 = 4660
    public static let peerPermission: UInt16 = 4680
    public static let candidatePriority: UInt16 = 4700
    public static let nominate: UInt16 = 4710
    public static let hipMAC: UInt16 = 61505
    public static let hipMAC2: UInt16 = 61569
    public static let hipSignature2: UInt16 = 61633
    public static let hipSignature: UInt16 = 61697
    public static let echoResponseUnsigned: UInt16 = 63425
    public static let echoRequestUnsigned: UInt16 = 63661
    public static let relayFrom: UInt16 = 63998
    public static let relayTo: UInt16 = 64002
    public static let from: UInt16 = 65498
    public static let rvsHMAC: UInt16 = 65500
    public static let viaRVS: UInt16 = 65502
    public static let relayHMAC: UInt16 = 65520

    /// True when the type's critical bit (the least significant bit) is set.
    public static func isCritical(_ type: UInt16) -> Bool { type & 1 == 1 }
}
