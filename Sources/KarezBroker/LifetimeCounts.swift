import Foundation

/// Items accepted, finished done and dead-lettered, per kind, over a journal's whole life.
///
/// The journal keeps them exact across restarts: recovery counts the records of the segments it
/// holds, and the tallies of segments it deleted are kept in `journal/retired-counts.json`. The
/// broker's `items_*_total` counters start from them, so `/metrics` and `/api/summary` show the
/// true totals after any number of kill -9s (see ``BrokerMetricsCheckpoint``).
public struct LifetimeCounts: Sendable, Equatable, Codable {
    public var accepted: [String: Int] = [:]
    public var done: [String: Int] = [:]
    public var dead: [String: Int] = [:]
    public var expired: [String: Int] = [:]
    public var cancelled: [String: Int] = [:]

    public init() {}

    /// Reads counts saved before `expired` and `cancelled` were kept as zero for those.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        accepted = try c.decode([String: Int].self, forKey: .accepted)
        done = try c.decode([String: Int].self, forKey: .done)
        dead = try c.decode([String: Int].self, forKey: .dead)
        expired = try c.decodeIfPresent([String: Int].self, forKey: .expired) ?? [:]
        cancelled = try c.decodeIfPresent([String: Int].self, forKey: .cancelled) ?? [:]
    }

    /// Adds `other` kind by kind.
    public mutating func add(_ other: LifetimeCounts) {
        accepted.merge(other.accepted, uniquingKeysWith: +)
        done.merge(other.done, uniquingKeysWith: +)
        dead.merge(other.dead, uniquingKeysWith: +)
        expired.merge(other.expired, uniquingKeysWith: +)
        cancelled.merge(other.cancelled, uniquingKeysWith: +)
    }

    /// Counts one item of `kind` that ended in `state`.
    mutating func count(_ state: ItemState, _ kind: String) {
        switch state {
        case .queued: accepted[kind, default: 0] += 1
        case .done: done[kind, default: 0] += 1
        case .dead: dead[kind, default: 0] += 1
        case .expired: expired[kind, default: 0] += 1
        case .cancelled: cancelled[kind, default: 0] += 1
        }
    }

    /// Reads a file written by ``save(to:sync:)``; nil when there is none. `withoutIt` says what
    /// starting without the file means, for the error when it is damaged.
    static func load<T: Decodable>(_ type: T.Type, from url: URL,
                                   withoutIt: String = "counters then start from the journal's records") throws -> T? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        do { return try JSONDecoder().decode(T.self, from: data) } catch {
            throw BrokerError(.journal, "\(url.path) is damaged (\(error)); remove it to start without it (\(withoutIt))")
        }
    }

    /// Writes `value` to `url` atomically (a new file renamed over the old), synced with `sync`.
    static func save<T: Encodable>(_ value: T, to url: URL, sync: Bool) throws {
        let data = try JSONEncoder().encode(value)
        let temporary = url.path + ".new"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw BrokerError(.io, "cannot write \(temporary): \(String(cString: strerror(errno)))") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if sync { fsync(fd) }
        close(fd)
        guard written == data.count, rename(temporary, url.path) == 0 else {
            throw BrokerError(.io, "cannot write \(url.path): \(String(cString: strerror(errno)))")
        }
    }
}

/// The tallies of journal segments that were deleted (every item in them finished), and the
/// newest segment they cover: a segment at or below it that recovery still finds was deleted
/// by a broker that stopped between saving this file and unlinking the segment.
struct RetiredCounts: Codable {
    var through: Int
    var counts: LifetimeCounts
}
