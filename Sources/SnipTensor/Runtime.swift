import CBLAS
import Foundation

/// Process-wide compute settings, fixed at first use.
public enum Runtime {
    /// Compute threads: `SNIP_THREADS` when set to a positive integer, else all cores; under an
    /// MPI launcher that starts several processes on this machine, their share of the cores
    /// (the cores divided by the local process count, and no more than the launcher bound
    /// this process to), so that they do not oversubscribe it.
    public static let threadCount: Int = {
        let environment = ProcessInfo.processInfo.environment
        let cores = ProcessInfo.processInfo.activeProcessorCount
        if let text = environment["SNIP_THREADS"], let n = Int(text), n > 0 {
            return n
        }
        if let local = localProcessCount(environment) {
            return max(1, min(cores / local, allowedCores() ?? cores))
        }
        return max(cores, 1)
    }()

    /// Processes an MPI launcher started on this machine (Open MPI, MPICH/Hydra, SLURM's srun:
    /// the first node's count), or nil outside one.
    static func localProcessCount(_ environment: [String: String]) -> Int? {
        for name in ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS", "SLURM_STEP_TASKS_PER_NODE"] {
            // SLURM writes counts per node as "4(x2),3"
            if let text = environment[name], let n = Int(text.prefix { $0.isNumber }), n > 0 { return n }
        }
        return nil
    }

    /// The cores this process may run on (its affinity mask, Linux's `Cpus_allowed_list`:
    /// `0-3,8`), when the system says.
    static func allowedCores() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") })
        else { return nil }
        var count = 0
        for part in line.dropFirst("Cpus_allowed_list:".count).split(separator: ",") {
            let bounds = part.split(separator: "-").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard let first = bounds.first else { return nil }
            count += (bounds.last ?? first) - first + 1
        }
        return count > 0 ? count : nil
    }

    /// Loads OpenBLAS and sets its thread count, once; every BLAS call goes through here first.
    static let blasConfigured: Bool = {
        snip_blas_set_num_threads(Int32(threadCount))
        return true
    }()

    /// OpenBLAS's own description of its build (core type, threading), or the name of the
    /// library `SNIP_BLAS_LIBRARY` chose instead.
    public static var blasDescription: String {
        _ = blasConfigured
        guard let config = snip_blas_config() else { return String(cString: snip_blas_library_name()) }
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
