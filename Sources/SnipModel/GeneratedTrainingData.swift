import SnipMath
import SnipTensor

/// Training examples made on the fly by the SNIP generator. Example i of step s is generated
/// from its own random stream, fixed by (seed, s, i), so a run is reproducible and resumable
/// whatever the thread count or prefetch depth.
public struct GeneratedTrainingData: TrainingData {
    public let generator: ExpressionGenerator
    public let tokenizer: SampleTokenizer
    public let seed: UInt64
    /// The probability of keeping a drawn function whose scaled graph is a straight line
    /// (``StraightLineFit``); a function not kept is replaced by the next one its stream
    /// draws. 1 keeps the generator's distribution.
    public let straightLineKeep: Double
    /// Whether each function's points are sorted by their inputs (``Sample/sortedByInputs()``).
    public let sortsPoints: Bool
    /// The probability that an odd example is the previous example's sibling
    /// (``SiblingFunction``: the same formula with its constants moved, at the same inputs), a
    /// hard negative; the previous example must be curved and have a float constant, else
    /// the odd example is drawn as usual.
    public let siblingRate: Double
    /// The probability that an odd example is the previous example's formula redrawn on fresh
    /// inputs (``RedrawnFunction``), a second view of it; drawn from the same uniform as the
    /// sibling choice, above ``siblingRate`` (so the two add up to at most 1), the previous
    /// example curved, else the odd example is drawn as usual.
    public let redrawRate: Double
    /// Whether batches carry each function's standardised properties (``PropertyTargets``;
    /// one-dimensional functions only).
    public let propertyTargets: Bool
    /// With ``propertyTargets``: 0, the symbolic embedding's targets are the function's own
    /// points' too; N > 0, they are its formula's properties averaged over N fresh draws of the
    /// inputs (``PropertyTargets/redrawMeanTargets(of:generator:draws:seed:)``), what the formula
    /// alone fixes, while the numeric embedding's stay its points'.
    public let propertyRedraws: Int
    /// The share of each function's points its example keeps (1: all of them): a random
    /// subset, in the set's order, each point at the position it had in the whole set
    /// (``TrainingExample/pointPositions``), so that a model trained on part of each graph
    /// reads a whole one at the same positions. The look-alike table and the property targets
    /// are still measured on all the points.
    public let pointKeep: Double

    /// Draws for one example before a straight line is kept whatever ``straightLineKeep`` says.
    public static let maxDrawsPerExample = 64

    public init(
        generator: ExpressionGenerator, tokenizer: SampleTokenizer, seed: UInt64, straightLineKeep: Double = 1,
        sortsPoints: Bool = false, siblingRate: Double = 0, redrawRate: Double = 0, propertyTargets: Bool = false,
        propertyRedraws: Int = 0, pointKeep: Double = 1
    ) {
        precondition(propertyRedraws >= 0, "property redraws \(propertyRedraws) below 0")
        self.propertyRedraws = propertyRedraws
        precondition((0...1).contains(straightLineKeep), "straight-line keep rate \(straightLineKeep) outside [0, 1]")
        precondition(pointKeep > 0 && pointKeep <= 1, "point keep rate \(pointKeep) outside (0, 1]")
        self.pointKeep = pointKeep
        precondition((0...1).contains(siblingRate), "sibling rate \(siblingRate) outside [0, 1]")
        self.siblingRate = siblingRate
        precondition(
            (0...1).contains(redrawRate) && siblingRate + redrawRate <= 1,
            "redraw rate \(redrawRate) outside [0, 1 − sibling rate]")
        self.redrawRate = redrawRate
        self.propertyTargets = propertyTargets
        self.generator = generator
        self.tokenizer = tokenizer
        self.seed = seed
        self.straightLineKeep = straightLineKeep
        self.sortsPoints = sortsPoints
    }

    /// The random stream of example `index` of step `step`.
    public static func stream(seed: UInt64, step: Int, index: Int) -> SeededGenerator {
        var mixer = SeededGenerator(seed: seed ^ 0x5EED_5EED)
        let a = mixer.next()
        return SeededGenerator(seed: a &+ UInt64(step) &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(index) &* 0xD1B5_4A32_D192_ED03)
    }

    public func examples(forStep step: Int, count: Int) throws -> [TrainingExample] {
        try tokens(samples(forStep: step, count: count), step: step)
    }

    /// The batch, with the look-alike table of its functions when asked (evaluated on the
    /// calling thread: the prefetch thread, beside the model's compute).
    public func batch(forStep step: Int, count: Int, lookAlikes: Bool) throws -> TrainingBatch {
        let samples = samples(forStep: step, count: count)
        return TrainingBatch(
            examples: try tokens(samples, step: step),
            lookAlikes: lookAlikes ? LookAlikes(samples: samples, parallel: false).matches : nil,
            properties: properties(samples, step: step, first: 0),
            symbolicProperties: symbolicProperties(samples, step: step, first: 0))
    }

    /// Examples `slice` of step `step`: only those functions are generated, unless the
    /// look-alike rows need every point set of the step.
    public func batch(forStep step: Int, count: Int, slice: Range<Int>, lookAlikes: Bool) throws -> TrainingBatch {
        guard slice != 0..<count else { return try batch(forStep: step, count: count, lookAlikes: lookAlikes) }
        guard lookAlikes else {
            let mine = samples(forStep: step, indices: slice)
            return TrainingBatch(
                examples: try tokens(mine, step: step, first: slice.lowerBound),
                properties: properties(mine, step: step, first: slice.lowerBound),
                symbolicProperties: symbolicProperties(mine, step: step, first: slice.lowerBound))
        }
        let all = samples(forStep: step, count: count)
        let mine = Array(all[slice])
        let rows = LookAlikes.rows(slice, of: all)  // rows `slice` of LookAlikes(samples: all)
        return TrainingBatch(
            examples: try tokens(mine, step: step, first: slice.lowerBound), lookAlikes: rows,
            properties: properties(mine, step: step, first: slice.lowerBound),
            symbolicProperties: symbolicProperties(mine, step: step, first: slice.lowerBound))
    }

    /// The functions of step `step`.
    public func samples(forStep step: Int, count: Int) -> [Sample] {
        samples(forStep: step, indices: 0..<count)
    }

    /// Functions `indices` of step `step`.
    public func samples(forStep step: Int, indices: Range<Int>) -> [Sample] {
        var previous: (index: Int, sample: Sample)?  // the last example drawn, a sibling's partner
        return indices.map { index in
            let partner = { previous?.index == index - 1 ? previous!.sample : self.drawn(forStep: step, index: index - 1) }
            let sample = paired(forStep: step, index: index, partner: partner) ?? drawn(forStep: step, index: index)
            previous = (index, sample)
            return sortsPoints ? sample.sortedByInputs() : sample
        }
    }

    /// Function `index` of step `step` as drawn (unsorted, no sibling).
    private func drawn(forStep step: Int, index: Int) -> Sample {
        var stream = Self.stream(seed: seed, step: step, index: index)
        var sample = generator.generate(using: &stream).sample
        if straightLineKeep < 1 {
            for _ in 1..<Self.maxDrawsPerExample {
                guard sample.isStraightLine(), Double.random(in: 0..<1, using: &stream) >= straightLineKeep else { break }
                sample = generator.generate(using: &stream).sample
            }
        }
        return sample
    }

    /// For an odd `index`, with probability ``siblingRate`` the sibling of example `index − 1`
    /// as drawn, with probability ``redrawRate`` its redraw (`partner` gives it: the caller's
    /// copy, or drawn again when the slice starts at `index`, so each example depends only on
    /// its own stream and its partner's); nil otherwise.
    private func paired(forStep step: Int, index: Int, partner: () -> Sample) -> Sample? {
        guard siblingRate + redrawRate > 0, index % 2 == 1 else { return nil }
        var stream = Self.stream(seed: seed, step: step, index: index)
        var choice = SeededGenerator(seed: stream.next() ^ 0x51B1_1265)
        let u = Double.random(in: 0..<1, using: &choice)
        guard u < siblingRate + redrawRate else { return nil }
        let partner = partner()
        guard !partner.isStraightLine() else { return nil }
        if u < siblingRate {
            return SiblingFunction.sibling(of: partner, scalesY: generator.configuration.normalizeY, using: &choice)
        }
        return RedrawnFunction.redraw(of: partner, generator: generator, using: &choice)
    }

    /// The property targets of `samples` (examples `first…` of step `step`) when this source
    /// makes them; each ncr estimate draws from its example's own stream.
    private func properties(_ samples: [Sample], step: Int, first: Int) -> [Float]? {
        guard propertyTargets else { return nil }
        return samples.enumerated().flatMap { offset, sample in
            var stream = Self.stream(seed: seed, step: step, index: first + offset)
            return PropertyTargets.targets(of: sample, seed: stream.next() ^ 0x9C0B_E27A)
        }
    }

    /// The symbolic embedding's targets of `samples` (examples `first…` of step `step`) when
    /// they are redraw means (``propertyRedraws`` > 0); each example's draws come from its own
    /// stream.
    private func symbolicProperties(_ samples: [Sample], step: Int, first: Int) -> [Float]? {
        guard propertyTargets, propertyRedraws > 0 else { return nil }
        return samples.enumerated().flatMap { offset, sample in
            var stream = Self.stream(seed: seed, step: step, index: first + offset)
            return PropertyTargets.redrawMeanTargets(
                of: sample, generator: generator, draws: propertyRedraws, seed: stream.next() ^ 0x7ED2_A3F0)
        }
    }

    private func tokens(_ samples: [Sample], step: Int, first: Int = 0) throws -> [TrainingExample] {
        try samples.enumerated().map { index, sample in
            do {
                let example = try tokenizer.example(sample)
                guard pointKeep < 1 else { return example }
                var stream = Self.stream(seed: seed, step: step, index: first + index)
                var choice = SeededGenerator(seed: stream.next() ^ 0x9017_C0DE)
                return Self.thinned(
                    example, keeping: pointKeep, tokensPerPoint: tokenizer.config.tokensPerPoint, using: &choice)
            } catch {
                throw ModelError("generated sample \(first + index) of step \(step) cannot be tokenised: \(error)")
            }
        }
    }

    /// `example` with a random `keep` share of its points (rounded, at least one), in their
    /// order, each with its position in the whole set.
    static func thinned(
        _ example: TrainingExample, keeping keep: Double, tokensPerPoint: Int, using generator: inout SeededGenerator
    ) -> TrainingExample {
        let count = example.pointTokens.count / tokensPerPoint
        let kept = max(1, min(count, Int((Double(count) * keep).rounded())))
        var order = Array(0..<count)
        for i in 0..<kept {  // a partial Fisher–Yates shuffle: the first `kept` are the subset
            order.swapAt(i, Int.random(in: i..<count, using: &generator))
        }
        let positions = order[0..<kept].sorted()
        var thinned = example
        thinned.pointTokens = positions.flatMap { example.pointTokens[($0 * tokensPerPoint)..<(($0 + 1) * tokensPerPoint)] }
        thinned.pointPositions = positions
        return thinned
    }
}
