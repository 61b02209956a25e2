import Foundation
import SnipNN
import SnipTensor

/// Settings of a CLIP pre-training run (the reference's defaults).
public struct PretrainingOptions: Codable, Equatable, Sendable {
    /// Examples per step (`batch_size`).
    public var batchSize = 256
    /// Peak learning rate (`lr`).
    public var learningRate = 4e-5
    /// Warm-up updates of the inverse-sqrt schedule.
    public var warmup = 10_000
    /// Gradient-norm limit (`clip_grad_norm`; 0 turns clipping off).
    public var clipNorm = 0.5
    /// CLIP temperature (`clip_temperature`).
    public var temperature = 1.0
    /// Steps between checkpoints (the reference saves every epoch of 1000 steps).
    public var checkpointEvery = 1000

    public init() {}
}

/// The settings a run directory records.
struct PretrainingSettings: Codable {
    var config: ModelConfig
    var options: PretrainingOptions
    var seed: UInt64
    var version: String
    var data: String
    var created: String
}

/// One line of `metrics.jsonl`.
public struct StepMetrics: Codable, Sendable {
    public var step: Int
    public var loss: Double
    public var learningRate: Double
    public var gradientNorm: Double
    public var skipped: Bool
    public var samplesPerSecond: Double

    public init(step: Int, loss: Double, learningRate: Double, gradientNorm: Double, skipped: Bool, samplesPerSecond: Double) {
        self.step = step
        self.loss = loss
        self.learningRate = learningRate
        self.gradientNorm = gradientNorm
        self.skipped = skipped
        self.samplesPerSecond = samplesPerSecond
    }
}

/// Why a training loop returned.
public enum TrainingStop: Sendable, Equatable {
    case finished
    case interrupted
}

/// CLIP pre-training of a SNIP model in a run directory, resumable exactly.
public final class Pretrainer {
    public let model: SNIPModel
    public let optimizer: Adam
    public let options: PretrainingOptions
    public let run: TrainingRun
    /// Steps done so far.
    public private(set) var step: Int
    /// Steps skipped for a NaN or infinite loss or gradient.
    public private(set) var skipped: Int

    private init(model: SNIPModel, options: PretrainingOptions, run: TrainingRun, step: Int, skipped: Int) {
        self.model = model
        self.options = options
        self.run = run
        self.step = step
        self.skipped = skipped
        optimizer = Adam(parameters: model.parameters, schedule: .inverseSquareRoot(peak: options.learningRate, warmup: options.warmup))
    }

    /// Starts a new run in `directory` (which must not hold a run already).
    public convenience init(model: SNIPModel, options: PretrainingOptions, directory: String, seed: UInt64, dataDescription: String) throws {
        let run = TrainingRun(directory: directory)
        guard !FileManager.default.fileExists(atPath: run.settingsPath) else {
            throw ModelError("\(directory) already holds a run; resume it with --resume or choose another --out")
        }
        try run.create()
        self.init(model: model, options: options, run: run, step: 0, skipped: 0)
        try run.writeSettings(PretrainingSettings(
            config: model.config, options: options, seed: seed, version: SnipVersion.string, data: dataDescription,
            created: ISO8601DateFormatter().string(from: Date())))
    }

    /// Continues the run in `directory` from its last checkpoint.
    public static func resume(directory: String) throws -> (trainer: Pretrainer, seed: UInt64) {
        let run = TrainingRun(directory: directory)
        let settings: PretrainingSettings
        do {
            settings = try run.readSettings(PretrainingSettings.self)
        } catch {
            throw ModelError("\(run.settingsPath): cannot read the run settings: \(error)")
        }
        run.removeStaleTemporaryFiles()
        guard FileManager.default.fileExists(atPath: run.checkpointPath) else {
            // killed before its first checkpoint: start again from step 0 (same seed, same data)
            let trainer = Pretrainer(model: try SNIPModel(config: settings.config, seed: settings.seed), options: settings.options, run: run, step: 0, skipped: 0)
            try run.truncateMetrics(after: 0)
            return (trainer, settings.seed)
        }
        let (model, moments, counters) = try TrainingCheckpoint.load(run.checkpointPath)
        let trainer = Pretrainer(model: model, options: settings.options, run: run, step: counters.step, skipped: counters.skipped)
        trainer.optimizer.restore(updates: counters.updates, moments: moments)
        try run.truncateMetrics(after: counters.step)
        return (trainer, settings.seed)
    }

    /// Writes the checkpoint (atomically).
    public func saveCheckpoint() throws {
        try TrainingCheckpoint.save(
            model: model, optimizer: optimizer,
            counters: .init(step: step, updates: optimizer.updates, momentSteps: optimizer.moments.map(\.step), skipped: skipped),
            to: run.checkpointPath)
    }

    /// Trains until `steps` steps are done or `shouldStop()` turns true (checked between
    /// steps); checkpoints every `checkpointEvery` steps and when it returns.
    public func train(
        data: TrainingData, steps: Int, progress: (StepMetrics) -> Void = { _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> TrainingStop {
        let batchSize = options.batchSize
        let prefetcher = Prefetcher(startingAt: step) { step in try data.examples(forStep: step, count: batchSize) }
        defer { prefetcher.stop() }
        var stop = TrainingStop.finished
        while step < steps {
            if shouldStop() {
                stop = .interrupted
                break
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let examples = try prefetcher.next()
            let outcome = optimizationStep(parameters: model.parameters, optimizer: optimizer, clipNorm: options.clipNorm) {
                clipLoss(
                    symbolic: model.encodeSymbolic(examples.map(\.expressionTokens)).latent,
                    numeric: model.encodeNumeric(examples.map(\.pointTokens)).latent,
                    temperature: Float(options.temperature))
            }
            step += 1
            if outcome.skipped { skipped += 1 }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let metrics = StepMetrics(
                step: step, loss: outcome.loss, learningRate: outcome.learningRate, gradientNorm: outcome.gradientNorm,
                skipped: outcome.skipped, samplesPerSecond: Double(examples.count) / seconds)
            try run.appendMetrics(metrics)
            progress(metrics)
            if step % options.checkpointEvery == 0 { try saveCheckpoint() }
        }
        try saveCheckpoint()
        return stop
    }
}
