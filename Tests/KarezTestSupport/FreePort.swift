import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The next port to try, per test process: ports are handed out in turn from a random start.
private let nextPort = Mutex(Int.random(in: 0..<10_000))

/// A TCP port on 127.0.0.1 that is free now and that no outgoing connection will take: it lies
/// below the kernel's ephemeral range (`ip_local_port_range`, from which outgoing connections
/// get their local ports, and which binding port 0 hands out), so a port a test picked is not
/// taken by some client's connection before the test's server binds it. Ports are handed out in
/// turn, so tests running side by side do not pick the same one.
public func freeTCPPort() -> Int {
    let ephemeralStart = ephemeralRangeStart()
    let low = 10_000, high = min(ephemeralStart, 32_768)
    guard high - low >= 1_000 else { return kernelChosenPort() }
    for _ in 0..<(high - low) {
        let port = nextPort.withLock { n -> Int in
            defer { n = (n + 1) % (high - low) }
            return low + n
        }
        if canBind(port) { return port }
    }
    return kernelChosenPort()
}

/// The first port of the kernel's ephemeral range (32768 when it cannot be read).
private func ephemeralRangeStart() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
          let first = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).first, let n = Int(first) else { return 32_768 }
    return n
}

/// True when a listening socket can be bound to the port on 127.0.0.1 now.
private func canBind(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var one: Int32 = 1
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A port the kernel hands out as free (bound to port 0 and read back).
private func kernelChosenPort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = inet_addr("127.0.0.1")
    addr.sin_port = 0
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
        p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    return bound ? Int(UInt16(bigEndian: addr.sin_port)) : Int.random(in: 21_000...59_000)
}
