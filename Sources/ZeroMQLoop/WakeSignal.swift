#if canImport(Glibc)
import Glibc
#endif

/// A wake-up flag any thread can raise and `zmq_poll` can wait on (a non-blocking pipe).
final class WakeSignal: Sendable {
    /// The read end, to poll for readability.
    let fileDescriptor: Int32
    private let writeEnd: Int32

    init() {
        var fds: [Int32] = [-1, -1]
        let rc = pipe(&fds)
        precondition(rc == 0, "pipe failed: errno \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        fileDescriptor = fds[0]
        writeEnd = fds[1]
    }

    deinit {
        Glibc.close(fileDescriptor)
        Glibc.close(writeEnd)
    }

    /// Wakes the poller; cheap and safe from any thread. A full pipe already means "awake".
    func raise() {
        var one: UInt8 = 1
        _ = Glibc.write(writeEnd, &one, 1)
    }

    /// Clears the flag; called by the polling thread after it woke.
    func clear() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while Glibc.read(fileDescriptor, &buffer, buffer.count) > 0 {}
    }
}
