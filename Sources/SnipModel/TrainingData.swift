/// One training example in token form: an expression's equation-token ids and its points'
/// float-token ids (`tokensPerPoint` per point), with the property value when the example is
/// for property prediction.
public struct TrainingExample: Sendable, Equatable {
    public var expressionTokens: [Int]
    public var pointTokens: [Int]
    public var property: Double?

    public init(expressionTokens: [Int], pointTokens: [Int], property: Double? = nil) {
        self.expressionTokens = expressionTokens
        self.pointTokens = pointTokens
        self.property = property
    }
}

/// The examples of one training step, with which of its formulas look like which of its point
/// sets when the objective asks for that.
public struct TrainingBatch: Sendable {
    public var examples: [TrainingExample]
    /// Row-major B × B: formula i looks like point set j (see ``LookAlikes``); nil when not
    /// computed.
    public var lookAlikes: [Bool]?

    public init(examples: [TrainingExample], lookAlikes: [Bool]? = nil) {
        self.examples = examples
        self.lookAlikes = lookAlikes
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
}

extension TrainingData {
    public func batch(forStep step: Int, count: Int, lookAlikes: Bool) throws -> TrainingBatch {
        guard !lookAlikes else {
            throw ModelError("look-alike targets need generated data (the functions themselves), not token lists")
        }
        return TrainingBatch(examples: try examples(forStep: step, count: count))
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
}
