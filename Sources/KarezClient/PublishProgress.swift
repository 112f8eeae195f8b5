import KarezProtocol

/// What one ``Publisher/publish(_:giveUpAfter:onOutcome:)`` call keeps track of while answers
/// come in: the totals, the items in flight, those to send again, and (with `watch`) the
/// acknowledged items still waiting for their `FIN`.
struct PublishProgress {
    var summary = Publisher.Summary()
    var outstanding = InFlightItems()
    var retryQueue: [(due: ContinuousClock.Instant, item: PublishedItem)] = []
    var watching = Set<String>()
    let watch: Bool

    init(watch: Bool) { self.watch = watch }

    /// Settles one id of an `ACK`, `DUP`, `BUSY` or `FIN`, read straight from its frame.
    mutating func settle(_ header: FrontReply.IDListHeader, id: UnsafeRawBufferPointer, onOutcome: (Publisher.Outcome) -> Void) {
        switch header {
        case .ack(let durability):
            guard let item = outstanding.remove(id: id) else { return }
            summary.acknowledged += 1
            if watch { watching.insert(item.id) }
            onOutcome(.acknowledged(id: item.id, durability: durability))
        case .duplicate:
            guard let item = outstanding.remove(id: id) else { return }
            summary.duplicates += 1
            onOutcome(.duplicate(id: item.id))
        case .busy(let ms):
            guard let item = outstanding.remove(id: id) else { return }
            retryQueue.append((.now + .milliseconds(ms), item))
        case .finished(let outcome):
            let text = String(decoding: id, as: UTF8.self)
            guard watching.remove(text) != nil else { return }
            if outcome == .done { summary.done += 1 } else { summary.dead += 1 }
            onOutcome(.finished(id: text, outcome))
        }
    }

    /// Settles an item the broker refused for good (`NAK`).
    mutating func refuse(id: String, _ error: ErrorBody, onOutcome: (Publisher.Outcome) -> Void) {
        guard let item = outstanding.remove(id: id) else { return }
        summary.refused += 1
        onOutcome(.refused(id: item.id, error))
    }
}
