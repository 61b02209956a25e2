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
    /// The contrastive objective (the reference's `clip` by default).
    public var objective = ContrastiveObjective.clip
    /// Count formulas and point sets of a batch that look alike (RMSE ≤ 0.01 on min-max scaled
    /// graphs) as matches rather than negatives (needs generated data).
    public var lookAlikeTargets = false
    /// Steps between validations on held-out functions (0: none); the run keeps the weights
    /// that scored best (see ``TrainingValidation``).
    public var validateEvery = 0
    /// The data.prefix file of the held-out functions.
    public var validationData: String?
    /// How many of its functions to use (the first ones).
    public var validationCount = 1000
    /// Decay of an exponential moving average of the weights (0: none); validation, the best
    /// weights and `average.safetensors` then use the average (see ``WeightAverage``).
    public var averageDecay = 0.0
    /// The figure that decides which validated weights are the best.
    public var validationRule = ValidationRule.top1
    /// Weight of the auxiliary property loss (0: none, the reference's objective alone): a
    /// small head learns each function's ncr, upward, yavg and oscil from the unit-length z_f
    /// and z_y (``PropertyTargets``; generated 1-D functions only).
    public var propertyWeight = 0.0
    /// Each property's share of the auxiliary loss, in ``PropertyTargets/properties`` order
    /// (ncr, upward, yavg, oscil): its squared errors are multiplied by its entry (nil: all 1).
    public var propertyShares: [Double]?
    /// Weight of the soft-neighbour property loss on z_f (0: none; needs ``propertyWeight``'s
    /// targets): ``NeighborPropertyLoss`` over the whole batch, with ``propertyShares``.
    public var neighborWeight = 0.0
    /// The softmax temperature of ``neighborWeight``'s loss on cosine similarities.
    public var neighborTemperature = NeighborPropertyLoss.defaultTemperature
    /// An annealing phase that ends the run (nil: none): the learning rate falls linearly to 0
    /// over its updates, and the run stops when they are done.
    public var cooldown: Cooldown?
    /// Updates the learning-rate schedule counts as done before this run's first (nil: none):
    /// a run that starts from a trained model's weights (`--init-from`) continues that model's
    /// schedule instead of warming up to the peak again, after a ramp of ``scheduleRamp``
    /// updates for the fresh optimiser state.
    public var scheduleOffset: Int?
    /// The precision of the linear layers' and attention's products in training steps (validation and every
    /// later use of the model stay float32); ``ProductPrecision/bfloat16`` trains faster on CPUs
    /// with AVX-512 BF16.
    public var productPrecision = ProductPrecision.float32
    /// The scale the logits of a normalised objective (clip-normalized, siglip) start at (nil:
    /// the objective's own, ``ContrastiveLoss/defaultInitialScale(of:)``), e.g. a dot-product
    /// model's typical |z_f|·|z_y| when a run turns it into a cosine one; only a new run's first
    /// step reads it (the scale is then a trained parameter of the checkpoint).
    public var initialLogitScale: Double?
    /// Train the symbolic side alone (LiT's locked tower, the other way round): the point
    /// embedder and encoder_y keep the weights the run starts from, and their forward pass in
    /// training steps records no autodiff graph, so it costs about a third of a trained one.
    public var freezeNumeric = false

    /// Whether `shares` can be ``propertyShares``: one finite value ≥ 0 per property.
    public static func areValidShares(_ shares: [Double]) -> Bool {
        shares.count == PropertyTargets.properties.count && shares.allSatisfy { $0.isFinite && $0 >= 0 }
    }

    /// Whether `weight` can be ``neighborWeight``: finite and ≥ 0.
    public static func isValidNeighborWeight(_ weight: Double) -> Bool { weight.isFinite && weight >= 0 }

    /// The values ``neighborTemperature`` may take.
    public static let neighborTemperatures: ClosedRange<Double> = 0.001...10
    /// ``neighborTemperatures`` as messages write it: `[0.001, 10]`.
    public static var neighborTemperaturesText: String {
        String(format: "[%g, %g]", neighborTemperatures.lowerBound, neighborTemperatures.upperBound)
    }

    /// Whether `temperature` can be ``neighborTemperature``: in ``neighborTemperatures``.
    public static func isValidNeighborTemperature(_ temperature: Double) -> Bool { neighborTemperatures.contains(temperature) }

    /// Updates over which a shifted schedule (``scheduleOffset``) ramps up from 0.
    public static let scheduleRamp = 100

    /// The last updates of a run, over which the learning rate falls linearly to 0.
    public struct Cooldown: Codable, Equatable, Sendable {
        /// Updates done before the fall starts.
        public var from: Int
        /// Updates the fall takes; the run ends after update `from + steps`.
        public var steps: Int

        public init(from: Int, steps: Int) {
            self.from = from
            self.steps = steps
        }
    }

    /// The learning rate schedule these options give: inverse-sqrt with warm-up, ending in the
    /// cool-down where there is one.
    public var schedule: LearningRateSchedule {
        let inverseSquareRoot = LearningRateSchedule.inverseSquareRoot(peak: learningRate, warmup: warmup)
        let base = scheduleOffset.map { .shifted(base: inverseSquareRoot, by: $0, ramp: Self.scheduleRamp) } ?? inverseSquareRoot
        return cooldown.map { .linearCooldown(base: base, from: $0.from, steps: $0.steps) } ?? base
    }

    public init() {}

    private enum CodingKeys: String, CodingKey {
        case batchSize, learningRate, warmup, clipNorm, temperature, checkpointEvery, objective, lookAlikeTargets
        case validateEvery, validationData, validationCount, averageDecay, validationRule, propertyWeight, cooldown
        case propertyShares, neighborWeight, neighborTemperature
        case scheduleOffset, productPrecision, initialLogitScale, freezeNumeric
    }

    /// Reads options; runs recorded before a field existed get its default.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        batchSize = try c.decode(Int.self, forKey: .batchSize)
        learningRate = try c.decode(Double.self, forKey: .learningRate)
        warmup = try c.decode(Int.self, forKey: .warmup)
        clipNorm = try c.decode(Double.self, forKey: .clipNorm)
        temperature = try c.decode(Double.self, forKey: .temperature)
        checkpointEvery = try c.decode(Int.self, forKey: .checkpointEvery)
        objective = try c.decodeIfPresent(ContrastiveObjective.self, forKey: .objective) ?? .clip
        lookAlikeTargets = try c.decodeIfPresent(Bool.self, forKey: .lookAlikeTargets) ?? false
        validateEvery = try c.decodeIfPresent(Int.self, forKey: .validateEvery) ?? 0
        validationData = try c.decodeIfPresent(String.self, forKey: .validationData)
        validationCount = try c.decodeIfPresent(Int.self, forKey: .validationCount) ?? 1000
        averageDecay = try c.decodeIfPresent(Double.self, forKey: .averageDecay) ?? 0
        validationRule = try c.decodeIfPresent(ValidationRule.self, forKey: .validationRule) ?? .top1
        propertyWeight = try c.decodeIfPresent(Double.self, forKey: .propertyWeight) ?? 0
        guard propertyWeight.isFinite, propertyWeight >= 0 else {
            throw DecodingError.dataCorruptedError(
                forKey: .propertyWeight, in: c, debugDescription: "propertyWeight must be finite and ≥ 0, not \(propertyWeight)")
        }
        propertyShares = try c.decodeIfPresent([Double].self, forKey: .propertyShares)
        neighborWeight = try c.decodeIfPresent(Double.self, forKey: .neighborWeight) ?? 0
        neighborTemperature =
            try c.decodeIfPresent(Double.self, forKey: .neighborTemperature) ?? NeighborPropertyLoss.defaultTemperature
        guard Self.isValidNeighborWeight(neighborWeight), Self.isValidNeighborTemperature(neighborTemperature) else {
            throw DecodingError.dataCorruptedError(
                forKey: .neighborWeight, in: c,
                debugDescription: "neighborWeight must be finite and ≥ 0 (not \(neighborWeight)) and neighborTemperature in \(Self.neighborTemperaturesText) (not \(neighborTemperature))")
        }
        if let propertyShares, !Self.areValidShares(propertyShares) {
            throw DecodingError.dataCorruptedError(
                forKey: .propertyShares, in: c,
                debugDescription: "propertyShares needs \(PropertyTargets.properties.count) finite values ≥ 0, not \(propertyShares)")
        }
        cooldown = try c.decodeIfPresent(Cooldown.self, forKey: .cooldown)
        if let cooldown, cooldown.from < 0 || cooldown.steps < 1 {
            throw DecodingError.dataCorruptedError(
                forKey: .cooldown, in: c, debugDescription: "cooldown needs from ≥ 0 and steps ≥ 1, not \(cooldown)")
        }
        productPrecision = try c.decodeIfPresent(ProductPrecision.self, forKey: .productPrecision) ?? .float32
        freezeNumeric = try c.decodeIfPresent(Bool.self, forKey: .freezeNumeric) ?? false
        initialLogitScale = try c.decodeIfPresent(Double.self, forKey: .initialLogitScale)
        if let initialLogitScale, !(initialLogitScale > 0 && initialLogitScale <= ContrastiveLoss.maximumScale) {
            throw DecodingError.dataCorruptedError(
                forKey: .initialLogitScale, in: c,
                debugDescription: "initialLogitScale must be in (0, \(Int(ContrastiveLoss.maximumScale))], not \(initialLogitScale)")
        }
        scheduleOffset = try c.decodeIfPresent(Int.self, forKey: .scheduleOffset)
        if let scheduleOffset, scheduleOffset < 0 {
            throw DecodingError.dataCorruptedError(
                forKey: .scheduleOffset, in: c, debugDescription: "scheduleOffset must be ≥ 0, not \(scheduleOffset)")
        }
    }
}

/// The settings a run directory records.
struct PretrainingSettings: Codable {
    var config: ModelConfig
    var options: PretrainingOptions
    var seed: UInt64
    var version: String
    /// A readable description of the data.
    var data: String
    /// The data settings themselves (absent in runs made before they were recorded).
    var dataSpec: PretrainingDataSpec?
    /// The weights the run started from, if not a fresh initialisation.
    var initializedFrom: String?
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
    /// The auxiliary property loss inside ``loss`` (unweighted; runs with a property weight
    /// only; under MPI the whole batch's, summed over the ranks).
    public var propertyLoss: Double?
    /// The soft-neighbour property loss inside ``loss`` (unweighted; runs with a neighbour
    /// weight only; the whole batch's).
    public var neighborLoss: Double?

    public init(
        step: Int, loss: Double, learningRate: Double, gradientNorm: Double, skipped: Bool, samplesPerSecond: Double,
        propertyLoss: Double? = nil, neighborLoss: Double? = nil
    ) {
        self.propertyLoss = propertyLoss
        self.neighborLoss = neighborLoss
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
///
/// With a ``ProcessGroup`` of several processes (`mpirun -np N snip pretrain`), each process
/// encodes its slice of every step's batch, the loss runs over the whole batch (see
/// DistributedTraining.swift) and the gradients are all-reduced, so the run equals the
/// single-process one up to rounding; rank 0 alone writes the run directory.
public final class Pretrainer {
    public let model: SNIPModel
    public let optimizer: Adam
    public let options: PretrainingOptions
    public let run: TrainingRun
    /// The objective, with its own trainable scalars.
    public let loss: ContrastiveLoss
    /// The data the run trains on (nil for runs that recorded only a description).
    public let dataSpec: PretrainingDataSpec?
    /// Steps done so far.
    public private(set) var step: Int
    /// Steps skipped for a NaN or infinite loss or gradient.
    public private(set) var skipped: Int
    /// The processes that train this model together (one by default).
    public let group: ProcessGroup
    /// The best validation so far (the one `best.safetensors` holds); nil before the first.
    public private(set) var bestValidation: ValidationMetrics?
    /// The moving average of the weights, for runs that keep one.
    private var average: WeightAverage?
    /// The auxiliary head of runs with a ``PretrainingOptions/propertyWeight``
    /// (``PropertyTargets``); kept in the checkpoint under `aux.`, not in model files.
    public let propertyTargetHead: PropertyHead?

    /// The auxiliary head a run with `options` trains, seeded from the run's seed.
    private static func propertyTargetHead(for options: PretrainingOptions, config: ModelConfig, seed: UInt64) -> PropertyHead? {
        guard options.propertyWeight > 0 else { return nil }
        var generator = SeededGenerator(seed: seed ^ 0xA0C5_11A7_7A26_E7D5)
        return PropertyHead(latent: config.latent, hidden: 64, outputs: PropertyTargets.properties.count, using: &generator)
    }

    /// The name prefix of the auxiliary head's tensors in training checkpoints (and in model
    /// files that carry it: `snip convert --training-head-from`).
    public static let propertyTargetHeadPrefix = "aux."

    /// The auxiliary property head's tensors a safetensors file holds, under their full names
    /// (``propertyTargetHeadPrefix`` first); empty when it holds none.
    public static func propertyTargetHeadTensors(in path: String) throws(CheckpointError) -> [(name: String, tensor: Tensor)] {
        try SafeTensors.read(path).tensors.filter { $0.key.hasPrefix(propertyTargetHeadPrefix) }
            .sorted { $0.key < $1.key }.map { (name: $0.key, tensor: $0.value) }
    }

    /// Starts the auxiliary property head from the one a file at `path` holds (its `aux.`
    /// tensors: a training checkpoint, or a model file converted with its run's head), for a run
    /// initialised from that file's weights: a fresh head's first, large losses would otherwise
    /// push noise into both encoders. Returns false, and leaves the head as it is, when the run
    /// has no head or the file holds none; throws when the file's head does not fit.
    @discardableResult
    public func carryPropertyTargetHead(from path: String) throws -> Bool {
        guard let propertyTargetHead, !path.hasSuffix(".pth"), !path.hasSuffix(".pt") else { return false }
        let prefix = Self.propertyTargetHeadPrefix
        let head = Dictionary(uniqueKeysWithValues: try Self.propertyTargetHeadTensors(in: path).map { name, tensor in
            (String(name.dropFirst(prefix.count)), tensor)
        })
        guard !head.isEmpty else { return false }
        do {
            try propertyTargetHead.load(stateDict: head)
        } catch {
            throw ModelError("\(path): its auxiliary property head does not fit this run's: \(error)")
        }
        return true
    }

    /// The auxiliary head's parameters with their checkpoint keys.
    private static func checkpointKeys(of head: PropertyHead?) -> [(key: String, parameter: Parameter)] {
        head?.namedParameters(prefix: propertyTargetHeadPrefix) ?? []
    }

    private init(
        model: SNIPModel, options: PretrainingOptions, loss: ContrastiveLoss, dataSpec: PretrainingDataSpec?,
        run: TrainingRun, step: Int, skipped: Int, group: ProcessGroup, propertyTargetHead: PropertyHead?
    ) {
        self.propertyTargetHead = propertyTargetHead
        self.group = group
        self.model = model
        self.options = options
        self.loss = loss
        self.dataSpec = dataSpec
        self.run = run
        self.step = step
        self.skipped = skipped
        optimizer = Adam(
            parameters: model.parameters + loss.parameters.map(\.parameter) + Self.checkpointKeys(of: propertyTargetHead).map(\.parameter),
            schedule: options.schedule)
        if options.averageDecay > 0 {
            average = WeightAverage(parameters: model.namedParameters().map(\.parameter), decay: options.averageDecay)
        }
    }

    /// Starts a new run in `directory` (which must not hold a run already) on the data `data`
    /// describes; the model's contract is set from the data and the objective, so every
    /// checkpoint says how the model reads its inputs. In a group of several processes only
    /// rank 0 touches the directory. `initializedFrom` names the weights `model` was loaded from
    /// (recorded in `run.json`).
    public convenience init(
        model: SNIPModel, options: PretrainingOptions, directory: String, seed: UInt64, data: PretrainingDataSpec,
        initializedFrom: String? = nil, group: ProcessGroup = SingleProcess()
    ) throws {
        model.contract = ModelContract(
            normalizesY: data.normalizeY, skeleton: data.skeleton, similarity: options.objective.similarity,
            sortsPoints: data.sortPoints)
        try self.init(
            model: model, options: options, directory: directory, seed: seed, description: data.description, spec: data,
            initializedFrom: initializedFrom, group: group)
    }

    /// Starts a new run whose data only the caller knows (described in words).
    public convenience init(
        model: SNIPModel, options: PretrainingOptions, directory: String, seed: UInt64, dataDescription: String,
        group: ProcessGroup = SingleProcess()
    ) throws {
        model.contract.similarity = options.objective.similarity
        try self.init(
            model: model, options: options, directory: directory, seed: seed, description: dataDescription, spec: nil, group: group)
    }

    private convenience init(
        model: SNIPModel, options: PretrainingOptions, directory: String, seed: UInt64, description: String,
        spec: PretrainingDataSpec?, initializedFrom: String? = nil, group: ProcessGroup
    ) throws {
        let run = TrainingRun(directory: directory)
        self.init(
            model: model, options: options, loss: ContrastiveLoss(
                objective: options.objective, temperature: Float(options.temperature), initialScale: options.initialLogitScale),
            dataSpec: spec, run: run, step: 0, skipped: 0, group: group,
            propertyTargetHead: Self.propertyTargetHead(for: options, config: model.config, seed: seed))
        guard group.isLeader else { return }
        guard !FileManager.default.fileExists(atPath: run.settingsPath) else {
            throw ModelError("\(directory) already holds a run; resume it with --resume or choose another --out")
        }
        try run.create()
        try run.writeSettings(PretrainingSettings(
            config: model.config, options: options, seed: seed, version: SnipVersion.string, data: description,
            dataSpec: spec, initializedFrom: initializedFrom, created: ISO8601DateFormatter().string(from: Date())))
    }

    /// Continues the run in `directory` from its last checkpoint, with the options and data
    /// settings it started with (``dataSpec``; runs recorded before data settings were saved
    /// get them back from their description). Every process of a group reads the directory
    /// (it must be on a file system they all see); rank 0 alone rewrites its metrics.
    ///
    /// `cooldown` ends the run with an annealing phase of that many updates from where it
    /// stands (``PretrainingOptions/cooldown``), recorded in its settings so that a later
    /// resume finishes the same fall; a run that records one already refuses another.
    ///
    /// `productPrecision` changes the precision of the run's training products from here on
    /// (recorded in its settings; nil keeps the recorded one), and so do `neighborWeight` and
    /// `neighborTemperature` the soft-neighbour property loss (a weight above 0 needs a run
    /// with a property weight, whose data makes the targets).
    public static func resume(
        directory: String, group: ProcessGroup = SingleProcess(), cooldown: Int? = nil,
        productPrecision: ProductPrecision? = nil, neighborWeight: Double? = nil, neighborTemperature: Double? = nil
    ) throws -> (trainer: Pretrainer, seed: UInt64) {
        let run = TrainingRun(directory: directory)
        var settings: PretrainingSettings
        do {
            settings = try run.readSettings(PretrainingSettings.self)
        } catch {
            throw ModelError("\(run.settingsPath): cannot read the run settings: \(error)")
        }
        if let productPrecision, productPrecision != settings.options.productPrecision {
            settings.options.productPrecision = productPrecision
            if group.isLeader { try run.writeSettings(settings) }
        }
        if neighborWeight != nil || neighborTemperature != nil {
            let weight = neighborWeight ?? settings.options.neighborWeight
            let temperature = neighborTemperature ?? settings.options.neighborTemperature
            guard PretrainingOptions.isValidNeighborWeight(weight), PretrainingOptions.isValidNeighborTemperature(temperature)
            else {
                throw ModelError("a neighbour weight must be finite and ≥ 0 (not \(weight)) and its temperature in \(PretrainingOptions.neighborTemperaturesText) (not \(temperature))")
            }
            if weight > 0 && settings.options.propertyWeight == 0 {
                throw ModelError("\(directory) trains without property targets (no property weight); the neighbour loss needs them")
            }
            if weight != settings.options.neighborWeight || temperature != settings.options.neighborTemperature {
                settings.options.neighborWeight = weight
                settings.options.neighborTemperature = temperature
                if group.isLeader { try run.writeSettings(settings) }
            }
        }
        if let cooldown {
            guard cooldown >= 1 else { throw ModelError("a cool-down needs at least 1 update, not \(cooldown)") }
            if let recorded = settings.options.cooldown {
                throw ModelError(
                    "\(directory) is already cooling down (over \(recorded.steps) updates from update \(recorded.from)); resume it without a new cool-down")
            }
        }
        /// Records the new cool-down, starting after `updates` (the checkpoint's).
        func startCooldown(after updates: Int) throws {
            guard let cooldown else { return }
            settings.options.cooldown = .init(from: updates, steps: cooldown)
            if group.isLeader { try run.writeSettings(settings) }
        }
        let loss = ContrastiveLoss(
            objective: settings.options.objective, temperature: Float(settings.options.temperature),
            initialScale: settings.options.initialLogitScale)
        let spec = settings.dataSpec ?? PretrainingDataSpec(legacyDescription: settings.data)
        if group.isLeader { run.removeStaleTemporaryFiles() }
        let trainer: Pretrainer
        let head = propertyTargetHead(for: settings.options, config: settings.config, seed: settings.seed)
        if FileManager.default.fileExists(atPath: run.checkpointPath) {
            let (model, moments, counters, average) = try TrainingCheckpoint.load(
                run.checkpointPath, extra: loss.parameters, added: checkpointKeys(of: head))
            try startCooldown(after: counters.updates)
            trainer = Pretrainer(
                model: model, options: settings.options, loss: loss, dataSpec: spec, run: run, step: counters.step,
                skipped: counters.skipped, group: group, propertyTargetHead: head)
            trainer.optimizer.restore(updates: counters.updates, moments: moments)
            if let average, settings.options.averageDecay > 0 {
                trainer.average = WeightAverage(
                    parameters: model.namedParameters().map(\.parameter), decay: settings.options.averageDecay, values: average)
            }
            if group.isLeader { try run.truncateMetrics(after: counters.step) }
        } else {
            // killed before its first checkpoint: start again from step 0 (same starting weights,
            // seed and data)
            let model = try settings.initializedFrom.map {
                try SNIPModel.load($0).started(as: settings.config, seed: settings.seed)
            } ?? SNIPModel(config: settings.config, seed: settings.seed)
            try startCooldown(after: 0)
            trainer = Pretrainer(
                model: model, options: settings.options, loss: loss, dataSpec: spec, run: run, step: 0, skipped: 0,
                group: group, propertyTargetHead: head)
            if let path = settings.initializedFrom { try trainer.carryPropertyTargetHead(from: path) }
            if group.isLeader { try run.truncateMetrics(after: 0) }
        }
        if let spec {
            trainer.model.contract = ModelContract(
                normalizesY: spec.normalizeY, skeleton: spec.skeleton, similarity: settings.options.objective.similarity,
                sortsPoints: spec.sortPoints)
        }
        return (trainer, settings.seed)
    }

    /// Writes the checkpoint (atomically; rank 0 only), and for runs that average their
    /// weights the averaged model to `average.safetensors`.
    public func saveCheckpoint() throws {
        guard group.isLeader else { return }
        try TrainingCheckpoint.save(
            model: model, extra: loss.parameters + Self.checkpointKeys(of: propertyTargetHead), optimizer: optimizer, average: average,
            counters: .init(step: step, updates: optimizer.updates, momentSteps: optimizer.moments.map(\.step), skipped: skipped),
            to: run.checkpointPath)
        if let average {
            try average.withAveraged {
                try model.save(to: run.averageModelPath, extraMetadata: [SNIPModel.propertyHeadKey: SNIPModel.untrainedPropertyHead])
            }
        }
    }

    /// Runs `body` with the model holding the weights the run serves: the moving average for
    /// runs that keep one, else the trained weights themselves.
    private func withServedWeights<T>(_ body: () throws -> T) rethrows -> T {
        guard let average else { return try body() }
        return try average.withAveraged(body)
    }

    /// The metadata key of `best.safetensors` that holds its ``ValidationMetrics``.
    public static let validationKey = "snip.validation"

    /// The validation `best.safetensors` records, if the file exists and says.
    public static func recordedValidation(at path: String) -> ValidationMetrics? {
        guard FileManager.default.fileExists(atPath: path), let (_, metadata) = try? SafeTensors.read(path),
            let json = metadata[validationKey]
        else { return nil }
        return try? JSONDecoder().decode(ValidationMetrics.self, from: Data(json.utf8))
    }

    /// Measures the model (its moving average, for runs that keep one) on `validation`, appends
    /// the result to `validation.jsonl` and, when it beats the best so far by the options'
    /// ``ValidationRule``, writes the weights to `best.safetensors` (rank 0 only). Returns the
    /// metrics and whether they are the new best.
    @discardableResult
    public func validate(on validation: TrainingValidation) throws -> (metrics: ValidationMetrics, isBest: Bool)? {
        guard group.isLeader else { return nil }
        return try withServedWeights {
            let metrics = try validation.measure(model, step: step)
            try run.appendValidation(metrics)
            if bestValidation == nil { bestValidation = Self.recordedValidation(at: run.bestModelPath) }
            let rule = options.validationRule
            let isBest = bestValidation.map { metrics.score(by: rule) > $0.score(by: rule) } ?? true
            if isBest {
                let json = String(decoding: try JSONEncoder().encode(metrics), as: UTF8.self)
                try model.save(
                    to: run.bestModelPath,
                    extraMetadata: [Self.validationKey: json, SNIPModel.propertyHeadKey: SNIPModel.untrainedPropertyHead])
                bestValidation = metrics
            }
            return (metrics, isBest)
        }
    }

    /// Trains until `steps` steps are done, the run's cool-down is over (``cooledDown``) or
    /// `shouldStop()` turns true (checked between steps); checkpoints every `checkpointEvery` steps and when it returns. With
    /// `validation`, measures the model every ``PretrainingOptions/validateEvery`` steps and
    /// keeps the best weights (``validate(on:)``; `validated` hears each result). In a group, a
    /// stop asked on any rank ends every rank after the same step.
    public func train(
        data: TrainingData, steps: Int, validation: TrainingValidation? = nil,
        progress: (StepMetrics) -> Void = { _ in },
        validated: (ValidationMetrics, _ isBest: Bool) -> Void = { _, _ in },
        shouldStop: () -> Bool = { false }
    ) throws -> TrainingStop {
        let batchSize = options.batchSize
        let lookAlikes = options.lookAlikeTargets
        let distributed = group.size > 1
        guard batchSize >= group.size else {
            throw ModelError("a batch of \(batchSize) cannot be shared by \(group.size) processes (each needs an example)")
        }
        let slice = group.slice(of: batchSize)
        let counts = group.sliceCounts(of: batchSize)
        let synchronizer = distributed
            ? GradientSynchronizer(group: group, parameters: optimizer.parameters, replicated: loss.parameters.map(\.parameter))
            : nil
        if distributed { try startTogether() }
        let prefetcher = Prefetcher(startingAt: step) { step in
            try data.batch(forStep: step, count: batchSize, slice: slice, lookAlikes: lookAlikes)
        }
        defer { prefetcher.stop() }
        if let validation, options.validateEvery > 0, group.isLeader {
            bestValidation = Self.recordedValidation(at: run.bestModelPath)
            // the starting weights are the first candidate (and a model that cannot read the
            // validation data fails now, not after the first validateEvery steps)
            if bestValidation == nil, let (result, isBest) = try validate(on: validation) { validated(result, isBest) }
        }
        var stop = TrainingStop.finished
        var stopAgreed = false
        while step < steps && !cooledDown {
            if distributed ? stopAgreed : shouldStop() {
                stop = .interrupted
                break
            }
            let started = DispatchTime.now().uptimeNanoseconds
            let batch = try prefetcher.next()
            let examples = batch.examples
            let targets = batch.properties
            if (propertyTargetHead != nil || options.neighborWeight > 0) && targets == nil {
                throw ModelError("the run's property or neighbour weight needs property targets, which this training data does not make")
            }
            var propertyLoss: Double?
            /// The numeric latents of the examples; constants when the run freezes that side.
            func numericLatents() -> Tensor {
                options.freezeNumeric ? withoutGrad { model.encodeNumeric(examples).latent } : model.encodeNumeric(examples).latent
            }
            /// The contrastive loss of the batch plus the weighted property loss of this
            /// process's rows (`symbolic`, `numeric`: their latents).
            func withPropertyLoss(_ contrastive: Tensor, symbolic: Tensor, numeric: Tensor) -> Tensor {
                guard let head = propertyTargetHead, let targets else { return contrastive }
                let property = PropertyTargets.loss(
                    head: head, symbolic: symbolic, numeric: numeric, targets: targets,
                    symbolicTargets: batch.symbolicProperties, globalBatch: batchSize, shares: options.propertyShares)
                propertyLoss = Double(property.item)
                return contrastive + property * Float(options.propertyWeight)
            }
            var neighborLoss: Double?
            /// `contrastive` plus the weighted soft-neighbour loss of the whole batch's formula
            /// latents `symbolic` (every process computes it, like the contrastive loss);
            /// `targets`: the whole batch's property targets.
            func withNeighborLoss(_ contrastive: Tensor, symbolic: Tensor, targets: [Float]?) -> Tensor {
                guard options.neighborWeight > 0, let targets else { return contrastive }
                let neighbor = NeighborPropertyLoss.loss(
                    embeddings: symbolic, targets: targets, temperature: options.neighborTemperature,
                    shares: options.propertyShares)
                neighborLoss = Double(neighbor.item)
                return contrastive + neighbor * Float(options.neighborWeight)
            }
            /// The property targets the formula side learns, this process's rows.
            let symbolicTargets = batch.symbolicProperties ?? targets
            let outcome = try Tensor.$productPrecision.withValue(options.productPrecision) { () throws -> StepOutcome in
                var outcome: StepOutcome
                if let synchronizer {
                    let stopRequested = shouldStop()
                    var groupPropertyLoss = 0.0
                    outcome = try optimizationStep(
                        parameters: optimizer.parameters, optimizer: optimizer, clipNorm: options.clipNorm,
                        synchronize: { finite in
                            let agreed = try synchronizer.synchronize(
                                lossIsFinite: finite, stopRequested: stopRequested, lossShare: propertyLoss ?? 0)
                            stopAgreed = agreed.stop
                            groupPropertyLoss = agreed.lossShare
                            return agreed.allFinite
                        }
                    ) {
                        let local = (
                            symbolic: model.encodeSymbolic(examples.map(\.expressionTokens)).latent,
                            numeric: numericLatents())
                        let (symbolic, numeric) = try gatherLatents(
                            symbolic: local.symbolic, numeric: local.numeric, group: group, counts: counts)
                        let table = try batch.lookAlikes.map { try group.allGather($0, counts: counts.map { $0 * batchSize }) }
                        let width = PropertyTargets.properties.count
                        let allTargets = options.neighborWeight > 0
                            ? try symbolicTargets.map { try group.allGather($0, counts: counts.map { $0 * width }) } : nil
                        let contrastive = withNeighborLoss(
                            loss(symbolic: symbolic, numeric: numeric, lookAlikes: table), symbolic: symbolic,
                            targets: allTargets)
                        return withPropertyLoss(contrastive, symbolic: local.symbolic, numeric: local.numeric)
                    }
                    // log the whole batch's property loss, not this rank's share of it
                    if let local = propertyLoss {
                        outcome.loss += options.propertyWeight * (groupPropertyLoss - local)
                        propertyLoss = groupPropertyLoss
                    }
                } else {
                    outcome = optimizationStep(parameters: optimizer.parameters, optimizer: optimizer, clipNorm: options.clipNorm) {
                        let symbolic = model.encodeSymbolic(examples.map(\.expressionTokens)).latent
                        let numeric = numericLatents()
                        let contrastive = withNeighborLoss(
                            loss(symbolic: symbolic, numeric: numeric, lookAlikes: batch.lookAlikes), symbolic: symbolic,
                            targets: symbolicTargets)
                        return withPropertyLoss(contrastive, symbolic: symbolic, numeric: numeric)
                    }
                }
                return outcome
            }
            step += 1
            if outcome.skipped { skipped += 1 } else { average?.update() }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            let metrics = StepMetrics(
                step: step, loss: outcome.loss, learningRate: outcome.learningRate, gradientNorm: outcome.gradientNorm,
                skipped: outcome.skipped, samplesPerSecond: Double(batchSize) / seconds, propertyLoss: propertyLoss,
                neighborLoss: neighborLoss)
            if group.isLeader { try run.appendMetrics(metrics) }
            progress(metrics)
            if let validation, options.validateEvery > 0, step % options.validateEvery == 0,
                let (result, isBest) = try validate(on: validation)
            {
                validated(result, isBest)
            }
            if step % options.checkpointEvery == 0 { try saveCheckpoint() }
        }
        if distributed && stopAgreed { stop = .interrupted }
        try saveCheckpoint()
        return stop
    }

    /// Whether the run's cool-down (if it has one) is over: its last update is done.
    public var cooledDown: Bool {
        options.cooldown.map { optimizer.updates >= $0.from + $0.steps } ?? false
    }

    /// The step the run ends at when trained towards `steps`: sooner where its cool-down ends
    /// first (counting one update per step from here).
    public func finalStep(towards steps: Int) -> Int {
        guard let cooldown = options.cooldown else { return steps }
        return min(steps, step + max(0, cooldown.from + cooldown.steps - optimizer.updates))
    }

    /// Checks that every rank is at the same step of the same run, and gives every rank rank
    /// 0's weights (the same already, from one seed or one checkpoint; this makes sure).
    private func startTogether() throws {
        let local = [Double(step), Double(optimizer.updates), Double(skipped), Double(options.batchSize)]
        let sums = try group.allReduceSum(local)
        guard zip(local, sums).allSatisfy({ $0 * Double(group.size) == $1 }) else {
            throw DistributedError(
                "rank \(group.rank) is at step \(step) (\(optimizer.updates) updates, batch \(options.batchSize)), "
                    + "but the ranks disagree; do they all see the same run directory?")
        }
        let parameters = optimizer.parameters
        var values = [Float]()
        values.reserveCapacity(parameters.reduce(0) { $0 + $1.value.count })
        for p in parameters { p.value.withUnsafeBufferPointer { values.append(contentsOf: $0) } }
        try group.broadcast(&values)
        var offset = 0
        for p in parameters {
            let n = p.value.count
            p.value.withUnsafeMutableBufferPointer { target in
                _ = target.update(fromContentsOf: values[offset..<(offset + n)])
            }
            offset += n
        }
    }
}
