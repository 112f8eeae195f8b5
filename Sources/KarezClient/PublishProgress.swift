import KarezProtocol

/// What one ``Publisher/publish(_:giveUpAfter:onOutcome:)`` call keeps track of while answers
/// come in: the totals, the items in flight, those to send again, and (with `watch`) the
/// acknowledged items still waiting for their `FIN`.
struct PublishProgress {
    var summary = Publisher.Summary()
    var outstanding = InFlightItems()
    var retryQueue: [(due: ContinuousClock.Instant, item: PublishedItem)] = []
    /// With `watch`: items answered `ACK` or `DUP` whose `FIN` has not come, by id, kept to be
    /// sent again if the broker restarts and forgets who watches them.
    var watching: [String: PublishedItem] = [:]
    /// With `watch`: ids whose `FIN` came; a late `ACK` or `DUP` of a copy sent again counts nothing.
    var finished: Set<String> = []
    let watch: Bool

    init(watch: Bool) { self.watch = watch }

    /// Settles one id of an `ACK`, `DUP`, `BUSY` or `FIN`, read straight from its frame.
    mutating func settle(_ header: FrontReply.IDListHeader, id: UnsafeRawBufferPointer, onOutcome: (Publisher.Outcome) -> Void) {
        switch header {
        case .ack(let durability):
            guard let item = outstanding.remove(id: id) else { return }
            if watch, watching[item.id] != nil || finished.contains(item.id) { return }  // a watched item sent again: no news
            summary.acknowledged += 1
            if watch { watching[item.id] = item }
            onOutcome(.acknowledged(id: item.id, durability: durability))
        case .duplicate:
            guard let item = outstanding.remove(id: id) else { return }
            // A watched item sent again is answered DUP, and its FIN follows (PROTOCOL.md 3.2).
            if watch, watching[item.id] != nil || finished.contains(item.id) { return }
            summary.duplicates += 1
            if watch { watching[item.id] = item }
            onOutcome(.duplicate(id: item.id))
        case .busy(let ms):
            guard let item = outstanding.remove(id: id) else { return }
            retryQueue.append((.now + .milliseconds(ms), item))
        case .finished(let outcome):
            let text = String(decoding: id, as: UTF8.self)
            guard watching.removeValue(forKey: text) != nil else { return }
            finished.insert(text)
            switch outcome {
            case .done: summary.done += 1
            case .dead: summary.dead += 1
            case .expired: summary.expired += 1
            case .cancelled: summary.cancelled += 1
            }
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
