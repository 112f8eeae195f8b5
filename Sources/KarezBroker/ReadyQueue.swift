/// Items of one kind waiting for a worker, oldest first: slot and sequence number (a slot is
/// reused once its item is finished, so the sequence number confirms it).
struct ReadyQueue {
    private var items: [(slot: Int, seq: UInt64)] = []
    private var head = 0

    var isEmpty: Bool { head == items.count }
    var count: Int { items.count - head }
    var peek: (slot: Int, seq: UInt64)? { isEmpty ? nil : items[head] }

    mutating func push(_ slot: Int, _ seq: UInt64) { items.append((slot, seq)) }

    /// Puts an item back at the head (a redelivery: it is older than what waits).
    mutating func pushFront(_ slot: Int, _ seq: UInt64) {
        if head > 0 {
            head -= 1
            items[head] = (slot, seq)
        } else {
            items.insert((slot, seq), at: 0)
        }
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
