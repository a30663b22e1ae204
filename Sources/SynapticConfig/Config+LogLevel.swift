// Config.LogLevel: [log] level — the names of swift-log's Logger.Level.

extension Config {
    /// Log levels, named as swift-log's `Logger.Level` raw values (the node maps by raw value).
    public enum LogLevel: String, CaseIterable, Hashable, Sendable {
        case trace, debug, info, notice, warning, error, critical
    }
}
