/// The protocol tag that starts every Karez message: `KZ1` is version 1.
public enum ProtocolTag {
    /// The tag's text.
    public static let v1 = "KZ1"
    /// The tag's bytes.
    public static let v1Bytes: [UInt8] = Array("KZ1".utf8)
}
