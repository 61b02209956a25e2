import Foundation
import Synchronization

/// Where a training step's time goes, op by op: CPU time of the calling thread per op, forward
/// and backward, for benchmarks (`snip-bench train` with `SNIP_PROFILE=1`). Off by default;
/// when off, an op pays one load of a flag.
///
/// An op's forward time is the calling thread's CPU time since the previous op recorded itself
/// (ops compute their result, then record it), so glue code between ops counts towards the op
/// that follows it. Backward time is measured around each node's backward function. Only the
/// calling thread's CPU time is counted: profile with `SNIP_THREADS=1`, where every op runs on
/// the calling thread. Ops are named by the function that recorded them (`linear(_:weight:bias:)`).
public enum OpProfile {
    /// One op's totals.
    public struct Entry: Sendable {
        /// The recording function's name.
        public var name: String
        /// Forward calls counted.
        public var calls = 0
        /// Forward CPU seconds.
        public var forward = 0.0
        /// Backward CPU seconds.
        public var backward = 0.0
    }

    private struct State: @unchecked Sendable {
        var entries: [String: Entry] = [:]
        var last = 0.0
    }

    private static let enabledFlag = Atomic<Bool>(
        ProcessInfo.processInfo.environment["SNIP_PROFILE"].map { $0 != "0" && !$0.isEmpty } ?? false)
    private static let state = Mutex(State())

    /// Whether ops are being timed (initially: `SNIP_PROFILE` is set and not 0).
    public static var isEnabled: Bool {
        get { enabledFlag.load(ordering: .relaxed) }
        set { enabledFlag.store(newValue, ordering: .relaxed) }
    }

    /// `SNIP_PROFILE=wall` times ops by the wall clock instead: with several compute threads,
    /// where the calling thread's CPU time misses the time it waits for the others.
    public static let measuresWallTime = ProcessInfo.processInfo.environment["SNIP_PROFILE"] == "wall"

    /// CPU seconds used by the calling thread so far (wall seconds under `SNIP_PROFILE=wall`).
    public static func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(measuresWallTime ? CLOCK_MONOTONIC : CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    /// Forgets the totals and starts the forward clock now.
    public static func reset() {
        let now = threadCPUTime()
        state.withLock { $0 = State(entries: [:], last: now) }
    }

    /// Starts the forward clock now, so that what ran since the last op is not charged to the
    /// next one.
    public static func mark() {
        let now = threadCPUTime()
        state.withLock { $0.last = now }
    }

    /// The totals so far, largest first.
    public static var entries: [Entry] {
        state.withLock { s in s.entries.values.sorted { $0.forward + $0.backward > $1.forward + $1.backward } }
    }

    static func didRecordForward(_ name: StaticString) {
        let now = threadCPUTime()
        state.withLock { s in
            let key = "\(name)"
            s.entries[key, default: Entry(name: key)].calls += 1
            s.entries[key, default: Entry(name: key)].forward += now - s.last
            s.last = now
        }
    }

    static func didRunBackward(_ name: StaticString, seconds: Double) {
        state.withLock { s in
            let key = "\(name)"
            s.entries[key, default: Entry(name: key)].backward += seconds
        }
    }
}
