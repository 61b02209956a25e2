import ArgumentParser
import Foundation
import SnipModel
import SnipSystem
import SnipTensor

struct TrainDecoderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-decoder",
        abstract: "Train a formula decoder on a SNIP model's numeric encoder (for symbolic regression).",
        discussion: """
            The decoder writes formula skeletons (operators, CONSTANT, x_i in prefix order) from \
            the latent vector the model's numeric encoder makes of a function's points; the \
            encoder stays frozen, as in the reference's SNIP symbolic regression. Functions are \
            generated on the fly up to the model's input dimension. The run directory (--out) gets \
            run.json, metrics.jsonl, checkpoint.safetensors (with the optimiser's state) and \
            decoder.safetensors (the weights alone, for `snip regress --decoder`), written \
            atomically every --checkpoint-every steps and at the end. Ctrl-C stops after the \
            current step and saves; --resume DIR continues exactly.
            """)

    @Option(help: "The SNIP model whose numeric encoder feeds the decoder: a checkpoint, or 1d / 10d for a shipped model.")
    var model = "10d"

    @Option(help: "Training steps in total (a resumed run continues to this count).")
    var steps = 10_000

    @Option(help: "Random seed of the decoder's initialisation and of the generated data.")
    var seed: UInt64 = 0

    @Option(help: "Run directory to create.")
    var out: String?

    @Option(help: "Run directory to continue.")
    var resume: String?

    @Option(help: "Examples per step.")
    var batchSize = 64

    @Option(name: .customLong("lr"), help: "Peak learning rate.")
    var learningRate = 5e-4

    @Option(help: "Warm-up updates of the inverse-sqrt schedule.")
    var warmup = 1000

    @Option(help: "Gradient-norm limit (0: off).")
    var clip = 1.0

    @Option(help: "Steps between checkpoints.")
    var checkpointEvery = 250

    @Option(help: "Decoder width.")
    var width = 64

    @Option(help: "Decoder layers.")
    var layers = 2

    @Option(help: "Pseudo-tokens the mapper makes of a latent vector.")
    var memoryTokens = 8

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("give exactly one of --out DIR (new run) or --resume DIR") }
        try Flags.check(steps, "--steps", in: 1...Flags.maxSteps)
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxTrainingBatch)
        try Flags.check(checkpointEvery, "--checkpoint-every", in: 1...Flags.maxSteps)
        try Flags.check(warmup, "--warmup", in: 0...Flags.maxSteps)
        try Flags.check(width, "--width", in: 4...2048)
        try Flags.check(layers, "--layers", in: 1...32)
        try Flags.check(memoryTokens, "--memory-tokens", in: 1...512)
        try Flags.checkPositive(learningRate, "--lr")
        guard clip.isFinite, clip >= 0 else { throw ValidationError("--clip must be 0 (off) or a positive number, not \(clip)") }
    }

    func run() throws {
        Interrupt.install(.stopAndSave(announce: true))
        defer { Interrupt.uninstall() }
        try reportingErrors {
            let trainer: DecoderTrainer
            if let resume {
                trainer = try DecoderTrainer.resume(directory: resume, loadModel: SNIPModel.load(named:))
                note("resuming \(resume) at step \(trainer.step) (model \(trainer.modelName))")
            } else {
                let snip = try SNIPModel.load(named: model)
                var config = DecoderConfig(model: snip.config)
                config.width = width
                config.layers = layers
                config.memoryTokens = memoryTokens
                var options = DecoderTrainingOptions()
                options.batchSize = batchSize
                options.learningRate = learningRate
                options.warmup = warmup
                options.clipNorm = clip
                options.checkpointEvery = checkpointEvery
                trainer = try DecoderTrainer(
                    model: snip, modelName: model, decoder: config, options: options, directory: out!, seed: seed)
                note("decoder: \(trainer.decoder.parameterCount) parameters on \(model) (latent \(config.latent), up to \(config.maxInputDimension) variables)")
            }
            let status = StatusLine()
            let start = trainer.step
            let clock = DispatchTime.now().uptimeNanoseconds
            let stop = try trainer.train(steps: steps, progress: { m in
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                let rate = Double(m.step - start) / max(elapsed, 1e-9)
                let eta = Double(steps - m.step) / max(rate, 1e-9)
                status.show(String(
                    format: "step %d/%d  loss %.4f  lr %.2e  %.1f samples/s  ETA %@", m.step, steps, m.loss, m.learningRate,
                    m.samplesPerSecond, formatDuration(eta)))
            }, shouldStop: { Interrupt.isPending })
            status.finish()
            switch stop {
            case .finished: note("finished \(trainer.step) steps; decoder in \(trainer.decoderPath)")
            case .interrupted: note("interrupted at step \(trainer.step); checkpoint saved, continue with --resume \(trainer.run.directory)")
            }
        }
    }
}
