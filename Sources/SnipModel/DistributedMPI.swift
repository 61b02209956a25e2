import CMPI
import Foundation

/// A process group over MPI's `MPI_COMM_WORLD`, with libmpi loaded at run time (Open MPI).
///
/// Only the main thread calls MPI (`MPI_THREAD_FUNNELED`); the prefetch thread never does.
/// MPI's default error handler ends the whole job on a failed call, and a process that dies
/// makes `mpirun`/`srun` end the others, so a lost rank never leaves the job hanging.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// Loads libmpi and initialises MPI (once per process).
    public static func start() throws -> MPIProcessGroup {
        var message = [CChar](repeating: 0, count: 512)
        guard snip_mpi_load(nil, &message, message.count) == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw DistributedError(
                "launched by MPI (\(MPILaunch.detected?.describe ?? "?")) but \(reason); install Open MPI "
                    + "(Scripts/setup, Debian: apt-get install openmpi-bin libopenmpi-dev) or set SNIP_MPI_LIBRARY "
                    + "to libmpi's path")
        }
        var rank: Int32 = 0
        var size: Int32 = 0
        try check(snip_mpi_init(&rank, &size), "MPI_Init_thread")
        return MPIProcessGroup(rank: Int(rank), size: Int(size))
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Float>) throws {
        guard size > 1, let base = values.baseAddress else { return }
        try Self.check(snip_mpi_allreduce_sum_float(base, values.count), "MPI_Allreduce")
    }

    public func allReduceSum(_ values: UnsafeMutableBufferPointer<Double>) throws {
        guard size > 1, let base = values.baseAddress else { return }
        try Self.check(snip_mpi_allreduce_sum_double(base, values.count), "MPI_Allreduce")
    }

    public func allGather(_ local: UnsafeRawBufferPointer, counts: [Int], into result: UnsafeMutableRawBufferPointer) throws {
        precondition(counts.count == size && result.count == counts.reduce(0, +), "allGather: counts \(counts) for \(result.count) bytes")
        guard counts.allSatisfy({ $0 <= Int(Int32.max) }), result.count <= Int(Int32.max) else {
            throw DistributedError("allGather of \(result.count) bytes: more than MPI's int counts hold")
        }
        var displacements: [Int32] = []
        var offset = 0
        for c in counts {
            displacements.append(Int32(offset))
            offset += c
        }
        let counts32 = counts.map { Int32($0) }
        // a rank with nothing to send still passes a valid pointer
        var dummy: UInt8 = 0
        let code = withUnsafeMutablePointer(to: &dummy) { fallback in
            snip_mpi_allgatherv_bytes(
                local.baseAddress ?? UnsafeRawPointer(fallback), Int32(local.count), result.baseAddress ?? UnsafeMutableRawPointer(fallback),
                counts32, displacements)
        }
        try Self.check(code, "MPI_Allgatherv")
    }

    public func broadcast(_ buffer: UnsafeMutableRawBufferPointer, root: Int) throws {
        guard size > 1, let base = buffer.baseAddress else { return }
        try Self.check(snip_mpi_bcast_bytes(base, buffer.count, Int32(root)), "MPI_Bcast")
    }

    /// Waits for every process.
    public func barrier() throws { try Self.check(snip_mpi_barrier(), "MPI_Barrier") }

    /// MPI's clock (seconds).
    public static var time: Double { snip_mpi_wtime() }

    public func abort(_ message: String, code: Int32) {
        FileHandle.standardError.write(Data("snip: rank \(rank) of \(size): \(message); ending the MPI job\n".utf8))
        snip_mpi_abort(code)
    }

    /// Ends MPI in this process (after the last collective).
    public func finish() {
        if snip_mpi_is_initialized() != 0 { _ = snip_mpi_finalize() }
    }

    private static func check(_ code: Int32, _ call: String) throws {
        guard code != 0 else { return }
        var message = [CChar](repeating: 0, count: 512)
        snip_mpi_error_string(code, &message, message.count)
        let text = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DistributedError("\(call) failed: \(text)")
    }
}

/// How the environment says this process was started: by `mpirun`/`mpiexec` (Open MPI, or a
/// PMI/PMIx launcher) or by SLURM's `srun` with several tasks.
public struct MPILaunch: Sendable, Equatable {
    /// The variable that gave it away.
    public let variable: String
    /// Its value.
    public let value: String

    /// A readable form (`OMPI_COMM_WORLD_SIZE=2`).
    public var describe: String { "\(variable)=\(value)" }

    /// The launch the environment `environment` describes, or nil for a plain process.
    /// `SNIP_MPI=0` turns detection off, `SNIP_MPI=1` forces MPI on.
    public static func detect(in environment: [String: String]) -> MPILaunch? {
        if let forced = environment["SNIP_MPI"] {
            if forced == "0" { return nil }
            if forced == "1" { return MPILaunch(variable: "SNIP_MPI", value: forced) }
        }
        for name in ["OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE", "PMI_RANK"] {
            if let value = environment[name] { return MPILaunch(variable: name, value: value) }
        }
        // srun without an MPI plug-in variable: a job step of several tasks (a batch script
        // itself runs as one task, so it stays a plain process)
        if environment["SLURM_PROCID"] != nil, let tasks = environment["SLURM_STEP_NUM_TASKS"], let n = Int(tasks), n > 1 {
            return MPILaunch(variable: "SLURM_STEP_NUM_TASKS", value: tasks)
        }
        return nil
    }

    /// The launch of this process.
    public static let detected = detect(in: ProcessInfo.processInfo.environment)
}
