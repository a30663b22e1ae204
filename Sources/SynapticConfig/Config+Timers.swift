// Config.Timers: [timers] — retransmission of I1, I2 and CLOSE, and the Unused Association Lifetime.

extension Config {
    /// `[timers]`. A value type; use it anywhere.
    public struct Timers: Hashable, Sendable {
        /// `retransmit_initial_ms`: the first retransmission timeout; each next one doubles.
        public let retransmitInitial: Duration
        /// `retransmit_max_ms`: the doubling stops here (at least `retransmit_initial_ms`).
        public let retransmitMaximum: Duration
        /// `retransmit_retries`: retransmissions before giving up (I1_RETRIES_MAX, I2_RETRIES_MAX).
        public let retransmitRetries: Int
        /// `ual_seconds`: an association without traffic this long is closed (RFC 7401 §4.4.3, UAL);
        /// nil (`0` in the file) keeps idle associations.
        public let unusedAssociationLifetime: Duration?

        init(_ reader: inout TableReader) throws(ConfigError) {
            let initial = try reader.value("retransmit_initial_ms")?.int(in: ConfigLimits.retransmitMilliseconds)
                ?? ConfigDefaults.retransmitInitialMilliseconds
            let maximumRange = max(initial, ConfigLimits.retransmitMilliseconds.lowerBound)...ConfigLimits.retransmitMilliseconds.upperBound
            let maximum = try reader.value("retransmit_max_ms")?.int(in: maximumRange)
                ?? max(initial, ConfigDefaults.retransmitMaximumMilliseconds)
            retransmitInitial = .milliseconds(initial)
            retransmitMaximum = .milliseconds(maximum)
            retransmitRetries = try reader.value("retransmit_retries")?.int(in: ConfigLimits.retransmitRetries)
                ?? ConfigDefaults.retransmitRetries
            let ual = try reader.value("ual_seconds")?.int(in: ConfigLimits.unusedAssociationSeconds)
                ?? ConfigDefaults.unusedAssociationSeconds
            unusedAssociationLifetime = ual == 0 ? nil : .seconds(ual)
        }
    }
}
