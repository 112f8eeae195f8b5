import KarezProtocol

/// Items of one kind and priority waiting for a worker, oldest first: slot, sequence number (a
/// slot is reused once its item is finished, so the sequence number confirms it) and since when
/// the item waits (broker milliseconds; priority aging counts from it).
struct ReadyQueue {
    private var items: [(slot: Int, seq: UInt64, since: UInt64)] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var peek: (slot: Int, seq: UInt64, since: UInt64)? { isEmpty ? nil : items[head] }

    mutating func push(_ slot: Int, _ seq: UInt64, since: UInt64) { items.append((slot, seq, since)) }

    /// Puts an item back at the head (a redelivery: it is older than what waits).
    mutating func pushFront(_ slot: Int, _ seq: UInt64, since: UInt64) {
        if head > 0 {
            head -= 1
            items[head] = (slot, seq, since)
        } else {
            items.insert((slot, seq, since), at: 0)
        }
    }

    /// Keeps only the entries `keep` accepts, in order.
    mutating func compact(keep: (_ slot: Int, _ seq: UInt64) -> Bool) {
        items = items[head...].filter { keep($0.slot, $0.seq) }
        head = 0
    }

    @discardableResult
    mutating func pop() -> Int {
        let slot = items[head].slot
        head += 1
        if head > 4096 && head * 2 > items.count {
            items.removeFirst(head)
            head = 0
        }
        return slot
    }
}

/// Items of one kind waiting for a worker, one FIFO per priority (0–9).
///
/// Higher priorities go first; an item's priority rises by one for every `agingMillis` it has
/// waited (up to 9), and among equal effective priorities the older item (lower sequence number)
/// goes first. So a priority-0 item waits at most 9 × `agingMillis` behind any stream of
/// priority-9 items: nothing starves. With only priority 0 in use this is one FIFO.
struct KindQueue {
    private var levels = [ReadyQueue](repeating: ReadyQueue(), count: ItemOptions.maxPriority + 1)
    /// Bit p set: level p holds entries.
    private(set) var mask: UInt16 = 0
    /// Entries, stale ones (items that ended while waiting) included.
    private(set) var count = 0

    var isEmpty: Bool { mask == 0 }

    mutating func push(_ slot: Int, _ seq: UInt64, priority: UInt8, since: UInt64) {
        levels[Int(priority)].push(slot, seq, since: since)
        mask |= 1 << UInt16(priority)
        count += 1
    }

    mutating func pushFront(_ slot: Int, _ seq: UInt64, priority: UInt8, since: UInt64) {
        levels[Int(priority)].pushFront(slot, seq, since: since)
        mask |= 1 << UInt16(priority)
        count += 1
    }

    /// The head of one level.
    func peek(level: Int) -> (slot: Int, seq: UInt64, since: UInt64)? { levels[level].peek }

    /// Removes the head of one level.
    @discardableResult
    mutating func pop(level: Int) -> Int {
        let slot = levels[level].pop()
        if levels[level].isEmpty { mask &= ~(1 << UInt16(level)) }
        count -= 1
        return slot
    }

    /// Keeps only the entries `keep` accepts (drops those of items that ended while waiting).
    mutating func compact(keep: (_ slot: Int, _ seq: UInt64) -> Bool) {
        count = 0
        for level in levels.indices {
            levels[level].compact(keep: keep)
            count += levels[level].count
            if levels[level].isEmpty { mask &= ~(1 << UInt16(level)) }
        }
    }

    /// The levels that hold entries, highest first.
    var levelsInUse: [Int] {
        var out: [Int] = []
        var m = mask
        while m != 0 {
            let level = 15 - m.leadingZeroBitCount
            out.append(level)
            m &= ~(1 << UInt16(level))
        }
        return out
    }

    /// The effective priority of an entry of `level` waiting since `since`.
    @inline(__always) static func effective(level: Int, since: UInt64, now: UInt64, agingMillis: UInt64) -> Int {
        guard level < ItemOptions.maxPriority, now >= since + agingMillis, agingMillis > 0 else { return level }
        return min(ItemOptions.maxPriority, level + Int(min(UInt64(ItemOptions.maxPriority), (now - since) / agingMillis)))
    }
}
