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

    /// Calls `body` with a writer of this text's spans, which holds the text's buffers for the
    /// whole call (no reference counting per span written).
    func withSpanWriter<R>(_ body: (SpanWriter) -> R) -> R {
        utf8.withUnsafeBytes { bytes in byteOffsets.withUnsafeBufferPointer { body(SpanWriter(utf8: bytes, byteOffsets: $0)) } }
    }
}

/// Writes spans of one ``ScalarText`` as JSON strings, straight from its UTF-8 (see
/// ``ScalarText/withSpanWriter(_:)``).
struct SpanWriter {
    let utf8: UnsafeRawBufferPointer
    let byteOffsets: UnsafeBufferPointer<Int32>

    /// Writes the text of `span` as a JSON string: the bytes `out.writeString(text.string(span))` writes.
    func write(_ span: TextSpan, into out: inout JSONByteSink) {
        out.writeString(utf8: UnsafeRawBufferPointer(rebasing: utf8[Int(byteOffsets[span.start])..<Int(byteOffsets[span.end])]))
    }

    /// Writes `prefix` (a member's name and the punctuation before it) and the text of `span`.
    func writeMember(_ prefix: StaticString, _ span: TextSpan, into out: inout JSONByteSink) {
        out.append(prefix)
        write(span, into: &out)
    }
}
