/// The jobs a worker holds in its current broker session, and the credit it has out.
///
/// Pure bookkeeping for the socket thread: every `JOB` adds deliveries, every `DONE` or `FAIL`
/// sent ends them and frees their credit (asked for again a quarter of the limit at a time, see
/// ``creditToReturn(answering:)``), and a `WELCOME` from a restarted broker (a new incarnation)
/// voids them, since that broker redelivers them under new tags. At a `WELCOME` the worker asks
/// for what it may hold (`--credit`, or the broker's `max_credit` if lower) less what it holds,
/// so a re-`HELLO` that keeps its jobs (PROTOCOL.md 4.2) never lets it take on more.
struct HeldJobs {
    /// Jobs the worker may hold at once (`--credit`).
    let limit: Int
    /// ``limit``, or the broker's `max_credit` when that is lower (known from `WELCOME`).
    private(set) var sessionLimit: Int
    /// Deliveries received in this session and not yet answered.
    private(set) var deliveries: Set<UInt64> = []
    private var brokerIncarnation: String?
    /// Credit freed by answered jobs and not yet asked for again.
    private(set) var unreturned = 0

    init(limit: Int) {
        self.limit = max(1, limit)
        sessionLimit = self.limit
    }

    /// The least freed credit worth a `CREDIT` of its own while jobs are still held: a quarter of
    /// the session's limit (1 below 8). At light load a `DONE` is then not followed by a
    /// `CREDIT 1`, a message and a wake-up each way fewer per job. What is held back is under a
    /// quarter, and all of it goes once no job is held, so the worker never sits idle for want
    /// of credit it did not ask for (the broker may also have zeroed its credit: a lapsed lease).
    var returnThreshold: Int { max(1, sessionLimit / 4) }

    /// A `WELCOME` arrived: returns the credit to ask for (0: send no `CREDIT`). The jobs of an
    /// earlier incarnation are void; the same incarnation keeps them, as the broker does.
    /// - Parameter maxCredit: the broker's `max_credit`, if it said.
    mutating func welcomed(by incarnation: String, maxCredit: Int? = nil) -> Int {
        if brokerIncarnation != incarnation { deliveries.removeAll() }
        brokerIncarnation = incarnation
        sessionLimit = min(limit, max(1, maxCredit ?? limit))
        unreturned = 0  // the broker starts the session at no credit: all the room is asked for
        return max(0, sessionLimit - deliveries.count)
    }

    /// `DONE`, `FAIL` or a cancellation ends these deliveries: returns the credit to ask for now
    /// (0: none yet; what they freed waits until it reaches ``returnThreshold``, or until no
    /// job is held).
    mutating func creditToReturn(answering tags: some Sequence<UInt64>) -> Int {
        unreturned += answered(tags)
        guard unreturned >= returnThreshold || (unreturned > 0 && deliveries.isEmpty) else { return 0 }
        defer { unreturned = 0 }
        return unreturned
    }

    /// Jobs arrived.
    mutating func received(_ tags: some Sequence<UInt64>) { deliveries.formUnion(tags) }

    /// `DONE` or `FAIL` is sent for these deliveries: returns the credit they free (tags of an
    /// earlier session free nothing).
    mutating func answered(_ tags: some Sequence<UInt64>) -> Int {
        tags.reduce(0) { $0 + (deliveries.remove($1) == nil ? 0 : 1) }
    }
}

/// Backoff between attempts to write a batch to a store that fails: 100 ms doubling to 5 s.
struct StoreRetry {
    private(set) var failures = 0

    /// Counts a failure and returns how long to wait before the next attempt.
    mutating func next() -> Duration? {
        failures += 1
        return .milliseconds(min(5_000, 100 << min(6, failures - 1)))
    }
}
