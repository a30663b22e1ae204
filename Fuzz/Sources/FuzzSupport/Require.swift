// require: the checks of the harnesses. Unlike `precondition`, whose message an optimized build drops,
// it keeps the message, so libFuzzer's crash report says what broke.

/// Traps with `message` when `condition` is false.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}
