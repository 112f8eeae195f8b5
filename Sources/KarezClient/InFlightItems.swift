import Foundation
import KarezProtocol

/// The items a publisher has sent and the broker has not answered yet, found by the bytes of
/// their ids: answers name items by id, and looking them up straight from the frames spares a
/// `String` and a `Hasher` run per answer.
///
/// Items live in a slab of slots; an open-addressing index (linear probing, deletion by
/// backward shift, so no tombstones) maps an id's hash to its slot. An id sent again while in
/// flight replaces the earlier entry, as a dictionary keyed by id would.
struct InFlightItems {
    private struct Slot {
        var item: PublishedItem?
        var sentAt: ContinuousClock.Instant
        var hash: UInt64
        /// Sent in a packed message (`PACK`), which a broker from before it refuses whole.
        var packed = false
    }

    private var slots: [Slot] = []
    private var freeSlots: [Int32] = []
    /// Slot numbers by hash position; -1 where empty.
    private var index = [Int32](repeating: -1, count: 64)
    private var mask = 63
    /// Items in flight.
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    /// Records `item` as sent at `now` (in a packed message or not), replacing an item in flight
    /// with the same id.
    mutating func insert(_ item: PublishedItem, sentAt now: ContinuousClock.Instant, packed: Bool = false) {
        var id = item.id
        let (hash, found) = id.withUTF8 { u in
            let hash = ByteHash.hash(UnsafeRawBufferPointer(u))
            return (hash, find(UnsafeRawBufferPointer(u), hash: hash))
        }
        if let position = found {
            let s = Int(index[position])
            slots[s].item = item
            slots[s].sentAt = now
            slots[s].packed = packed
            return
        }
        if (count + 1) * 2 > index.count { grow() }
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = Int(free)
            slots[slot] = Slot(item: item, sentAt: now, hash: hash, packed: packed)
        } else {
            slot = slots.count
            slots.append(Slot(item: item, sentAt: now, hash: hash, packed: packed))
        }
        var i = Int(truncatingIfNeeded: hash) & mask
        while index[i] >= 0 { i = (i + 1) & mask }
        index[i] = Int32(truncatingIfNeeded: slot)
        count += 1
    }

    /// Removes and returns the item whose id is `id` (its UTF-8 bytes), nil when none is in flight.
    mutating func remove(id: UnsafeRawBufferPointer) -> PublishedItem? {
        guard let position = find(id, hash: ByteHash.hash(id)) else { return nil }
        let s = Int(index[position])
        let item = slots[s].item
        slots[s].item = nil
        freeSlots.append(Int32(truncatingIfNeeded: s))
        count -= 1
        unlink(position)
        return item
    }

    /// Removes and returns the item whose id is `id`.
    mutating func remove(id: String) -> PublishedItem? {
        var id = id
        return id.withUTF8 { remove(id: UnsafeRawBufferPointer($0)) }
    }

    /// Removes and returns every item sent before `cutoff`.
    mutating func removeSent(before cutoff: ContinuousClock.Instant) -> [PublishedItem] {
        remove { _, sentAt, _ in sentAt < cutoff }
    }

    /// Removes and returns every item for which `matches` (the item, when it was sent, whether
    /// packed) is true.
    mutating func remove(where matches: (PublishedItem, ContinuousClock.Instant, Bool) -> Bool) -> [PublishedItem] {
        var out: [PublishedItem] = []
        for s in slots.indices {
            guard let item = slots[s].item, matches(item, slots[s].sentAt, slots[s].packed) else { continue }
            var id = item.id
            if let removed = id.withUTF8({ remove(id: UnsafeRawBufferPointer($0)) }) { out.append(removed) }
        }
        return out
    }

    /// The index position holding the item with id `id`, or nil.
    private func find(_ id: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        var i = Int(truncatingIfNeeded: hash) & mask
        while true {
            let s = Int(index[i])
            if s < 0 { return nil }
            if slots[s].hash == hash, var stored = slots[s].item?.id,
               stored.withUTF8({ $0.count == id.count && (id.isEmpty || memcmp($0.baseAddress!, id.baseAddress!, id.count) == 0) }) {
                return i
            }
            i = (i + 1) & mask
        }
    }

    /// Empties index position `p`, moving later entries of the same probe run back so that every
    /// entry stays reachable from its home position.
    private mutating func unlink(_ p: Int) {
        var hole = p
        var j = p
        while true {
            j = (j + 1) & mask
            let s = index[j]
            if s < 0 { break }
            let home = Int(truncatingIfNeeded: slots[Int(s)].hash) & mask
            // The entry at j stays when its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if stays { continue }
            index[hole] = s
            hole = j
        }
        index[hole] = -1
    }

    private mutating func grow() {
        index = [Int32](repeating: -1, count: index.count * 2)
        mask = index.count - 1
        for (s, slot) in slots.enumerated() where slot.item != nil {
            var i = Int(truncatingIfNeeded: slot.hash) & mask
            while index[i] >= 0 { i = (i + 1) & mask }
            index[i] = Int32(truncatingIfNeeded: s)
        }
    }
}
