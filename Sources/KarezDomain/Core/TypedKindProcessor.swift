import KarezProtocol

/// A kind whose valid bodies are decoded straight from their bytes into its typed value, so
/// the JSON tree is built only for bodies that fail, to say why (patient records and leads).
///
/// A conforming kind gives the byte decoder and the processing of a decoded value; the two
/// entry points of ``KindProcessor`` come from this extension and share that processing.
public protocol TypedKindProcessor: KindProcessor {
    associatedtype Body: SchemaBody

    /// The value of a body that is valid against the schema, read straight from its bytes; nil
    /// when it is not, or uses JSON the decoder leaves to the parser (the tree path then decides).
    func decodeValid(bytes: UnsafeRawBufferPointer) -> Body?

    /// Domain rules, enrichment and the record to store, for a body that passed the schema.
    func process(decoded body: Body, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody>
}

extension TypedKindProcessor {
    /// The schema check over the tree, then ``process(decoded:context:)``.
    public func process(_ body: JSONValue, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        switch Body.decode(body) {
        case .success(let decoded): process(decoded: decoded, context: context)
        case .failure(let error): .failure(error)
        }
    }

    /// The byte decoder, then ``process(decoded:context:)``; the tree path when the decoder gives up.
    public func process(bytes: UnsafeRawBufferPointer, context: ProcessingContext) -> Result<ProcessedItem, ErrorBody> {
        guard let decoded = decodeValid(bytes: bytes) else { return processParsed(bytes: bytes, context: context) }
        context.stageMarks?.decoded()
        return process(decoded: decoded, context: context)
    }
}
