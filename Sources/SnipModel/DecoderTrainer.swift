import Foundation
import SnipMath
import SnipNN
import SnipTensor

/// Settings of a decoder training run.
public struct DecoderTrainingOptions: Codable, Equatable, Sendable {
    public var batchSize = 64
    public var learningRate = 5e-4
    public var warmup = 1000
    public var clipNorm = 1.0
    public var checkpointEvery = 250

    public init() {}
}

/// What a decoder run directory records in `run.json`.
struct DecoderTrainingSettings: Codable {
    var decoder: DecoderConfig
    var options: DecoderTrainingOptions
    var seed: UInt64
    /// The SNIP model whose (frozen) numeric encoder feeds the decoder.
    var model: String
    var version: String
    var created: String
}

/// Trains a ``FormulaDecoder`` on functions from the SNIP generator with the numeric encoder
/// of a SNIP model frozen (as the reference's SNIP symbolic regression does): the encoder
/// turns each function's points into a latent vector, the decoder learns to write the
/// function's skeleton from it (cross-entropy on prefix tokens). A run lives in a directory
/// (`run.json`, `metrics.jsonl`, `checkpoint.safetensors` with the optimiser's state,
/// `decoder.safetensors` with the weights alone) and resumes exactly.
public final class DecoderTrainer {
    public let model: SNIPModel
    public let decoder: FormulaDecoder
    public let optimizer: Adam
    public let options: DecoderTrainingOptions
    public let run: TrainingRun
    public let seed: UInt64
    /// Where the model came from (recorded, and how `--resume` finds it again).
    public let modelName: String
    public private(set) var step: Int
    public private(set) var skipped: Int
    /// The model's equation vocabulary, built once (the examples' ids are read through it).
    private let equationVocabulary: Vocabulary

    /// Where the weights alone are written at every checkpoint.
    public var decoderPath: String { run.directory + "/decoder.safetensors" }

    private init(
        model: SNIPModel, modelName: String, decoder: FormulaDecoder, options: DecoderTrainingOptions, run: TrainingRun,
        seed: UInt64, step: Int, skipped: Int
    ) {
        self.model = model
        self.modelName = modelName
        self.decoder = decoder
        self.options = options
        self.run = run
        self.seed = seed
        self.step = step
        self.skipped = skipped
        equationVocabulary = model.tokenizer.equationVocabulary
        optimizer = Adam(
            parameters: decoder.parameters, schedule: .inverseSquareRoot(peak: options.learningRate, warmup: options.warmup))
    }

    /// Starts a new run in `directory` (which must not hold one).
    public convenience init(
        model: SNIPModel, modelName: String, decoder config: DecoderConfig, options: DecoderTrainingOptions,
        directory: String, seed: UInt64
    ) throws {
        let run = TrainingRun(directory: directory)
        guard !FileManager.default.fileExists(atPath: run.settingsPath) else {
            throw ModelError("\(directory) already holds a run; resume it with --resume or choose another --out")
        }
        guard config.latent == model.config.latent, config.maxInputDimension == model.config.maxInputDimension else {
            throw ModelError("the decoder settings do not fit the model (latent \(model.config.latent), dimension \(model.config.maxInputDimension))")
        }
        let decoder = try FormulaDecoder(config: config, seed: seed)
        self.init(
            model: model, modelName: modelName, decoder: decoder, options: options, run: run, seed: seed, step: 0,
            skipped: 0)
        try run.create()
        try run.writeSettings(DecoderTrainingSettings(
            decoder: config, options: options, seed: seed, model: modelName, version: SnipVersion.string,
            created: ISO8601DateFormatter().string(from: Date())))
    }

    /// Continues the run in `directory` from its last checkpoint; `loadModel` turns the
    /// recorded model name back into the model.
    public static func resume(directory: String, loadModel: (String) throws -> SNIPModel) throws -> DecoderTrainer {
        let run = TrainingRun(directory: directory)
        let settings: DecoderTrainingSettings
        do {
            settings = try run.readSettings(DecoderTrainingSettings.self)
        } catch {
            throw ModelError("\(run.settingsPath): cannot read the run settings: \(error)")
        }
        let model = try loadModel(settings.model)
        run.removeStaleTemporaryFiles()
        guard FileManager.default.fileExists(atPath: run.checkpointPath) else {
            let decoder = try FormulaDecoder(config: settings.decoder, seed: settings.seed)
            try run.truncateMetrics(after: 0)
            return DecoderTrainer(
                model: model, modelName: settings.model, decoder: decoder, options: settings.options, run: run,
                seed: settings.seed, step: 0, skipped: 0)
        }
        let (decoder, moments, counters) = try DecoderCheckpoint.load(run.checkpointPath, for: model, withState: true)
        let trainer = DecoderTrainer(
            model: model, modelName: settings.model, decoder: decoder, options: settings.options, run: run,
            seed: settings.seed, step: counters!.step, skipped: counters!.skipped)
        trainer.optimizer.restore(updates: counters!.updates, moments: moments)
        try run.truncateMetrics(after: trainer.step)
        return trainer
    }

    /// The training data: generated functions of up to the model's input dimension, y as the
    /// model's contract says, skeletons as targets.
    public var data: GeneratedTrainingData {
        var generatorConfig = GeneratorConfiguration(maxInputDimension: model.config.maxInputDimension)
        generatorConfig.normalizeY = model.contract.normalizesY
        return GeneratedTrainingData(
            generator: ExpressionGenerator(configuration: generatorConfig),
            tokenizer: SampleTokenizer(config: model.config, skeleton: true), seed: seed,
            sortsPoints: model.contract.sortsPoints)
    }

    /// Writes the checkpoint and the weights-only file.
    public func saveCheckpoint() throws {
        try DecoderCheckpoint.save(
            decoder, encoder: model, encoderName: modelName, optimizer: optimizer,
            counters: .init(step: step, updates: optimizer.updates, momentSteps: optimizer.moments.map(\.step), skipped: skipped),
            to: run.checkpointPath)
        try DecoderCheckpoint.save(decoder, encoder: model, encoderName: modelName, to: decoderPath)
    }

    /// The decoder ids of the examples' skeletons (those it can write; others are left out).
    func targets(_ examples: [TrainingExample]) -> (examples: [TrainingExample], formulas: [[Int]]) {
        let words = equationVocabulary
        var kept: [TrainingExample] = []
        var formulas: [[Int]] = []
        for example in examples {
            guard let list = try? words.words(of: example.expressionTokens), let ids = decoder.ids(of: list) else { continue }
            kept.append(example)
            formulas.append(ids)
        }
        return (kept, formulas)
    }

    /// Mean teacher-forced loss on `examples` (no update).
    public func evaluate(_ examples: [TrainingExample]) -> Double {
        let (kept, formulas) = targets(examples)
        guard !kept.isEmpty else { return .nan }
        return withoutGrad {
            let latent = model.encodeNumeric(kept).latent
            return Double(decoder.loss(latent: latent, formulas: formulas).item)
        }
    }

    /// Trains until `steps` steps are done or `shouldStop()` turns true; checkpoints every
    /// `checkpointEvery` steps and when it returns.
    public func train(
        steps: Int, progress: (StepMetrics) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> TrainingStop {
        let data = self.data
        let batchSize = options.batchSize
        let prefetcher = Prefetcher(startingAt: step) { step in
            try data.examples(forStep: step, count: batchSize)
        }
        defer { prefetcher.stop() }
        var stop = TrainingStop.finished
        while step < steps {
            if shouldStop() {
                stop = .interrupted
                break
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let (examples, formulas) = targets(try prefetcher.next())
            let outcome: StepOutcome
            if examples.isEmpty {
                outcome = StepOutcome(loss: .nan, gradientNorm: .nan, learningRate: optimizer.learningRate, skipped: true)
            } else {
                let latent = withoutGrad { model.encodeNumeric(examples).latent }
                outcome = optimizationStep(parameters: optimizer.parameters, optimizer: optimizer, clipNorm: options.clipNorm) {
                    decoder.loss(latent: latent, formulas: formulas)
                }
            }
            step += 1
            if outcome.skipped { skipped += 1 }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let metrics = StepMetrics(
                step: step, loss: outcome.loss, learningRate: outcome.learningRate, gradientNorm: outcome.gradientNorm,
                skipped: outcome.skipped, samplesPerSecond: Double(batchSize) / seconds)
            try run.appendMetrics(metrics)
            progress(metrics)
            if step % options.checkpointEvery == 0 { try saveCheckpoint() }
        }
        try saveCheckpoint()
        return stop
    }
}
