/// Checks `condition` every `interval` until it holds or `timeout` has passed, and returns
/// whether it held. For waits on other threads and processes: the timeout only catches what never
/// happens, so make it generous (the cooperative pool can be busy for seconds on a loaded machine).
public func eventually(
    timeout: Duration, every interval: Duration = .milliseconds(10), _ condition: () async throws -> Bool
) async throws -> Bool {
    let deadline = ContinuousClock.now + timeout
    while true {
        if try await condition() { return true }
        guard ContinuousClock.now < deadline else { return false }
        try await Task.sleep(for: interval)
    }
}
