import CMalloc

/// Keeps a process's memory near its working set after a burst of large messages.
public enum MemoryReturn {
    /// Buffers from 4 MiB up are mapped on their own and unmapped when freed. glibc otherwise
    /// raises this threshold after the first large free, and later large buffers (a peer's
    /// 15 MiB frames) stay in the heap after use. Call once at process start.
    public static func mapLargeBuffers() {
        kz_map_large_buffers(4 << 20)
    }

    /// Gives free heap memory back to the system (`malloc_trim`): after a message over the
    /// limits or a burst of many small frames. Costs a few milliseconds; callers rate-limit it.
    public static func trim() {
        kz_malloc_trim()
    }
}
