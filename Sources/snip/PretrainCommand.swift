import ArgumentParser
import Foundation
import SnipMath
import SnipModel

/// `snip pretrain`: CLIP pre-training, on generated functions or data.prefix files.
struct PretrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pretrain",
        abstract: "Pre-train a SNIP model with the contrastive (CLIP) loss.",
        discussion: """
            Functions are generated on the fly (on a background thread, overlapped with the \
            model's work) unless --data gives data.prefix files. The run directory (--out) gets \
            run.json (settings, seed, snip version), metrics.jsonl (one line per step) and \
            checkpoint.safetensors (written atomically every --checkpoint-every steps and at the \
            end). Ctrl-C stops after the current step and saves a checkpoint; --resume DIR \
            continues a run exactly where its checkpoint left it. Defaults are the reference's.
            """)

    @Option(help: "Model size: small, paper, or a JSON file with a ModelConfig.")
    var config = "small"

    @Option(help: "Training steps in total (a resumed run continues to this count).")
    var steps = 1000

    @Option(help: "Random seed of the model's initialisation and of the generated data.")
    var seed: UInt64 = 0

    @Option(help: "Run directory to create.")
    var out: String?

    @Option(help: "Run directory to continue.")
    var resume: String?

    @Option(help: "Examples per step.")
    var batchSize = 256

    @Option(name: .customLong("lr"), help: "Peak learning rate.")
    var learningRate = 4e-5

    @Option(help: "Warm-up updates of the inverse-sqrt schedule.")
    var warmup = 10_000

    @Option(help: "Gradient-norm limit (0: off).")
    var clip = 0.5

    @Option(help: "CLIP temperature.")
    var temperature = 1.0

    @Option(help: "Steps between checkpoints.")
    var checkpointEvery = 1000

    @Option(help: "Largest input dimension of generated functions (and of the model).")
    var maxInputDimension = 1

    @Flag(help: "Min-max scale generated y values to [0, 1].")
    var normalizeY = false

    @Flag(help: "Encode expression skeletons (constants replaced by CONSTANT).")
    var skeleton = false

    @Option(help: "Train on these data.prefix files instead of generated functions.")
    var data: [String] = []

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("give exactly one of --out DIR (new run) or --resume DIR") }
        try Flags.check(steps, "--steps", in: 1...Flags.maxSteps)
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxTrainingBatch)
        try Flags.check(checkpointEvery, "--checkpoint-every", in: 1...Flags.maxSteps)
        try Flags.check(maxInputDimension, "--max-input-dimension", in: 1...10)
        try Flags.check(warmup, "--warmup", in: 0...Flags.maxSteps)
        try Flags.checkPositive(learningRate, "--lr")
        try Flags.checkPositive(temperature, "--temperature")
        guard clip.isFinite, clip >= 0 else { throw ValidationError("--clip must be 0 (off) or a positive number, not \(clip)") }
    }

    func run() throws {
        let interrupt = InterruptFlag()
        try reportingErrors {
            let trainer: Pretrainer
            let runSeed: UInt64
            let modelConfig: ModelConfig
            if let resume {
                (trainer, runSeed) = try Pretrainer.resume(directory: resume)
                modelConfig = trainer.model.config
                note("resuming \(resume) at step \(trainer.step)")
            } else {
                modelConfig = try Self.modelConfig(config, maxInputDimension: maxInputDimension)
                var options = PretrainingOptions()
                options.batchSize = batchSize
                options.learningRate = learningRate
                options.warmup = warmup
                options.clipNorm = clip
                options.temperature = temperature
                options.checkpointEvery = checkpointEvery
                let description = data.isEmpty
                    ? "generated: max input dimension \(maxInputDimension)\(normalizeY ? ", normalized y" : "")\(skeleton ? ", skeletons" : "")"
                    : "files: " + data.joined(separator: ", ")
                trainer = try Pretrainer(
                    model: SNIPModel(config: modelConfig, seed: seed), options: options, directory: out!, seed: seed,
                    dataDescription: description)
                runSeed = seed
            }
            let source = try makeData(config: modelConfig, seed: runSeed)
            let status = StatusLine()
            let start = trainer.step
            let clock = DispatchTime.now().uptimeNanoseconds
            let stop = try trainer.train(data: source, steps: steps, progress: { m in
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                let rate = Double(m.step - start) / max(elapsed, 1e-9)
                let eta = Double(steps - m.step) / max(rate, 1e-9)
                status.show(String(
                    format: "step %d/%d  loss %.4f  lr %.2e  %.1f samples/s  ETA %@%@", m.step, steps, m.loss, m.learningRate,
                    m.samplesPerSecond, formatDuration(eta), trainer.skipped > 0 ? "  skipped \(trainer.skipped)" : ""))
            }, shouldStop: { interrupt.isSet })
            status.finish()
            switch stop {
            case .finished: note("finished \(trainer.step) steps; checkpoint in \(trainer.run.checkpointPath)")
            case .interrupted: note("interrupted at step \(trainer.step); checkpoint saved, continue with --resume \(trainer.run.directory)")
            }
            if trainer.skipped > 0 { note("\(trainer.skipped) steps skipped for a NaN or infinite loss or gradient") }
        }
    }

    private func makeData(config: ModelConfig, seed: UInt64) throws -> TrainingData {
        let tokenizer = SampleTokenizer(config: config, skeleton: skeleton)
        if data.isEmpty {
            var generatorConfig = GeneratorConfiguration(maxInputDimension: config.maxInputDimension)
            generatorConfig.normalizeY = normalizeY
            return GeneratedTrainingData(generator: ExpressionGenerator(configuration: generatorConfig), tokenizer: tokenizer, seed: seed)
        }
        var examples: [TrainingExample] = []
        for path in data {
            let reader = try DataPrefixReader(path: path, skipMalformedLines: true)
            while let sample = try reader.next() {
                do {
                    examples.append(try tokenizer.example(sample))
                } catch {
                    throw DataPrefixError(file: path, line: reader.lineNumber, reason: "\(error)")
                }
            }
            if reader.skippedLines > 0 { note("\(path): skipped \(reader.skippedLines) malformed lines (first: \(reader.skippedErrors.first.map { "\($0)" } ?? ""))") }
        }
        guard !examples.isEmpty else { throw ValidationError("no training examples in \(data.joined(separator: ", "))") }
        return ExampleList(examples)
    }

    /// The largest `--config` file read.
    static let maxConfigBytes = 1 << 20

    static func modelConfig(_ name: String, maxInputDimension: Int) throws -> ModelConfig {
        switch name {
        case "small": return .small(maxInputDimension: maxInputDimension)
        case "paper": return .paper(maxInputDimension: maxInputDimension)
        default:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), !isDirectory.boolValue,
                let handle = FileHandle(forReadingAtPath: name)
            else {
                throw ValidationError("--config: '\(name)' is not small, paper or a readable JSON file")
            }
            defer { try? handle.close() }
            // a config is a few hundred bytes; read a little more than the limit to detect more
            let data = (try? handle.read(upToCount: maxConfigBytes + 1)) ?? Data()
            guard data.count <= maxConfigBytes else {
                throw ValidationError("--config \(name): larger than \(maxConfigBytes >> 10) KiB; not a model config")
            }
            do {
                return try ModelConfig.decode(json: data, source: "--config \(name)")
            } catch {
                throw ValidationError("\(error)")
            }
        }
    }
}
