/// One training example in token form: an expression's equation-token ids and its points'
/// float-token ids (`tokensPerPoint` per point), with the property value when the example is
/// for property prediction.
public struct TrainingExample: Sendable, Equatable {
    public var expressionTokens: [Int]
    public var pointTokens: [Int]
    public var property: Double?
    /// Where each point sat in the function's full point set when only some of its points
    /// are trained on (``GeneratedTrainingData/pointKeep``): the learned position each kept
    /// point is encoded at. nil: the points are the whole set, in order.
    public var pointPositions: [Int]?

    public init(expressionTokens: [Int], pointTokens: [Int], property: Double? = nil, pointPositions: [Int]? = nil) {
        self.expressionTokens = expressionTokens
        self.pointTokens = pointTokens
        self.property = property
        self.pointPositions = pointPositions
    }

    /// The positions of the examples' points for ``SNIPModel/encodeNumeric(_:positions:)``:
    /// nil when every example has its whole point set in order.
    public static func pointPositions(of examples: [TrainingExample], tokensPerPoint: Int) -> [[Int]]? {
        guard examples.contains(where: { $0.pointPositions != nil }) else { return nil }
        return examples.map { $0.pointPositions ?? Array(0..<($0.pointTokens.count / tokensPerPoint)) }
    }
}

/// The examples of one training step, with which of its formulas look like which of its point
/// sets when the objective asks for that.
///
/// A process of a data-parallel run holds only its slice of the step's B examples (b of
/// them); its look-alike table then holds the rows of those b formulas against all B point
/// sets.
public struct TrainingBatch: Sendable {
    public var examples: [TrainingExample]
    /// Row-major b × B: formula i (of this batch) looks like point set j (of the whole step,
    /// see ``LookAlikes``); nil when not computed.
    public var lookAlikes: [Bool]?
    /// Row-major b × 4: each example's standardised properties (``PropertyTargets``), from
    /// sources asked for them; nil otherwise.
    public var properties: [Float]?
    /// Row-major b × 4: the targets of the symbolic embedding when they differ from
    /// ``properties`` (each formula's redraw mean, ``PropertyTargets/redrawMeanTargets(of:generator:draws:seed:)``);
    /// nil: ``properties``.
    public var symbolicProperties: [Float]?

    public init(
        examples: [TrainingExample], lookAlikes: [Bool]? = nil, properties: [Float]? = nil,
        symbolicProperties: [Float]? = nil
    ) {
        self.examples = examples
        self.lookAlikes = lookAlikes
        self.properties = properties
        self.symbolicProperties = symbolicProperties
    }
}

/// A source of training batches that is deterministic in the step number, so that a resumed
/// run sees exactly the batches the uninterrupted run would have seen.
public protocol TrainingData: Sendable {
    /// The `count` examples of training step `step`.
    func examples(forStep step: Int, count: Int) throws -> [TrainingExample]

    /// The batch of step `step`, with its look-alike table when `lookAlikes` is set (sources
    /// that cannot tell throw).
    func batch(forStep step: Int, count: Int, lookAlikes: Bool) throws -> TrainingBatch

    /// Examples `slice` of the `count` examples of step `step` (one process's share of a
    /// data-parallel step), with the look-alike rows of those formulas against all `count`
    /// point sets when `lookAlikes` is set. Example k is the same whatever the slice.
    func batch(forStep step: Int, count: Int, slice: Range<Int>, lookAlikes: Bool) throws -> TrainingBatch
}

extension TrainingData {
    public func batch(forStep step: Int, count: Int, lookAlikes: Bool) throws -> TrainingBatch {
        guard !lookAlikes else {
            throw ModelError("look-alike targets need generated data (the functions themselves), not token lists")
        }
        return TrainingBatch(examples: try examples(forStep: step, count: count))
    }

    /// The whole batch, cut to `slice`.
    public func batch(forStep step: Int, count: Int, slice: Range<Int>, lookAlikes: Bool) throws -> TrainingBatch {
        let whole = try batch(forStep: step, count: count, lookAlikes: lookAlikes)
        guard slice != 0..<count else { return whole }
        let width = PropertyTargets.properties.count
        return TrainingBatch(
            examples: Array(whole.examples[slice]),
            lookAlikes: whole.lookAlikes.map { Array($0[(slice.lowerBound * count)..<(slice.upperBound * count)]) },
            properties: whole.properties.map { Array($0[(slice.lowerBound * width)..<(slice.upperBound * width)]) })
    }
}

/// A fixed list of examples served in order, wrapping around (for data read from files).
public struct ExampleList: TrainingData {
    public let examples: [TrainingExample]

    public init(_ examples: [TrainingExample]) {
        precondition(!examples.isEmpty, "no training examples")
        self.examples = examples
    }

    public func examples(forStep step: Int, count: Int) throws -> [TrainingExample] {
        (0..<count).map { examples[(step * count + $0) % examples.count] }
    }

    /// Examples `slice` of step `step`, without touching the others.
    public func batch(forStep step: Int, count: Int, slice: Range<Int>, lookAlikes: Bool) throws -> TrainingBatch {
        guard !lookAlikes else {
            throw ModelError("look-alike targets need generated data (the functions themselves), not token lists")
        }
        return TrainingBatch(examples: slice.map { examples[(step * count + $0) % examples.count] })
    }
}
