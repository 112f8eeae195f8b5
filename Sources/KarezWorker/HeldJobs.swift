/// The jobs a worker holds in its current broker session, and the credit it has out.
///
/// Pure bookkeeping for the socket thread: every `JOB` adds deliveries, every `DONE` or `FAIL`
/// sent ends them and gives their credit back, and a `WELCOME` from a restarted broker (a new
/// incarnation) voids them, since that broker redelivers them under new tags. The credit the
/// worker asks for is always what it is configured to hold less what it holds, so a re-`HELLO`
/// that keeps its jobs (PROTOCOL.md 4.2) never lets it take on more than `--credit` jobs.
struct HeldJobs {
    /// Jobs the worker may hold at once (`--credit`).
    let limit: Int
    /// Deliveries received in this session and not yet answered.
    private(set) var deliveries: Set<UInt64> = []
    private var brokerIncarnation: String?
    /// Credit freed by answered jobs and not yet asked for again.
    private(set) var unreturned = 0

    init(limit: Int) { self.limit = max(1, limit) }

    /// The least freed credit worth a `CREDIT` of its own: a quarter of the limit (1 below 8).
    /// Holding less back never leaves the broker short: it still has three quarters of the
    /// limit out as credit or jobs, and at light load a `DONE` is not followed by a `CREDIT 1`
    /// (a message and a wake-up each way fewer per job).
    var returnThreshold: Int { max(1, limit / 4) }

    /// A `WELCOME` arrived: returns the credit to ask for (0: send no `CREDIT`). The jobs of an
    /// earlier incarnation are void; the same incarnation keeps them, as the broker does.
    mutating func welcomed(by incarnation: String) -> Int {
        if brokerIncarnation != incarnation { deliveries.removeAll() }
        brokerIncarnation = incarnation
        unreturned = 0  // the broker starts the session at no credit: all the room is asked for
        return max(0, limit - deliveries.count)
    }

    /// `DONE`, `FAIL` or a cancellation ends these deliveries: returns the credit to ask for now
    /// (0: none yet; what they freed waits until it reaches ``returnThreshold``).
    mutating func creditToReturn(answering tags: some Sequence<UInt64>) -> Int {
        unreturned += answered(tags)
        guard unreturned >= returnThreshold else { return 0 }
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
