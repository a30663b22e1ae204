// BigEndian: the bytes of an integer in network order, for the seed writers' record bodies (the inverse of
// FieldReader.integer).

extension Array where Element == UInt8 {
    /// The `T.bitWidth / 8` bytes of `value`, most significant first.
    public init<T: FixedWidthInteger>(bigEndian value: T) {
        self = (0..<T.bitWidth / 8).reversed().map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
