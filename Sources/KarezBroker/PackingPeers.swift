/// The producers that publish packed (`PACK`, PROTOCOL.md 2.5), by routing id (DEALER peers
/// only): they get their replies (`ACK`, `DUP`, `BUSY`, `FIN`) packed too, until they publish
/// unpacked (a producer that reconnects under a packer's routing id and does not pack).
///
/// Bounded: beyond ``capacity`` envelopes (connections come and go) it starts afresh, and the
/// producers it forgot get unpacked replies until they send a packed message again, which every
/// reader of packed replies also reads.
struct PackingPeers {
    static let capacity = 16_384
    private var envelopes: Set<[[UInt8]]> = []

    /// This envelope's producer published, packed or not.
    mutating func published(_ envelope: [[UInt8]], packed: Bool) {
        if packed {
            if envelopes.count >= Self.capacity, !envelopes.contains(envelope) { envelopes.removeAll() }
            envelopes.insert(envelope)
        } else if !envelopes.isEmpty {
            envelopes.remove(envelope)
        }
    }

    func contains(_ envelope: [[UInt8]]) -> Bool { !envelopes.isEmpty && envelopes.contains(envelope) }
}
