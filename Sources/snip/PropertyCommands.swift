import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipSystem
import SnipTensor

/// The four properties of the paper.
enum PropertyName: String, ExpressibleByArgument, CaseIterable {
    case ncr, upward, yavg, oscil

    /// The property of sampled points (exact all-triples NCR, so that it is reproducible).
    func value(_ sample: Sample) -> Double {
        let x = sample.x.map { $0.first ?? 0 }
        switch self {
        case .ncr: return FunctionProperties.exactNonConvexityRatio(x: x, y: sample.y).ratio
        case .upward: return FunctionProperties.upward(x: x, y: sample.y)
        case .yavg: return FunctionProperties.yAverage(y: sample.y)
        case .oscil: return FunctionProperties.oscillation(x: x, y: sample.y)
        }
    }
}

/// Reads a data.prefix file into examples with property targets (the file's `target_property`,
/// or the property computed from the points when a line has none).
func propertyExamples(_ path: String, property: PropertyName, tokenizer: SampleTokenizer) throws -> [TrainingExample] {
    let reader = try DataPrefixReader(path: path)
    var examples: [TrainingExample] = []
    while let sample = try reader.next() {
        do {
            var example = try tokenizer.example(sample)
            // a property computed from the points needs three of them (ncr takes triples)
            guard sample.targetProperty != nil || sample.y.count >= 3 else {
                throw ValidationError("\(property.rawValue) needs at least 3 points, the sample has \(sample.y.count) (and no target_property)")
            }
            let target = sample.targetProperty ?? property.value(sample)
            guard target.isFinite else {
                throw ValidationError(
                    sample.targetProperty != nil
                        ? "target_property is \(target); a property target must be a finite number"
                        : "the \(property.rawValue) of the points is \(target); a property target must be a finite number")
            }
            example.property = target
            examples.append(example)
        } catch {
            throw DataPrefixError(file: path, line: reader.lineNumber, reason: "\(error)")
        }
    }
    guard !examples.isEmpty else { throw ValidationError("\(path) holds no samples") }
    return examples
}

/// Prints metrics as a small table.
func describe(_ m: PropertyMetrics) -> String {
    var lines = [
        String(format: "samples %d  R2 %.4f  MSE %.6g  NMSE %.4f", m.count, m.r2, m.mse, m.nmse)
    ]
    for (i, t) in m.tolerances.enumerated() {
        lines.append(String(format: "within %g (min-max scaled): %.1f%%  (chance %.1f%%)", t, 100 * m.accuracy[i], 100 * m.chanceAccuracy[i]))
    }
    return lines.joined(separator: "\n")
}

/// Writes `line,truth,prediction` rows.
func writePredictions(_ path: String, truths: [Double], predictions: [Double]) throws {
    var text = "line,truth,prediction\n"
    for (i, (t, p)) in zip(truths, predictions).enumerated() { text += "\(i + 1),\(t),\(p)\n" }
    try AtomicFile.write(text: text, to: path)
}

/// `snip train-property`: the paper's property-prediction experiment.
struct TrainPropertyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-property",
        abstract: "Train a property predictor on the symbolic encoder (supervised, frozen or fine-tuned).",
        discussion: """
            Without --init the encoder and head start from scratch (supervised). With --init \
            CKPT they start from a pre-trained model: --freeze trains only the head (frozen), \
            otherwise both (fine-tuned). Writes DIR/model.safetensors, DIR/metrics.jsonl, and, \
            after training, the test metrics (DIR/test-metrics.json) and predictions \
            (DIR/predictions.csv). Defaults are the reference's (batch 16, lr 1e-5, MSE).
            """)

    @Option(help: "The property: ncr, upward, yavg or oscil.")
    var property: PropertyName

    @Option(help: "Training data (data.prefix).")
    var train: String

    @Option(help: "Test data (data.prefix).")
    var test: String

    @Option(help: "A pre-trained model to start from: a checkpoint, or 1d / 10d for a shipped model.")
    var initFrom: String?

    @Flag(help: "Keep the pre-trained encoder fixed (needs --init-from).")
    var freeze = false

    @Option(help: "Model size when training from scratch: small, paper or a JSON file.")
    var config = "small"

    @Option(help: "Training steps.")
    var steps = 1000

    @Option(help: "Examples per step.")
    var batchSize = 16

    @Option(name: .customLong("lr"), help: "Peak learning rate.")
    var learningRate = 1e-5

    @Option(help: "Warm-up updates of the inverse-sqrt schedule (0: constant rate).")
    var warmup = 10_000

    @Option(help: "Seed of a from-scratch model's initialisation.")
    var seed: UInt64 = 0

    @Option(help: "Output directory.")
    var out: String

    func validate() throws {
        guard !freeze || initFrom != nil else { throw ValidationError("--freeze needs a pre-trained model (--init-from)") }
        try Flags.check(steps, "--steps", in: 1...Flags.maxSteps)
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxTrainingBatch)
        try Flags.check(warmup, "--warmup", in: 0...Flags.maxSteps)
        try Flags.checkPositive(learningRate, "--lr")
    }

    func run() throws {
        Interrupt.install(.stopAndSave(announce: true))
        defer { Interrupt.uninstall() }
        try reportingErrors {
            let model = try initFrom.map { try SNIPModel.load(named: $0) }
                ?? SNIPModel(config: PretrainCommand.modelConfig(config, maxInputDimension: 1), seed: seed)
            let mode: PropertyTrainingMode = initFrom == nil ? .supervised : (freeze ? .frozen : .fineTuned)
            let tokenizer = SampleTokenizer(config: model.config)
            let trainExamples = try propertyExamples(train, property: property, tokenizer: tokenizer)
            let testExamples = try propertyExamples(test, property: property, tokenizer: tokenizer)
            var options = PropertyTrainingOptions()
            options.batchSize = batchSize
            options.learningRate = learningRate
            options.warmup = warmup
            try TrainingRun.createDirectory(out)
            let run = TrainingRun(directory: out)
            let trainer = PropertyTrainer(model: model, mode: mode, options: options)
            note("\(mode.rawValue) \(property.rawValue): \(trainExamples.count) training, \(testExamples.count) test examples, \(steps) steps of \(batchSize)")
            let status = StatusLine()
            let clock = DispatchTime.now().uptimeNanoseconds
            let stop = try trainer.train(data: ExampleList(trainExamples), steps: steps, progress: { step, outcome in
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                try? run.appendMetrics(StepMetrics(
                    step: step, loss: outcome.loss, learningRate: outcome.learningRate, gradientNorm: outcome.gradientNorm,
                    skipped: outcome.skipped, samplesPerSecond: Double(step * batchSize) / max(elapsed, 1e-9)))
                status.show(String(format: "step %d/%d  loss %.5f  ETA %@", step, steps, outcome.loss,
                                   formatDuration(elapsed / Double(step) * Double(steps - step))))
            }, shouldStop: { Interrupt.isPending })
            status.finish()
            try model.save(to: out + "/model.safetensors", extraMetadata: [SNIPModel.propertyHeadKey: property.rawValue])
            let truths = testExamples.map { $0.property! }
            let predictions = PropertyTrainer.predict(model: model, expressions: testExamples.map(\.expressionTokens))
            let metrics = PropertyMetrics(predictions: predictions, truths: truths)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(try encoder.encode(metrics), to: out + "/test-metrics.json")
            try writePredictions(out + "/predictions.csv", truths: truths, predictions: predictions)
            if stop == .interrupted { note("interrupted at step \(trainer.step); the model so far is saved") }
            if trainer.skipped > 0 { note("\(trainer.skipped) steps skipped for a NaN or infinite loss or gradient") }
            print(describe(metrics))
        }
    }
}

/// `snip eval-property`: metrics of a trained predictor on a data file.
struct EvalPropertyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval-property",
        abstract: "Evaluate a property predictor: R2, MSE, NMSE, tolerance accuracy and chance.")

    @Option(help: "A train-property output directory or a model file.")
    var model: String

    @Option(help: "Data with the property (data.prefix).")
    var data: String

    @Option(help: "The property, used when a line has no target_property.")
    var property: PropertyName = .ncr

    @Option(help: "Write line,truth,prediction rows to this CSV file.")
    var predictions: String?

    func run() throws {
        try reportingErrors {
            var isDirectory: ObjCBool = false
            let path = FileManager.default.fileExists(atPath: model, isDirectory: &isDirectory) && isDirectory.boolValue
                ? model + "/model.safetensors" : model
            let loaded = try SNIPModel.load(path)
            guard !SNIPModel.propertyHeadIsUntrained(at: path) else {
                throw ValidationError(
                    "\(path): this checkpoint's property head (regressor) was never trained (a pre-training "
                        + "checkpoint, or one without a regressor); train one with `snip train-property --init-from \(path)`")
            }
            let examples = try propertyExamples(data, property: property, tokenizer: SampleTokenizer(config: loaded.config))
            let truths = examples.map { $0.property! }
            let predicted = PropertyTrainer.predict(model: loaded, expressions: examples.map(\.expressionTokens))
            if let predictions { try writePredictions(predictions, truths: truths, predictions: predicted) }
            print(describe(PropertyMetrics(predictions: predicted, truths: truths)))
        }
    }
}
