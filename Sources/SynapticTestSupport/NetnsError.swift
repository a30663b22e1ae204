// NetnsError: failures of the network-namespace test helpers.

/// A namespace, veth or process step of a test setup failed; `message` says which and why (including the
/// command's stderr). Tests let it propagate: the test fails with that text.
public struct NetnsError: Error, CustomStringConvertible, Sendable {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
