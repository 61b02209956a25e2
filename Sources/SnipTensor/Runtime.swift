import CBLAS
import Foundation

/// Process-wide compute settings, fixed at first use.
public enum Runtime {
    /// Compute threads: `SNIP_THREADS` when set to a positive integer, else all cores.
    public static let threadCount: Int = {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let text = ProcessInfo.processInfo.environment["SNIP_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        return max(cores, 1)
    }()

    /// Loads OpenBLAS and sets its thread count, once; every BLAS call goes through here first.
    static let blasConfigured: Bool = {
        snip_blas_set_num_threads(Int32(threadCount))
        return true
    }()

    /// OpenBLAS's own description of its build (core type, threading).
    public static var blasDescription: String {
        _ = blasConfigured
        guard let config = snip_blas_config() else { return "OpenBLAS" }
        return String(cString: config)
    }

    /// The kernel family OpenBLAS runs (`Haswell`, `SkylakeX`, …; see `snip_blas_core_name`).
    public static var blasCoreName: String {
        _ = blasConfigured
        guard let name = snip_blas_core_name() else { return "unknown" }
        return String(cString: name)
    }
}

/// Splits `0..<count` into contiguous chunks and runs them on the compute threads when the work
/// (`count × cost`, in rough element-operations) is large enough to pay for the hand-off.
public func parallelChunks(_ count: Int, cost: Int = 1, _ body: (Range<Int>) -> Void) {
    let threads = Runtime.threadCount
    let work = count * cost
    guard threads > 1, work >= 1 << 15, count > 1 else {
        body(0..<count)
        return
    }
    let chunks = min(threads, count)
    withoutActuallyEscaping(body) { body in
        let shared = UnsafeSendable(body)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            let start = count * chunk / chunks
            let end = count * (chunk + 1) / chunks
            if start < end { shared.value(start..<end) }
        }
    }
}

/// Carries a value into concurrently run closures; the caller guarantees disjoint use.
public struct UnsafeSendable<T>: @unchecked Sendable {
    public let value: T
    public init(_ value: T) { self.value = value }
}
