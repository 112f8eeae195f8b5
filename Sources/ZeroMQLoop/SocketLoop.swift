import Foundation
import ServiceLifecycle
import Synchronization
import ZeroMQ

/// One dedicated thread that owns a ``SocketHandler`` and its sockets, bridged to async code.
///
/// Both directions are bounded: ``send(_:)`` suspends while the inbox is full, and when the
/// outbox of events is full the thread stops reading its sockets, so libzmq's high-water
/// marks push back on the peers. Nothing is dropped and memory stays bounded.
public final class SocketLoop<Handler: SocketHandler>: Sendable {
    public typealias Command = Handler.Command
    public typealias Event = Handler.Event

    private struct Inbox {
        var queue: [Command] = []
        var waiting: [(Command, CheckedContinuation<Bool, Never>)] = []
        var stopping = false
    }

    private struct Outbox {
        var queue: [Event] = []
        var head = 0
        var consumer: CheckedContinuation<Event?, any Error>?
        var finished = false
        var failure: (any Error)?
        var count: Int { queue.count - head }
    }

    private let inbox = Mutex(Inbox())
    private let outbox = Mutex(Outbox())
    private let done = Mutex<(finished: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))
    private let wake = WakeSignal()
    private let inboxCapacity: Int
    private let outboxCapacity: Int

    /// Starts the thread and builds the handler on it.
    ///
    /// - Parameters:
    ///   - name: the thread's name, shown by debuggers, `top -H` and perf (Linux keeps 15 bytes).
    ///   - inboxCapacity: commands queued before ``send(_:)`` suspends.
    ///   - outboxCapacity: events queued before the thread stops reading its sockets.
    ///   - make: builds the handler and its sockets; runs on the new thread. If it throws,
    ///     the event sequence ends with that error.
    public init(
        name: String, inboxCapacity: Int = 1024, outboxCapacity: Int = 1024,
        make: @escaping @Sendable () throws -> Handler
    ) {
        self.inboxCapacity = max(1, inboxCapacity)
        self.outboxCapacity = max(1, outboxCapacity)
        let thread = Thread { [self] in
            Thread.current.name = name  // set inside the thread, so `top -H` and perf show it
            run(make)
        }
        thread.start()
    }

    // MARK: Async side

    /// Queues a command for the handler, waiting while the inbox is full.
    /// - Returns: false when the loop has stopped and the command was not queued.
    @discardableResult
    public func send(_ command: Command) async -> Bool {
        let queued: Bool = await withCheckedContinuation { continuation in
            let resumeNow: Bool? = inbox.withLock { box in
                if box.stopping { return false }
                if box.queue.count < inboxCapacity { box.queue.append(command); return true }
                box.waiting.append((command, continuation))
                return nil
            }
            if let resumeNow { continuation.resume(returning: resumeNow) }
        }
        if queued { wake.raise() }
        return queued
    }

    /// The next event from the handler, waiting for one; `nil` once the loop has stopped and
    /// every event was taken. Throws the error that stopped the loop, if any. One consumer only.
    public func nextEvent() async throws -> Event? {
        try await withCheckedThrowingContinuation { continuation in
            let (result, wasFull) = outbox.withLock { box -> (Result<Event?, any Error>?, Bool) in
                if box.count > 0 {
                    let wasFull = box.count >= outboxCapacity
                    let event = box.queue[box.head]
                    box.head += 1
                    if box.head > 512 && box.head * 2 > box.queue.count {
                        box.queue.removeFirst(box.head)
                        box.head = 0
                    }
                    return (.success(event), wasFull)
                }
                if box.finished { return (box.failure.map { .failure($0) } ?? .success(nil), false) }
                box.consumer = continuation
                return (nil, false)
            }
            if wasFull { wake.raise() }
            if let result { continuation.resume(with: result) }
        }
    }

    /// The handler's events as an async sequence (one consumer only).
    public var events: Events { Events(loop: self) }

    /// Asks the loop to stop: the handler's ``SocketHandler/shutdown(emit:)`` runs on its thread,
    /// then the event sequence ends. Waits until the thread has finished.
    public func stop() async {
        let waiting = inbox.withLock { box in
            box.stopping = true
            defer { box.waiting.removeAll() }
            return box.waiting
        }
        for (_, continuation) in waiting { continuation.resume(returning: false) }
        wake.raise()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let finished = done.withLock { state in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if finished { continuation.resume() }
        }
    }

    /// Hands every event to `body` until the loop ends, as the `run()` of a `Service`:
    /// graceful shutdown or cancellation of the calling task stops the loop (the handler's
    /// ``SocketHandler/shutdown(emit:)`` runs, then the events end). Throws what stopped the loop.
    public func serve(_ body: (Event) async throws -> Void) async throws {
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                for try await event in events { try await body(event) }
            } onGracefulShutdown: {
                Task { await self.stop() }
            }
        } onCancel: {
            Task { await self.stop() }
        }
    }

    /// Events emitted and not yet taken: never more than the outbox capacity plus what one
    /// read of one message emits.
    public var bufferedEvents: Int { outbox.withLock { $0.count } }

    /// An async sequence over ``nextEvent()``.
    public struct Events: AsyncSequence, Sendable {
        let loop: SocketLoop
        public struct AsyncIterator: AsyncIteratorProtocol {
            let loop: SocketLoop
            public mutating func next() async throws -> Event? { try await loop.nextEvent() }
        }
        public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(loop: loop) }
    }

    // MARK: Loop thread

    private func emit(_ event: Event) {
        let consumer = outbox.withLock { box -> CheckedContinuation<Event?, any Error>? in
            if let consumer = box.consumer {
                box.consumer = nil
                return consumer
            }
            box.queue.append(event)
            return nil
        }
        consumer?.resume(returning: event)
    }

    private var outboxHasRoom: Bool { outbox.withLock { $0.count < outboxCapacity } }

    private func takeCommands() -> (commands: [Command], stopping: Bool, admitted: [CheckedContinuation<Bool, Never>]) {
        inbox.withLock { box in
            let commands = box.queue
            box.queue.removeAll(keepingCapacity: true)
            var admitted: [CheckedContinuation<Bool, Never>] = []
            while !box.waiting.isEmpty && box.queue.count < inboxCapacity {
                let (command, continuation) = box.waiting.removeFirst()
                box.queue.append(command)
                admitted.append(continuation)
            }
            return (commands, box.stopping, admitted)
        }
    }

    private func run(_ make: @Sendable () throws -> Handler) {
        var failure: (any Error)?
        do {
            let handler = try make()
            do { try turn(handler) } catch { failure = error }
            do { try handler.shutdown(emit: emit) } catch { failure = failure ?? error }
        } catch {
            failure = error
        }
        finish(failure)
    }

    private func turn(_ handler: Handler) throws {
        var poller = Poller()
        let wakeIndex = poller.add(fileDescriptor: wake.fileDescriptor)
        let inputs = handler.inputs
        let inputIndices = inputs.map { poller.add($0) }
        // Most reads from one socket before the loop looks at commands and timers again.
        let readBatch = max(1, handler.readsPerTurn)
        while true {
            let (commands, stopping, admitted) = takeCommands()
            for continuation in admitted { continuation.resume(returning: true) }
            for command in commands { try handler.handle(command, emit: emit) }
            if stopping { return }
            var room = outboxHasRoom
            if room {
                for index in inputs.indices {
                    var n = 0
                    while n < readBatch, try handler.readOne(from: index, emit: emit) {
                        n += 1
                        if !outboxHasRoom { break }
                    }
                    room = outboxHasRoom
                    if !room { break }
                }
            }
            let deadline = try handler.tick(now: .now, emit: emit)
            for index in inputIndices { poller.watch(index, events: room ? .readable : []) }
            if commandsPending { continue }
            try poller.poll(timeout: deadline)
            if poller.ready(wakeIndex).contains(.readable) { wake.clear() }
        }
    }

    private var commandsPending: Bool { inbox.withLock { !$0.queue.isEmpty || $0.stopping } }

    private func finish(_ failure: (any Error)?) {
        // A waiting consumer means the outbox is empty: tell it the sequence has ended.
        let consumer = outbox.withLock { box in
            box.finished = true
            box.failure = failure
            defer { box.consumer = nil }
            return box.consumer
        }
        if let consumer {
            if let failure { consumer.resume(throwing: failure) } else { consumer.resume(returning: nil) }
        }
        let rejected = inbox.withLock { box in
            box.stopping = true
            defer { box.waiting.removeAll() }
            return box.waiting.map(\.1)
        }
        for continuation in rejected { continuation.resume(returning: false) }
        let waiters = done.withLock { state in
            state.finished = true
            defer { state.waiters.removeAll() }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
