/// Contiguous bytes that can be sent as one frame without an intermediate copy.
public protocol FrameBytes {
    /// Calls `body` with the bytes.
    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R
}

extension Array: FrameBytes where Element == UInt8 {}
extension ArraySlice: FrameBytes where Element == UInt8 {}
extension ContiguousArray: FrameBytes where Element == UInt8 {}
