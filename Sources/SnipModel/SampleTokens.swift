import SnipMath

/// Turns samples into the token ids the model reads, exactly as the reference batches them:
/// the expression's equation tokens (or its skeleton's) through the equation vocabulary, and
/// per point the float tokens of each input coordinate, `<INPUT_PAD>` tokens up to the maximum
/// input dimension, then the output's float tokens, through the float vocabulary.
public struct SampleTokenizer: Sendable {
    public let config: ModelConfig
    public let floatTokenizer: FloatTokenizer
    public let floatVocabulary: Vocabulary
    public let equationVocabulary: Vocabulary
    /// Use the skeleton (constants replaced by `CONSTANT`) instead of the full expression.
    public var skeleton: Bool
    /// The ids of float tokens found without text, where the tokenizer allows it.
    private let floatIDs: FloatTokenIDs?

    public init(config: ModelConfig, skeleton: Bool = false) {
        self.config = config
        self.skeleton = skeleton
        floatTokenizer = FloatTokenizer(precision: config.floatPrecision, mantissaLength: config.mantissaLength, maxExponent: config.maxExponent)
        floatVocabulary = Vocabulary.float(tokenizer: floatTokenizer)
        equationVocabulary = Vocabulary.equation(maxInputDimension: config.maxInputDimension, tokenizer: floatTokenizer)
        floatIDs = FloatTokenIDs(tokenizer: floatTokenizer, vocabulary: floatVocabulary)
    }

    /// The most equation tokens an expression may have: the learned position table holds the
    /// expression and its two `<EOS>`.
    public var maxExpressionTokens: Int { config.positions - 2 }

    /// The most points a sample may have (one position each).
    public var maxPoints: Int { config.positions }

    /// Why a sample cannot be turned into tokens.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
    }

    /// The equation-token ids of a sample's expression (without the `<EOS>` wrapping).
    public func expressionIDs(_ sample: Sample) throws(Failure) -> [Int] {
        let words: [String]
        if skeleton {
            words = sample.skeletonTokens.isEmpty ? (try? sample.tree.skeleton.encodedTokens(tokenizer: floatTokenizer)) ?? [] : sample.skeletonTokens
        } else {
            do {
                words = try sample.tree.encodedTokens(tokenizer: floatTokenizer)
            } catch {
                throw Failure(description: "expression \(sample.tree.prefix): \(error)")
            }
        }
        do {
            return try equationVocabulary.ids(of: words)
        } catch {
            throw Failure(description: "expression \(sample.tree.prefix): \(error) (not in the equation vocabulary of dimension \(config.maxInputDimension))")
        }
    }

    /// The float-token ids of a sample's points, `config.tokensPerPoint` per point.
    public func pointIDs(_ sample: Sample) throws(Failure) -> [Int] {
        try pointIDs(x: sample.x, y: sample.y)
    }

    /// The float-token ids of points `x` (one row per point) with outputs `y`.
    public func pointIDs(x: [[Double]], y: [Double]) throws(Failure) -> [Int] {
        let inputPad = floatVocabulary.id(of: "<INPUT_PAD>")!
        let outputPad = floatVocabulary.id(of: "<OUTPUT_PAD>")!
        var ids: [Int] = []
        ids.reserveCapacity(y.count * config.tokensPerPoint)
        for (point, (x, y)) in zip(x, y).enumerated() {
            guard x.count <= config.maxInputDimension else {
                throw Failure(description: "point \(point) has \(x.count) inputs; the model takes at most \(config.maxInputDimension)")
            }
            do {
                for value in x { try appendFloatIDs(value, to: &ids) }
                ids += [Int](repeating: inputPad, count: (config.maxInputDimension - x.count) * config.tokensPerScalar)
                try appendFloatIDs(y, to: &ids)
                ids += [Int](repeating: outputPad, count: (config.maxOutputDimension - 1) * config.tokensPerScalar)
            } catch {
                throw Failure(description: "point \(point) (\(x), \(y)): \(error)")
            }
        }
        return ids
    }

    /// Appends the float-token ids of `value`: found arithmetically where
    /// ``FloatTokenizer/tokenParts(_:)`` can, else through the tokens' text.
    @inline(__always)
    private func appendFloatIDs(_ value: Double, to ids: inout [Int]) throws {
        if let floatIDs, let parts = floatTokenizer.tokenParts(value) {
            floatIDs.append(parts, to: &ids)
        } else {
            ids += try floatVocabulary.ids(of: try floatTokenizer.encode(value))
        }
    }

    /// Both token sequences and the property, as one training example.
    public func example(_ sample: Sample) throws(Failure) -> TrainingExample {
        let expression = try expressionIDs(sample)
        guard expression.count <= maxExpressionTokens else {
            throw Failure(description: "the expression has \(expression.count) tokens; the model's positions allow \(maxExpressionTokens)")
        }
        guard sample.y.count <= maxPoints else {
            throw Failure(description: "the sample has \(sample.y.count) points; the model's positions allow \(maxPoints)")
        }
        return TrainingExample(expressionTokens: expression, pointTokens: try pointIDs(sample), property: sample.targetProperty)
    }
}
