import ArgumentParser
import Foundation
import SnipMath
import SnipModel
import SnipSystem
import SnipTensor

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
            continues a run exactly where its checkpoint left it, with the data settings and \
            options it started with. Defaults are the reference's (--objective clip, no \
            normalisation of the embeddings, temperature 1); checkpoints record how the model \
            reads its inputs (y scaled or not, skeletons) and scores pairs, and every consumer \
            applies that.

            Under MPI (mpirun -np N snip pretrain …, or srun), N processes train one model: \
            --batch-size is the global batch, split over them; SIGUSR1 stops after a step with a \
            checkpoint (docs/SCALING.md).
            """)

    @Option(help: "Model size: small (64 wide, 2 layers; the default), medium (128 wide, 4 layers), paper, or a JSON file with a ModelConfig. New runs without --init-from only.")
    var config: String?

    @Option(help: "Layers of the symbolic encoder when it should differ from the config's (the numeric encoder keeps them): depth where formulas are read, cheap since a formula is ~22 tokens against 200 points. New runs; with --init-from, more layers than the model's are added after its own, starting as the identity (their outputs zero, the last LayerNorm's gain and shift moved to the last new layer), so training starts from exactly the given model.")
    var symbolicLayers: Int?

    @Option(help: "Width of the symbolic encoder when it should differ from the config's (heads and latent stay). New runs; with --init-from, the model's encoder_f grows to this whole multiple of its width computing exactly what it did (each unit repeated, the weights that read it shared among the copies), so training starts from the given model.")
    var symbolicWidth: Int?

    @Flag(help: "Give mantissa tokens' embeddings (points and formulas) a learned smooth part, a linear map of Fourier features of the mantissa's value, so that nearby numbers start alike (the reference gives each of the 10,000 mantissas its own free row). New runs without --init-from only; the checkpoint records it.")
    var smoothMantissas = false

    @Flag(help: "Give each point's embedding a learned part read from its numbers' values (a linear map of smooth features of x and y), beside their sign, mantissa and exponent tokens, so that values are compared across exponents from the start. New runs only; with --init-from the map is added at zero, so training starts from exactly the given model. The checkpoint records it.")
    var pointValues = false

    @Flag(help: "Give the tokens of a formula's constants a learned part read from the constants' values (the symbolic side's counterpart of --point-values). New runs only; with --init-from the map is added at zero, so training starts from exactly the given model. The checkpoint records it.")
    var constantValues = false

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

    @Option(help: "CLIP temperature (the clip objective's).")
    var temperature = 1.0

    @Option(help: "Contrastive objective: clip (the reference's), clip-normalized (L2-normalised embeddings, learned temperature) or siglip (pairwise sigmoid).")
    var objective: ContrastiveObjective = .clip

    @Option(help: "Starting scale of the learned logits of clip-normalized and siglip (default: 1/0.07 ≈ 14.3 and 10), at most 100. With --init-from a dot-product model (the clip objective's), its typical |z_f|·|z_y| starts the cosine run where the model's scores were. New runs only.")
    var logitScale: Double?

    @Flag(help: "Train the symbolic side alone: the point embedder and encoder_y keep the --init-from model's weights, and their forward pass in training records no gradients (about a third of its usual cost), so steps are ~2× cheaper and every update goes to encoder_f. New runs from --init-from only; recorded in run.json.")
    var freezeNumeric = false

    @Flag(help: "Treat formulas and point sets of a batch whose min-max scaled graphs match (RMSE ≤ 0.01) as matches, not negatives (generated data only).")
    var lookAlikeTargets = false

    @Option(help: "Steps between checkpoints.")
    var checkpointEvery = 1000

    @Option(help: "Largest input dimension of generated functions (and of the model).")
    var maxInputDimension = 1

    @Flag(help: "Min-max scale generated y values to [0, 1].")
    var normalizeY = false

    @Flag(help: "Encode expression skeletons (constants replaced by CONSTANT).")
    var skeleton = false

    @Option(help: "Keep a generated function whose scaled graph is a straight line (about half of 1-D ones) with this probability, drawing another in its place otherwise (1: the generator's mix; e.g. 0.2 for batches of mostly curved functions).")
    var keepStraightLines = 1.0

    @Flag(help: "Sort each function's points by their inputs before encoding (the checkpoint records it and every consumer applies it; the reference reads them in the order drawn).")
    var sortPoints = false

    @Option(help: "Hard negatives: with this probability each odd example of a generated batch is the previous (curved) example's formula with every float constant moved by up to ±30 %, at the same inputs (0: none).")
    var siblings = 0.0

    @Option(help: "Second views: with this probability each odd example of a generated batch is the previous (curved) example's formula on fresh inputs, drawn as the generator draws inputs, so the formula meets two of its graphs in one batch (0: none; with --siblings, the two rates add up to at most 1).")
    var redraws = 0.0

    @Option(help: "Encode only this share of each generated function's points in training (a random subset each step, every point at the position it has in the whole set; the look-alike table and property targets still use all points). 0.5 makes the numeric side's step about half as dear; validation and every later use read whole point sets (1: all).")
    var keepPoints = 1.0

    @Option(help: "Weight of an auxiliary loss (0: none): a small head learns each function's ncr, upward, yavg and oscil from the unit-length formula and point embeddings, so both carry how the function behaves (generated 1-D functions only; the head stays in the run's checkpoint, not in model files).")
    var propertyWeight = 0.0

    @Option(help: "Each property's share of the auxiliary loss, as four comma-separated multipliers of its squared errors in the order ncr,upward,yavg,oscil (default 1,1,1,1; e.g. 1,1,4,1 asks the embeddings for yavg most). Needs --property-weight; recorded in run.json.")
    var propertyShares: String?

    @Option(help: "With --property-weight: the formula embedding learns each formula's properties averaged over N fresh draws of its inputs (what the formula alone fixes, without its own points' draw noise), while the point embedding keeps its own points' (0: both learn the points'; at most 64; recorded in run.json).")
    var propertyRedraws = 0

    @Option(help: "Weight of a soft-neighbour property loss on the formula embedding (default 0: none): each function's four property targets are predicted from the other functions of the batch, weighted by a softmax of their cosine similarity to it, so that functions that behave alike lie near each other, which is what the model report's k-NN probes read. Needs --property-weight (its targets and --property-shares); with --resume, changes the run's loss from here on. Recorded in run.json. (In docs/MODELS.md's stop-43 study it raised the formula embedding's oscil and upward probes, not yavg, and cost some retrieval.)")
    var neighborWeight: Double?

    @Option(help: "Softmax temperature of --neighbor-weight's loss on cosine similarities (default \(NeighborPropertyLoss.defaultTemperature); smaller: fewer, closer neighbours count). With --resume, changes the run's loss from here on.")
    var neighborTemperature: Double?

    /// ``propertyShares`` read as numbers (nil when not given).
    var parsedPropertyShares: [Double]? {
        get throws {
            guard let propertyShares else { return nil }
            let fields = propertyShares.split(separator: ",", omittingEmptySubsequences: false)
            let shares = fields.compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            guard shares.count == fields.count, PretrainingOptions.areValidShares(shares) else {
                throw ValidationError(
                    "--property-shares needs \(PropertyTargets.properties.count) comma-separated numbers ≥ 0 (ncr,upward,yavg,oscil), not \(propertyShares)")
            }
            return shares
        }
    }

    @Option(help: "End the run by annealing: the learning rate falls linearly to 0 over the last N steps of --steps (with --resume: over the next N steps from the checkpoint, after which the run stops; recorded in run.json, so a later --resume finishes the same fall).")
    var cooldown: Int?

    @Option(help: "Start the learning-rate schedule as if N updates were done (with --init-from: give the step the model's run ended at, and the rate continues where that run left it instead of warming up to --lr again; it ramps up from 0 over the first \(PretrainingOptions.scheduleRamp) updates for the fresh optimiser state). Recorded in run.json.")
    var lrScheduleFrom: Int?

    @Option(help: "Precision of the matrix products in training steps (linear layers and attention): float32 (the default) or bfloat16 (operands rounded to bfloat16, float32 sums and softmax; on the AMD EPYC with AVX-512 BF16 measured here about 1.35× faster steps; on Intel Xeons with AMX tiles the products run on the tiles, the attention only from head width 32 on (at 16 it stays float32, as fast there); float32 where AVX-512 BF16 is missing; the run warns at start where bfloat16 measures slower; docs/BENCHMARKS.md). Validation and the saved model stay float32. Recorded in run.json; with --resume, changes the run's precision from here on.")
    var productPrecision: ProductPrecision?

    @Option(help: "Train on these data.prefix files instead of generated functions.")
    var data: [String] = []

    @Option(help: "Steps between validations on --validation-data (0: none); the run keeps the weights that score best in best.safetensors.")
    var validateEvery = 0

    @Option(help: "Held-out functions (data.prefix) to validate on: not the training data, and not the final test set (e.g. snip generate --seed 1000003).")
    var validationData: String?

    @Option(help: "Validate on the first N functions of --validation-data.")
    var validationCount = 1000

    @Option(help: "What makes validated weights the best: top1 (mean look-alike top-1 both ways) or retrieval (mean of top-1 and top-10 both ways, steadier).")
    var selectBy: ValidationRule = .top1

    @Option(help: "Keep an exponential moving average of the weights with this decay (e.g. 0.998; 0: none): validation, best.safetensors and average.safetensors (written at each checkpoint) use it.")
    var ema = 0.0

    @Option(help: "Start a new run from this model's weights (a checkpoint, or 1d / 10d for a shipped model; its config replaces --config; --point-values and --constant-values may add their zero-initialised maps); use a new --seed so the data differs from the run that made it.")
    var initFrom: String?

    func validate() throws {
        guard (out == nil) != (resume == nil) else { throw ValidationError("give exactly one of --out DIR (new run) or --resume DIR") }
        try Flags.check(steps, "--steps", in: 1...Flags.maxSteps)
        try Flags.check(batchSize, "--batch-size", in: 1...Flags.maxTrainingBatch)
        try Flags.check(checkpointEvery, "--checkpoint-every", in: 1...Flags.maxSteps)
        try Flags.check(maxInputDimension, "--max-input-dimension", in: 1...10)
        try Flags.check(warmup, "--warmup", in: 0...Flags.maxSteps)
        try Flags.checkPositive(learningRate, "--lr")
        try Flags.checkPositive(temperature, "--temperature")
        if let logitScale {
            guard logitScale.isFinite, logitScale > 0, logitScale <= ContrastiveLoss.maximumScale else {
                throw ValidationError("--logit-scale must be in (0, \(Int(ContrastiveLoss.maximumScale))], not \(logitScale)")
            }
            if resume != nil {
                throw ValidationError("--logit-scale starts a new run's scale: leave it out with --resume (the checkpoint keeps the trained one)")
            }
            if objective == .clip {
                throw ValidationError("--logit-scale starts a learned scale: pass --objective clip-normalized or siglip (clip has a fixed --temperature)")
            }
        }
        if freezeNumeric && (resume != nil || initFrom == nil) {
            throw ValidationError("--freeze-numeric keeps a trained numeric encoder: give it with --init-from MODEL in a new run (a resumed run keeps its own setting)")
        }
        guard clip.isFinite, clip >= 0 else { throw ValidationError("--clip must be 0 (off) or a positive number, not \(clip)") }
        try Flags.check(validateEvery, "--validate-every", in: 0...Flags.maxSteps)
        if let symbolicLayers {
            try Flags.check(symbolicLayers, "--symbolic-layers", in: ModelConfig.layerRange)
            if resume != nil {
                throw ValidationError("--symbolic-layers shapes a new model: leave it out with --resume (the run keeps its own)")
            }
        }
        if let symbolicWidth {
            try Flags.check(symbolicWidth, "--symbolic-width", in: ModelConfig.widthRange)
            if resume != nil {
                throw ValidationError("--symbolic-width shapes a new model: leave it out with --resume (the run keeps its own)")
            }
        }
        if let config, resume != nil || initFrom != nil {
            throw ValidationError("--config \(config) shapes a new model: leave it out with --resume and --init-from (the run or model keeps its own)")
        }
        if smoothMantissas && (resume != nil || initFrom != nil) {
            throw ValidationError("--smooth-mantissas shapes a new model: leave it out with --resume and --init-from")
        }
        if pointValues && resume != nil {
            throw ValidationError("--point-values shapes a new model: leave it out with --resume")
        }
        if constantValues && resume != nil {
            throw ValidationError("--constant-values shapes a new model: leave it out with --resume")
        }
        if let cooldown {
            try Flags.check(cooldown, "--cooldown", in: 1...(resume == nil ? steps : Flags.maxSteps))
        }
        if let lrScheduleFrom {
            try Flags.check(lrScheduleFrom, "--lr-schedule-from", in: 0...Flags.maxSteps)
            if resume != nil {
                throw ValidationError("--lr-schedule-from starts a new run's schedule: leave it out with --resume (the run keeps its own)")
            }
        }
        guard keepStraightLines.isFinite, (0...1).contains(keepStraightLines) else {
            throw ValidationError("--keep-straight-lines must be a probability in [0, 1], not \(keepStraightLines)")
        }
        if keepStraightLines < 1 && !data.isEmpty {
            throw ValidationError("--keep-straight-lines applies to generated functions (leave out --data)")
        }
        guard keepPoints.isFinite, keepPoints > 0, keepPoints <= 1 else {
            throw ValidationError("--keep-points must be a share in (0, 1], not \(keepPoints)")
        }
        if keepPoints < 1 && !data.isEmpty {
            throw ValidationError("--keep-points applies to generated functions (leave out --data)")
        }
        guard siblings.isFinite, (0...1).contains(siblings) else {
            throw ValidationError("--siblings must be a probability in [0, 1], not \(siblings)")
        }
        guard propertyWeight.isFinite, propertyWeight >= 0 else {
            throw ValidationError("--property-weight must be a finite weight ≥ 0, not \(propertyWeight)")
        }
        if try parsedPropertyShares != nil && propertyWeight == 0 {
            throw ValidationError("--property-shares divides the auxiliary loss among the properties; it needs --property-weight")
        }
        if let neighborWeight, !PretrainingOptions.isValidNeighborWeight(neighborWeight) {
            throw ValidationError("--neighbor-weight must be a finite weight ≥ 0, not \(neighborWeight)")
        }
        if let neighborTemperature, !PretrainingOptions.isValidNeighborTemperature(neighborTemperature) {
            throw ValidationError("--neighbor-temperature must lie in \(PretrainingOptions.neighborTemperaturesText), not \(neighborTemperature)")
        }
        if resume == nil && (neighborWeight ?? 0) > 0 && propertyWeight == 0 {
            throw ValidationError("--neighbor-weight needs the property targets of --property-weight")
        }
        if resume == nil && neighborTemperature != nil && (neighborWeight ?? 0) == 0 {
            throw ValidationError("--neighbor-temperature sets the neighbour loss's softmax; it needs --neighbor-weight")
        }
        try Flags.check(propertyRedraws, "--property-redraws", in: 0...PretrainingDataSpec.maxPropertyRedraws)
        if propertyRedraws > 0 && propertyWeight == 0 {
            throw ValidationError("--property-redraws sets the formula embedding's property targets; it needs --property-weight")
        }
        if propertyWeight > 0 && (!data.isEmpty || maxInputDimension != 1) {
            throw ValidationError("--property-weight needs generated one-dimensional functions (leave out --data and --max-input-dimension)")
        }
        guard redraws.isFinite, redraws >= 0, siblings + redraws <= 1 else {
            throw ValidationError("--redraws must be a probability in [0, 1 − --siblings], not \(redraws)")
        }
        if redraws > 0 && !data.isEmpty {
            throw ValidationError("--redraws applies to generated functions (leave out --data)")
        }
        if siblings > 0 && !data.isEmpty {
            throw ValidationError("--siblings applies to generated functions (leave out --data)")
        }
        guard ema.isFinite, ema >= 0, ema < 1 else { throw ValidationError("--ema must be 0 (off) or a decay in (0, 1), not \(ema)") }
        try Flags.check(validationCount, "--validation-count", in: 20...Flags.maxRetrievalCandidates)
        guard (validateEvery > 0) == (validationData != nil) else {
            throw ValidationError("--validate-every N and --validation-data FILE go together")
        }
        if selectBy != .top1 && validateEvery == 0 {
            throw ValidationError("--select-by needs --validate-every and --validation-data")
        }
        if resume != nil && (validationData != nil || ema != 0 || selectBy != .top1 || keepStraightLines != 1 || sortPoints || siblings != 0 || redraws != 0 || propertyWeight != 0 || propertyShares != nil || propertyRedraws != 0 || keepPoints != 1) {
            throw ValidationError("a resumed run validates, averages and draws its data as it started; leave out --validate-every, --validation-data, --select-by, --ema, --keep-straight-lines, --sort-points, --siblings, --redraws, --keep-points, --property-weight, --property-shares and --property-redraws")
        }
    }

    func run() throws {
        let group: ProcessGroup
        if let launch = MPILaunch.detected {
            do {
                group = try MPIProcessGroup.start()
            } catch {
                FileHandle.standardError.write(Data("snip: error: \(error)\n".utf8))
                throw ExitCode.failure
            }
            if group.isLeader {
                note("MPI: \(group.size) processes (\(launch.describe)), \(Runtime.threadCount) compute threads each")
            }
        } else {
            group = SingleProcess()
        }
        // only rank 0 prints; an error on any rank ends the whole job
        let leader = group.isLeader
        let note: @Sendable (String) -> Void = { message in if leader { snip.note(message) } }
        // Ctrl-C, SIGTERM, SIGHUP and SIGUSR1 stop after the current step and save
        Interrupt.install(.stopAndSave(announce: leader))
        defer { Interrupt.uninstall() }
        try reportingErrors(in: group) {
            let trainer: Pretrainer
            let runSeed: UInt64
            let modelConfig: ModelConfig
            let spec: PretrainingDataSpec
            if let resume {
                (trainer, runSeed) = try Pretrainer.resume(
                    directory: resume, group: group, cooldown: cooldown, productPrecision: productPrecision,
                    neighborWeight: neighborWeight, neighborTemperature: neighborTemperature)
                modelConfig = trainer.model.config
                guard let recorded = trainer.dataSpec else {
                    throw ValidationError("\(resume) does not record its data settings (it trained on files); cannot resume it safely")
                }
                spec = recorded
                note("resuming \(resume) at step \(trainer.step) (\(spec.description))")
            } else {
                let start = try initFrom.map { try SNIPModel.load(named: $0) }
                var chosen = try start?.config ?? Self.modelConfig(config ?? "small", maxInputDimension: maxInputDimension)
                if let symbolicLayers { chosen.symbolicLayers = symbolicLayers }
                if let symbolicWidth { chosen.symbolicWidth = symbolicWidth }
                if smoothMantissas { chosen.smoothMantissas = true }
                if pointValues { chosen.pointValues = true }
                if constantValues { chosen.constantValues = true }
                if let start, start.config.maxInputDimension != maxInputDimension {
                    throw ValidationError("--init-from \(initFrom!) reads up to \(start.config.maxInputDimension) variables; pass --max-input-dimension \(start.config.maxInputDimension)")
                }
                var options = PretrainingOptions()
                options.batchSize = batchSize
                options.learningRate = learningRate
                options.warmup = warmup
                options.clipNorm = clip
                options.temperature = temperature
                options.checkpointEvery = checkpointEvery
                options.objective = objective
                options.initialLogitScale = logitScale
                options.freezeNumeric = freezeNumeric
                options.lookAlikeTargets = lookAlikeTargets
                options.validateEvery = validateEvery
                options.validationData = validationData
                options.validationCount = validationCount
                options.averageDecay = ema
                options.validationRule = selectBy
                options.propertyWeight = propertyWeight
                options.propertyShares = try parsedPropertyShares
                options.neighborWeight = neighborWeight ?? 0
                options.neighborTemperature = neighborTemperature ?? NeighborPropertyLoss.defaultTemperature
                options.cooldown = cooldown.map { .init(from: self.steps - $0, steps: $0) }
                options.scheduleOffset = lrScheduleFrom
                options.productPrecision = productPrecision ?? .float32
                if lookAlikeTargets && !data.isEmpty {
                    throw ValidationError("--look-alike-targets needs generated data (leave out --data)")
                }
                spec = PretrainingDataSpec(
                    files: data, maxInputDimension: maxInputDimension, normalizeY: normalizeY, skeleton: skeleton,
                    straightLineKeep: keepStraightLines, sortPoints: sortPoints, siblingRate: siblings, redrawRate: redraws,
                    pointKeep: keepPoints, propertyRedraws: propertyRedraws)
                if let start, start.contractIsRecorded {
                    // the run's data and objective decide how the trained model reads its inputs
                    let changes = Self.contractChanges(from: start.contract, to: ModelContract(
                        normalizesY: normalizeY, skeleton: skeleton, similarity: objective.similarity, sortsPoints: sortPoints))
                    for change in changes {
                        note("warning: --init-from \(initFrom!): \(change)")
                    }
                }
                let model = try start?.started(as: chosen, seed: seed) ?? SNIPModel(config: chosen, seed: seed)
                if let start, start.config.symbolicEncoderWidth != model.config.symbolicEncoderWidth {
                    note("encoder_f widened from \(start.config.symbolicEncoderWidth) to \(model.config.symbolicEncoderWidth) (\(model.parameterCount) parameters); it computes what --init-from's did")
                }
                if let start, start.config.symbolicEncoderLayers != model.config.symbolicEncoderLayers {
                    note("encoder_f deepened from \(start.config.symbolicEncoderLayers) to \(model.config.symbolicEncoderLayers) layers (\(model.parameterCount) parameters); it computes what --init-from's did")
                }
                modelConfig = model.config
                trainer = try Pretrainer(
                    model: model, options: options, directory: out!, seed: seed,
                    data: spec, initializedFrom: initFrom, group: group)
                if let initFrom, try trainer.carryPropertyTargetHead(from: initFrom) {
                    note("the auxiliary property head continues from \(initFrom)")
                }
                runSeed = seed
            }
            let source = try spec.trainingData(
                config: modelConfig, seed: runSeed, propertyTargets: trainer.options.propertyWeight > 0, note: note)
            let validation = try group.isLeader ? Self.validation(trainer.options) : nil
            if trainer.options.productPrecision == .bfloat16 {
                let headWidth = modelConfig.width / max(modelConfig.heads, 1)
                note(!ProductPrecision.bfloat16IsAvailable
                    ? "warning: this CPU has no AVX-512 BF16 (or SNIP_NARROW_PRODUCTS=0): products stay float32"
                    : ProductPrecision.attentionInBFloat16(headWidth: headWidth)
                    ? "training steps multiply in bfloat16 (linear layers and attention; float32 sums)"
                    : "training steps multiply in bfloat16 on AMX tiles (linear layers; the attention at head width \(headWidth) stays float32, as fast on this CPU; float32 sums)")
                if group.isLeader, let speedup = ProductPrecision.measuredBFloat16Speedup(), speedup < 0.95 {
                    note("warning: on this CPU bfloat16 products run at \(String(format: "%.2f", speedup))× the speed of float32's (measured just now), so steps are slower: leave out --product-precision bfloat16 here (docs/BENCHMARKS.md)")
                }
            }
            if trainer.options.freezeNumeric {
                note("training the symbolic side only: the point embedder and encoder_y keep their starting weights")
            }
            if let validation {
                note("validating every \(trainer.options.validateEvery) steps on \(validation.samples.count) functions of \(trainer.options.validationData ?? ""); best weights go to \(trainer.run.bestModelPath)")
            }
            if trainer.options.neighborWeight > 0 {
                note(String(
                    format: "soft-neighbour property loss on the formula embedding: weight %g, temperature %g",
                    trainer.options.neighborWeight, trainer.options.neighborTemperature))
            }
            if let cooldown = trainer.options.cooldown {
                note("cooling down: the learning rate falls linearly to 0 over updates \(cooldown.from + 1)–\(cooldown.from + cooldown.steps); the run ends there")
            }
            let steps = trainer.finalStep(towards: self.steps)
            let status = group.isLeader ? StatusLine() : nil
            let start = trainer.step
            let clock = DispatchTime.now().uptimeNanoseconds
            let stop = try trainer.train(data: source, steps: steps, validation: validation, progress: { m in
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - clock) / 1e9
                let rate = Double(m.step - start) / max(elapsed, 1e-9)
                let eta = Double(steps - m.step) / max(rate, 1e-9)
                let best = trainer.bestValidation.map {
                    String(format: "  best %.3f (step %d)", $0.score(by: trainer.options.validationRule), $0.step)
                } ?? ""
                status?.show(String(
                    format: "step %d/%d  loss %.4f%@  lr %.2e  %.1f samples/s  ETA %@%@%@", m.step, steps, m.loss,
                    (m.propertyLoss.map { String(format: " (property %.3f)", $0) } ?? "")
                        + (m.neighborLoss.map { String(format: " (neighbour %.3f)", $0) } ?? ""), m.learningRate,
                    m.samplesPerSecond, formatDuration(eta), best, trainer.skipped > 0 ? "  skipped \(trainer.skipped)" : ""))
            }, validated: { metrics, isBest in
                status?.finish()
                note("validation \(metrics.summary)\(isBest ? "  (best so far)" : "")")
            }, shouldStop: { Interrupt.isPending })
            status?.finish()
            switch stop {
            case .finished: note("finished \(trainer.step) steps; checkpoint in \(trainer.run.checkpointPath)")
            case .interrupted: note("interrupted at step \(trainer.step); checkpoint saved, continue with --resume \(trainer.run.directory)")
            }
            if trainer.skipped > 0 { note("\(trainer.skipped) steps skipped for a NaN or infinite loss or gradient") }
        }
        (group as? MPIProcessGroup)?.finish()
    }

    /// The held-out functions a run's options name (nil when it does not validate).
    static func validation(_ options: PretrainingOptions) throws -> TrainingValidation? {
        guard options.validateEvery > 0, let path = options.validationData else { return nil }
        let samples: [Sample]
        do {
            samples = try firstSamples(of: path, count: options.validationCount).samples
        } catch {
            throw ValidationError("--validation-data \(path): \(error)")
        }
        return try TrainingValidation(samples: samples)
    }

    /// `reportingErrors`, except that in a group of several processes an error ends every
    /// process (MPI_Abort) with the message of the rank that failed.
    private func reportingErrors(in group: ProcessGroup, _ body: () throws -> Void) throws {
        guard group.size > 1 else { return try snip.reportingErrors(body) }
        do {
            try body()
        } catch {
            group.abort("error: \(error)", code: 1)
            throw ExitCode.failure
        }
    }

    /// The largest `--config` file read.
    static let maxConfigBytes = 1 << 20

    /// One line for each way a run under `new` changes how a model trained under `old` reads
    /// its inputs, with the flag that would keep it (empty when they read alike).
    static func contractChanges(from old: ModelContract, to new: ModelContract) -> [String] {
        var lines: [String] = []
        if old.normalizesY != new.normalizesY {
            lines.append(old.normalizesY
                ? "it was trained on min-max scaled y, this run uses raw y (pass --normalize-y to keep it)"
                : "it was trained on raw y, this run scales y to [0, 1] (leave out --normalize-y to keep it)")
        }
        if old.sortsPoints != new.sortsPoints {
            lines.append(old.sortsPoints
                ? "it reads points sorted by x, this run gives them as drawn (pass --sort-points to keep it)"
                : "it reads points as drawn, this run sorts them by x (leave out --sort-points to keep it)")
        }
        if old.skeleton != new.skeleton {
            lines.append(old.skeleton
                ? "it reads skeletons, this run gives whole expressions (pass --skeleton to keep it)"
                : "it reads whole expressions, this run gives skeletons (leave out --skeleton to keep it)")
        }
        if old.similarity != new.similarity {
            lines.append(old.similarity == .dot
                ? "it scores pairs by dot product, this run by cosine (--objective clip keeps it)"
                : "it scores pairs by cosine, this run by dot product (--objective clip-normalized or siglip keeps it)")
        }
        return lines
    }

    static func modelConfig(_ name: String, maxInputDimension: Int) throws -> ModelConfig {
        switch name {
        case "small": return .small(maxInputDimension: maxInputDimension)
        case "medium": return .medium(maxInputDimension: maxInputDimension)
        case "paper": return .paper(maxInputDimension: maxInputDimension)
        default:
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory), !isDirectory.boolValue,
                let handle = FileHandle(forReadingAtPath: name)
            else {
                throw ValidationError("--config: '\(name)' is not small, medium, paper or a readable JSON file")
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

extension ContrastiveObjective: ExpressibleByArgument {}
extension ValidationRule: ExpressibleByArgument {}
extension ProductPrecision: ExpressibleByArgument {}
