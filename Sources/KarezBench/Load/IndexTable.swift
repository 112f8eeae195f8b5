/// Values keyed by item index, for keys that come and go roughly in order (a producer numbers
/// its items from 0, and they are mostly answered in order): a lookup is an array index, not a
/// hash. The array spans the keys from the oldest held to the newest; a key that falls more than
/// ``maxSpan`` behind the newest moves to a dictionary, so one item that is never answered does
/// not make the array span the rest of the run.
struct IndexTable<Value> {
    /// The key of `slots[0]`.
    private var base = 0
    private var slots: [Value?] = []
    /// Every slot before this one is empty.
    private var head = 0
    /// Keys behind the array: rare (a straggler, or an old item sent again).
    private var behind: [Int: Value] = [:]
    /// Keys held.
    private(set) var count = 0
    /// Most slots the array spans before its oldest keys move to `behind`.
    let maxSpan: Int

    init(maxSpan: Int = 1 << 20) { self.maxSpan = max(1, maxSpan) }

    var isEmpty: Bool { count == 0 }

    /// Slots the array spans now, from the oldest key it holds to the newest.
    var span: Int { slots.count - head }

    subscript(key: Int) -> Value? {
        get {
            let i = key - base
            if i < head { return behind[key] }
            return i < slots.count ? slots[i] : nil
        }
        set {
            if let newValue { insert(newValue, for: key) } else { _ = removeValue(forKey: key) }
        }
    }

    private mutating func insert(_ value: Value, for key: Int) {
        let i = key - base
        if i < head {
            if behind.updateValue(value, forKey: key) == nil { count += 1 }
            return
        }
        if i == slots.count {  // the usual case: the next item
            slots.append(value)
            count += 1
        } else {
            if i > slots.count { slots.append(contentsOf: repeatElement(nil, count: i + 1 - slots.count)) }
            if slots[i] == nil { count += 1 }
            slots[i] = value
        }
        if span > maxSpan { moveOldestBehind() }
    }

    /// Removes and returns the value for `key`, if one is held.
    mutating func removeValue(forKey key: Int) -> Value? {
        let i = key - base
        if i < head {
            guard let v = behind.removeValue(forKey: key) else { return nil }
            count -= 1
            return v
        }
        guard i < slots.count, let v = slots[i] else { return nil }
        slots[i] = nil
        count -= 1
        // Also when the head slot is one never filled (a key skipped): it would hold the array.
        if i == head || slots[head] == nil { skipEmpty() }
        return v
    }

    /// Removes every value `remove` says so, and returns how many it removed.
    @discardableResult
    mutating func removeAll(where remove: (Value) -> Bool) -> Int {
        let before = count
        for i in head..<slots.count {
            if let v = slots[i], remove(v) {
                slots[i] = nil
                count -= 1
            }
        }
        for (key, v) in behind where remove(v) {
            behind[key] = nil
            count -= 1
        }
        skipEmpty()
        return before - count
    }

    /// Every key and value held (a copy: the table may change while it is walked).
    var entries: [(key: Int, value: Value)] {
        var out = behind.map { (key: $0.key, value: $0.value) }
        for i in head..<slots.count { if let v = slots[i] { out.append((base + i, v)) } }
        return out
    }

    /// Moves `head` past empty slots, and drops them once they are half the array.
    private mutating func skipEmpty() {
        while head < slots.count, slots[head] == nil { head += 1 }
        if head == slots.count || (head >= 4096 && head * 2 >= slots.count) {
            slots.removeFirst(head)
            base += head
            head = 0
        }
    }

    /// The span is over ``maxSpan``: the oldest keys held move to `behind` until it is not.
    private mutating func moveOldestBehind() {
        let keep = slots.count - maxSpan / 2
        while head < keep {
            if let v = slots[head] {
                behind[base + head] = v
                slots[head] = nil
            }
            head += 1
        }
        skipEmpty()
    }
}
