import SnipNN
import SnipTensor

/// The SNIP model: a point embedder and numeric encoder (`embedder`, `encoder_y`), a symbolic
/// encoder (`encoder_f`) and a property head (`regressor`), under the reference's module names.
public final class SNIPModel: Module {
    public let config: ModelConfig
    /// Float tokens of points → vectors; key `embedder`.
    public let embedder: PointEmbedder
    /// Points → latent; key `encoder_y`.
    public let numericEncoder: SnipEncoder
    /// Expression tokens → latent; key `encoder_f`.
    public let symbolicEncoder: SnipEncoder
    /// Latent → property; key `regressor`.
    public let propertyHead: PropertyHead
    /// Sizes and special ids of the two vocabularies.
    public let vocabulary: VocabularyLayout
    /// What the model expects of its inputs and how its embeddings are compared (saved with
    /// the weights).
    public var contract = ModelContract()
    /// Whether the contract came from the file the model was loaded from (false for new models
    /// and for files written before checkpoints recorded it: the caller then decides).
    public internal(set) var contractIsRecorded = false

    /// A freshly initialised model (PyTorch's default initialisation, seeded).
    public init(config: ModelConfig, seed: UInt64) throws(ModelError) {
        try config.validate()
        self.config = config
        vocabulary = VocabularyLayout(config: config)
        var generator = SeededGenerator(seed: seed)
        // the vocabularies' words, for the options that read them
        let needsWords = config.smoothMantissas == true || config.pointValues == true || config.constantValues == true
        let words = needsWords ? SampleTokenizer(config: config) : nil
        let floatWords = words?.floatVocabulary.words ?? []
        let equationWords = words?.equationVocabulary.words ?? []
        embedder = PointEmbedder(
            config: config, vocabularySize: vocabulary.floatCount, paddingIndex: vocabulary.floatPadding,
            mantissaFeatures: config.smoothMantissas == true
                ? MantissaFeatures(words: floatWords, width: config.pointTokenWidth) : nil,
            valueFeatures: config.pointValues == true
                ? PointValueFeatures(words: floatWords, tokensPerPoint: config.tokensPerPoint, width: config.width) : nil,
            using: &generator)
        numericEncoder = SnipEncoder(config: config, using: &generator)
        symbolicEncoder = SnipEncoder(
            config: config, vocabularySize: vocabulary.equationCount, paddingIndex: vocabulary.equationPadding,
            layerCount: config.symbolicEncoderLayers, width: config.symbolicEncoderWidth,
            mantissaFeatures: config.smoothMantissas == true
                ? MantissaFeatures(words: equationWords, width: config.symbolicEncoderWidth) : nil,
            constantFeatures: config.constantValues == true
                ? ConstantValueFeatures(words: equationWords, width: config.symbolicEncoderWidth) : nil,
            using: &generator)
        propertyHead = PropertyHead(latent: config.latent, hidden: config.propertyHidden, using: &generator)
    }

    public var children: [(key: String, module: any Module)] {
        [("embedder", embedder), ("encoder_y", numericEncoder), ("encoder_f", symbolicEncoder), ("regressor", propertyHead)]
    }

    /// The tokenizer for this model's vocabularies and contract (skeletons or expressions).
    public var tokenizer: SampleTokenizer { SampleTokenizer(config: config, skeleton: contract.skeleton) }

    /// Encodes expressions given as equation-token ids (without the `<EOS>` wrapping, which
    /// this adds).
    public func encodeSymbolic(_ expressions: [[Int]], keepHiddenStates: Bool = false) -> SnipEncoder.Output {
        let end = vocabulary.equationEnd
        let ids = expressions.flatMap { [end] + $0 + [end] }
        return symbolicEncoder(
            tokens: ids, lengths: expressions.map { $0.count + 2 },
            poolPadding: config.poolOverPadding ? config.expressionPadding : nil, keepHiddenStates: keepHiddenStates)
    }

    /// Encodes point sets given as float-token ids, `tokensPerPoint` per point; `positions`
    /// gives each point's learned position (one list per set; nil: 0, 1, … in order), for sets
    /// thinned from longer ones (``TrainingExample/pointPositions``).
    public func encodeNumeric(_ pointTokens: [[Int]], positions: [[Int]]? = nil) -> SnipEncoder.Output {
        let ids = pointTokens.flatMap { $0 }
        let lengths = pointTokens.map { $0.count / config.tokensPerPoint }
        precondition(positions == nil || positions!.map(\.count) == lengths, "encodeNumeric: one position per point")
        let embedded = embedder(ids: ids, points: ids.count / config.tokensPerPoint)  // [N, D]
        return numericEncoder.encode(embedded, segments: Segments(lengths: lengths), positionIDs: positions?.flatMap { $0 })
    }

    /// Encodes the point sets of training examples, each point at its recorded position.
    public func encodeNumeric(_ examples: [TrainingExample]) -> SnipEncoder.Output {
        encodeNumeric(examples.map(\.pointTokens), positions: TrainingExample.pointPositions(of: examples, tokensPerPoint: config.tokensPerPoint))
    }
}

/// Where the special words sit in the reference vocabularies, derived from the config: the
/// float vocabulary is 15 special words, `+`, `-`, the mantissas and the exponents; the
/// equation vocabulary is the specials, the generator's symbols, then the whole float
/// vocabulary again, so its `<PAD>` and `<EOS>` ids (the last occurrences) lie in that copy.
public struct VocabularyLayout: Equatable, Sendable {
    public let floatCount: Int
    public let equationCount: Int
    /// `<PAD>` in the float vocabulary (8).
    public let floatPadding: Int
    /// `<EOS>` in the equation vocabulary (65 for dimension 1).
    public let equationEnd: Int
    /// `<PAD>` in the equation vocabulary (73 for dimension 1): the embedding's padding row.
    public let equationPadding: Int

    static let specials = 15

    public init(config: ModelConfig) {
        let mantissas = Int(Self.pow10(config.floatPrecision + 1))
        floatCount = Self.specials + 2 + mantissas + (2 * config.maxExponent + 1)
        // generator symbols: 17 operators, 21 integers (-10…10), CONSTANT, FLOAT±, INT±, e, pi,
        // euler_gamma, rand, x_0…x_{d-1}, '|', pow, '0' (see golden vocab.json)
        let symbols = 50 - 1 + config.maxInputDimension
        let copyStart = Self.specials + symbols
        equationCount = copyStart + floatCount
        floatPadding = 8
        equationEnd = copyStart + 0
        equationPadding = copyStart + 8
    }

    /// A short description that identifies the vocabularies (written into checkpoints).
    public var identity: String {
        "reference SNIP vocabularies: float \(floatCount) words, equation \(equationCount) words, <EOS> \(equationEnd), <PAD> \(floatPadding)/\(equationPadding)"
    }

    private static func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { v, _ in v * 10 } }
}
