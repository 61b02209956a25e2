import Foundation
import SnipModel
import TestSupport
import Testing

/// `mpirun` on PATH, or nil (then the MPI runs are skipped; Scripts/setup installs Open MPI).
private let mpirun: String? = {
    for directory in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(directory)/mpirun"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

/// Runs `snip arguments` under `mpirun -np n` (as CI needs: as root, more ranks than cores).
private func runUnderMPI(_ n: Int, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let r = try runProcess(
        mpirun!, ["--allow-run-as-root", "--oversubscribe", "-np", String(n), snipExecutable] + arguments,
        joinErrors: true)
    return (r.status, r.output)
}

/// A run's per-step losses and its final model weights by key.
private func outcome(of directory: String) throws -> (losses: [Double], weights: [String: [Float]]) {
    let losses = try TrainingRun(directory: directory).metrics().map { $0["loss"] as! Double }
    let model = try SNIPModel.load(directory + "/checkpoint.safetensors")
    return (losses, Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.key, $0.parameter.value.scalars) }))
}

/// The largest relative loss difference and absolute weight difference of two runs.
private func differences(_ a: String, _ b: String) throws -> (loss: Double, weight: Double, steps: Int) {
    let (x, y) = (try outcome(of: a), try outcome(of: b))
    guard x.losses.count == y.losses.count else { return (.infinity, .infinity, -1) }
    let loss = zip(x.losses, y.losses).map { abs($0 - $1) / abs($0) }.max() ?? .infinity
    var weight = 0.0
    for (key, value) in x.weights {
        guard let other = y.weights[key], other.count == value.count else { return (loss, .infinity, x.losses.count) }
        for (p, q) in zip(value, other) { weight = max(weight, Double(abs(p - q))) }
    }
    return (loss, weight, x.losses.count)
}

struct MPIPretrainTests {
    /// The check: the small model, 20 steps at global batch 32, on 2 processes equals
    /// one process (losses within 1e-5 relative, weights within 1e-5), and a run started on 2
    /// processes and resumed on 1 does too. (lr 1e-5 from the first step: at larger rates Adam
    /// turns rounding-level differences of tiny gradients into steps of size lr, as between
    /// one process on 1 and on 2 threads; see docs/SCALING.md.)
    @Test(.enabled(if: mpirun != nil, "mpirun not found: install Open MPI (Scripts/setup) to run the MPI test"))
    func twoProcessesTrainLikeOneAndResumeOnOne() throws {
        let (one, two, resumed) = (freshTemporaryPath("mpi-one"), freshTemporaryPath("mpi-two"), freshTemporaryPath("mpi-resumed"))
        defer { for d in [one, two, resumed] { try? FileManager.default.removeItem(atPath: d) } }
        let run = ["pretrain", "--config", "small", "--batch-size", "32", "--lr", "1e-5", "--warmup", "1", "--seed", "3"]

        let (status1, output1) = try runSnip(run + ["--steps", "20", "--out", one])
        #expect(status1 == 0, "\(output1)")
        let (status2, output2) = try runUnderMPI(2, run + ["--steps", "20", "--out", two])
        #expect(status2 == 0, "\(output2)")
        #expect(output2.contains("MPI: 2 processes"), "\(output2)")
        #expect(output2.components(separatedBy: "finished 20 steps").count == 2, "rank 0 alone reports: \(output2)")

        let reference = try outcome(of: one)
        #expect(reference.losses.count == 20 && Set(reference.losses).count > 1)
        let initial = try SNIPModel(config: .small(maxInputDimension: 1), seed: 3).namedParameters()
        let moved = initial.map { key, p in zip(p.value.scalars, reference.weights[key]!).map { abs($0 - $1) }.max()! }.max()!
        #expect(moved > 5e-5, "training moves the weights (by \(moved)) well beyond the tolerance")

        let split = try differences(one, two)
        #expect(split.steps == 20)
        #expect(split.loss <= 1e-5, "2 processes: max relative loss difference \(split.loss)")
        #expect(split.weight <= 1e-5, "2 processes: max weight difference \(split.weight)")

        let (status3, output3) = try runUnderMPI(2, run + ["--steps", "10", "--out", resumed])
        #expect(status3 == 0, "\(output3)")
        let (status4, output4) = try runSnip(["pretrain", "--resume", resumed, "--steps", "20"])
        #expect(status4 == 0 && output4.contains("resuming \(resumed) at step 10"), "\(output4)")
        let across = try differences(one, resumed)
        #expect(across.steps == 20)
        #expect(across.loss <= 1e-5, "2 → 1 processes: max relative loss difference \(across.loss)")
        #expect(across.weight <= 1e-5, "2 → 1 processes: max weight difference \(across.weight)")
    }

    /// Started by an MPI launcher without a loadable libmpi: a clear error, no training.
    @Test func anMPILaunchWithoutLibMPIFailsClearly() throws {
        let directory = freshTemporaryPath("mpi-nolib")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (status, output) = try runSnip(
            ["pretrain", "--config", "small", "--steps", "1", "--batch-size", "4", "--out", directory],
            environment: ["OMPI_COMM_WORLD_SIZE": "2", "SNIP_MPI_LIBRARY": "/nonexistent/libmpi.so.40"])
        #expect(status != 0)
        #expect(output.contains("launched by MPI (OMPI_COMM_WORLD_SIZE=2)") && output.contains("cannot load the MPI library"), "\(output)")
        #expect(!FileManager.default.fileExists(atPath: directory))
    }
}
