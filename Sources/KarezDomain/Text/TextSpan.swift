import KarezProtocol

/// Scalars `start..<end` of a ``ScalarText``: text an enrichment points at instead of copying it
/// into a `String`, and writes to JSON straight from the text's UTF-8.
struct TextSpan: Sendable, Equatable {
    var start: Int
    var end: Int

    init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }
}

extension ScalarText {
    /// The text of `span`.
    func string(_ span: TextSpan) -> String { string(span.start, span.end) }

    /// Writes the text of `span` as a JSON string: the bytes `out.writeString(string(span))` writes.
    func write(_ span: TextSpan, into out: inout JSONByteSink) {
        bytes(span.start, span.end).withUnsafeBytes { out.writeString(utf8: $0) }
    }
}
