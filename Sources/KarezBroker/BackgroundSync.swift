import Foundation
import ZeroMQLoop
#if canImport(Glibc)
import Glibc
#endif

/// One fdatasync at a time on a thread of its own, so the broker's loop goes on reading,
/// dispatching and answering while the disk syncs a group commit (``Journal/syncInBackground()``).
/// Its ``signal`` wakes the loop when a sync has finished.
final class BackgroundSync: @unchecked Sendable {
    private let condition = NSCondition()
    private var job: Int32?
    private var result: Int32?
    private var running = true
    private var busy = false
    /// Raised when a sync finished; ``take()`` clears it.
    let signal = WakeSignal()

    init() {
        let thread = Thread { [self] in serve() }
        thread.name = "karez-fsync"
        thread.start()
    }

    /// Starts syncing `fd`. One sync at a time: call only when ``isBusy`` is false.
    func start(_ fd: Int32) {
        condition.lock()
        precondition(!busy, "a journal sync is already running")
        (job, busy) = (fd, true)
        condition.signal()
        condition.unlock()
    }

    /// The finished sync's errno (0: synced), or nil while it runs or when none was started.
    func take() -> Int32? {
        condition.lock()
        defer { condition.unlock() }
        guard let r = result else { return nil }
        (result, busy) = (nil, false)
        signal.clear()  // raised once per result; the next cannot come before the next start
        return r
    }

    /// Waits for the running sync and returns its errno (0: synced); nil when none runs.
    func wait() -> Int32? {
        condition.lock()
        defer { condition.unlock() }
        guard busy else { return nil }
        while result == nil { condition.wait() }
        let r = result
        (result, busy) = (nil, false)
        signal.clear()
        return r
    }

    /// Ends the thread (after the running sync, if any).
    func stop() {
        condition.lock()
        running = false
        condition.signal()
        condition.unlock()
    }

    private func serve() {
        condition.lock()
        while true {
            while job == nil && running { condition.wait() }
            guard let fd = job else { break }
            job = nil
            condition.unlock()
            let rc = fdatasync(fd) == 0 ? 0 : errno
            condition.lock()
            result = rc
            condition.broadcast()
            signal.raise()
        }
        condition.unlock()
    }
}
