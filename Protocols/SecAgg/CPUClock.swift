#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// CPU time of the calling thread or of the whole process, for benchmarks on a shared machine
/// where wall-clock time also measures everyone else's work.
enum CPUClock {
    /// Seconds of CPU the calling thread has used.
    static var thread: Double { read(CLOCK_THREAD_CPUTIME_ID) }
    /// Seconds of CPU all threads of the process have used.
    static var process: Double { read(CLOCK_PROCESS_CPUTIME_ID) }

    private static func read(_ clock: clockid_t) -> Double {
        var time = timespec()
        clock_gettime(clock, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }
}
