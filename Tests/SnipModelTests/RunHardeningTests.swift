import Foundation
import SnipModel
import SnipNN
import SnipSystem
import SnipTensor
import TestSupport
import Testing

/// A process id that cannot exist (above Linux's PID_MAX_LIMIT, 2^22).
private let deadProcess: Int32 = 4_194_305

/// Issue 17: runs killed before their first checkpoint could not be resumed, temporary
/// checkpoint files stayed, and a NaN loss aborted the run with a JSON encoding error.
struct RunHardeningTests {
    static let config = TinyTraining.config

    @Test func aRunKilledBeforeItsFirstCheckpointResumesFromStepZero() throws {
        let data = RandomTokens(seed: 11, vocabulary: VocabularyLayout(config: Self.config))
        let whole = freshTemporaryPath("harden-whole")
        let killed = freshTemporaryPath("harden-killed")
        defer {
            try? FileManager.default.removeItem(atPath: whole)
            try? FileManager.default.removeItem(atPath: killed)
        }
        let a = try Pretrainer(model: SNIPModel(config: Self.config, seed: 11), options: TinyTraining.options(), directory: whole, seed: 11, dataDescription: "random")
        #expect(try a.train(data: data, steps: 5) == .finished)

        // the killed run: settings written, a metrics line and a half-written checkpoint
        // left, no checkpoint
        let b = try Pretrainer(model: SNIPModel(config: Self.config, seed: 11), options: TinyTraining.options(), directory: killed, seed: 11, dataDescription: "random")
        try b.run.appendMetrics(StepMetrics(step: 1, loss: 1, learningRate: 0, gradientNorm: 0, skipped: false, samplesPerSecond: 0))
        let stale = AtomicFile.temporaryPath(for: b.run.checkpointPath, pid: deadProcess)
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: stale))
        #expect(!FileManager.default.fileExists(atPath: b.run.checkpointPath))

        let (c, seed) = try Pretrainer.resume(directory: killed)
        #expect(seed == 11 && c.step == 0)
        #expect(!FileManager.default.fileExists(atPath: stale))
        #expect(try c.run.metrics().isEmpty)
        #expect(try c.train(data: data, steps: 5) == .finished)
        let lossesA = try a.run.metrics().map { $0["loss"] as! Double }
        let lossesC = try c.run.metrics().map { $0["loss"] as! Double }
        #expect(lossesA.count == 5 && lossesA == lossesC)
    }

    @Test func aTemporaryFileOfALiveProcessIsKept() throws {
        let directory = freshTemporaryPath("harden-live")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let run = try Pretrainer(model: SNIPModel(config: Self.config, seed: 1), options: TinyTraining.options(), directory: directory, seed: 1, dataDescription: "x").run
        try run.appendMetrics(StepMetrics(step: 1, loss: 1, learningRate: 0, gradientNorm: 0, skipped: false, samplesPerSecond: 0))
        // pid 1 is alive (init); its file is not ours to remove
        let live = AtomicFile.temporaryPath(for: run.checkpointPath, pid: 1)
        try Data([1]).write(to: URL(fileURLWithPath: live))
        _ = try Pretrainer.resume(directory: directory)
        #expect(FileManager.default.fileExists(atPath: live))
    }

    @Test func nonFiniteNumbersAreWrittenAsNull() throws {
        let directory = freshTemporaryPath("harden-nan-line")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let run = TrainingRun(directory: directory)
        try run.appendMetrics(StepMetrics(step: 1, loss: .nan, learningRate: 1e-3, gradientNorm: .infinity, skipped: true, samplesPerSecond: -.infinity))
        let text = try String(contentsOfFile: run.metricsPath, encoding: .utf8)
        #expect(text == #"{"gradientNorm":null,"learningRate":0.001,"loss":null,"samplesPerSecond":null,"skipped":true,"step":1}"# + "\n")
        #expect(try run.metrics().first?["step"] as? Int == 1)
    }

    /// NaN weights make every loss NaN: each step is skipped and counted, the metrics say so,
    /// and the checkpoint is written.
    @Test func aRunWhoseLossIsNaNSkipsAndCountsEveryStep() throws {
        let directory = freshTemporaryPath("harden-nan-run")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let model = try SNIPModel(config: Self.config, seed: 3)
        for p in model.parameters { p.value = Tensor([Float](repeating: .nan, count: p.value.count), shape: p.shape) }
        let trainer = try Pretrainer(model: model, options: TinyTraining.options(), directory: directory, seed: 3, dataDescription: "random")
        let data = RandomTokens(seed: 3, vocabulary: VocabularyLayout(config: Self.config))
        #expect(try trainer.train(data: data, steps: 3) == .finished)
        #expect(trainer.skipped == 3)
        let metrics = try trainer.run.metrics()
        #expect(metrics.count == 3 && metrics.allSatisfy { $0["loss"] is NSNull && $0["skipped"] as? Bool == true })
        let (resumed, _) = try Pretrainer.resume(directory: directory)
        #expect(resumed.step == 3 && resumed.skipped == 3)
    }

    @Test func readingSettingsOfAMissingRunSaysWhatIsWrong() throws {
        do {
            _ = try Pretrainer.resume(directory: "/nonexistent/run")
            Issue.record("resumed a missing run")
        } catch {
            let text = "\(error)"
            #expect(text.contains("/nonexistent/run/run.json") && text.contains("No such file or directory"))
            #expect(!text.contains("NSCocoaErrorDomain"))
        }
    }

    @Test func pretrainingCheckpointsSayTheirPropertyHeadIsUntrained() throws {
        let directory = freshTemporaryPath("harden-head")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let trainer = try Pretrainer(model: SNIPModel(config: Self.config, seed: 1), options: TinyTraining.options(), directory: directory, seed: 1, dataDescription: "x")
        try trainer.saveCheckpoint()
        #expect(SNIPModel.propertyHeadIsUntrained(at: trainer.run.checkpointPath))
        let trained = directory + "/trained.safetensors"
        try trainer.model.save(to: trained)
        #expect(!SNIPModel.propertyHeadIsUntrained(at: trained))
    }
}
