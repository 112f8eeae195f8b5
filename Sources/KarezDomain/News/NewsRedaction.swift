import KarezProtocol

extension NewsProcessor {
    /// A news body keeps the members of the news schema (stories are public text).
    public func redacted(_ body: [UInt8], pseudonymizer: Pseudonymizer?) -> [UInt8] {
        guard let o = BodyRedaction.object(body) else { return BodyRedaction.withheld(body, "the body is not a JSON object") }
        return JSONWriter.bytes(.object(BodyRedaction.keeping(Set(News.required + News.optional), of: o)))
    }
}
