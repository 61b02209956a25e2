import Foundation

/// Hyper-parameters of a SNIP model, with the reference's names in the comments (and in the
/// checkpoint metadata).
public struct ModelConfig: Codable, Equatable, Sendable {
    /// Largest input dimension of a function (`max_input_dimension`).
    public var maxInputDimension: Int
    /// Output dimension (`max_output_dimension`, always 1 in SNIP).
    public var maxOutputDimension: Int = 1
    /// Encoder width (`enc_emb_dim`).
    public var width: Int
    /// Encoder layers (`n_enc_layers`).
    public var layers: Int
    /// Layers of the symbolic encoder (encoder_f) where it differs from ``layers`` (nil: the
    /// reference's one count for both encoders). A formula is ~22 tokens against 200 points,
    /// so depth on the symbolic side costs a step little.
    public var symbolicLayers: Int?
    /// Width of the symbolic encoder (encoder_f) where it differs from ``width`` (nil: the
    /// reference's one width for both encoders); its heads are ``heads`` and its output the same
    /// ``latent``. ``SNIPModel/widened(symbolicWidth:seed:)`` grows a trained model's encoder_f
    /// to a multiple of its width without changing what it computes.
    public var symbolicWidth: Int?
    /// Whether mantissa tokens' embeddings (in the point embedder and in encoder_f) get a
    /// learned smooth part, a linear map of Fourier features of the mantissa's value
    /// (``MantissaFeatures``); nil or false: the reference's layout, one free row per mantissa.
    public var smoothMantissas: Bool?
    /// Whether each point's embedding gets a learned part read from its numbers' values
    /// (``PointValueFeatures``) beside their tokens; nil or false: the reference's layout.
    public var pointValues: Bool?
    /// Whether the tokens of a formula's constants get a learned part read from the constants'
    /// values (``ConstantValueFeatures``, in encoder_f); nil or false: the reference's layout.
    public var constantValues: Bool?
    /// Attention heads (`n_enc_heads`).
    public var heads: Int
    /// Latent size of the encoders' output (`latent_dim`).
    public var latent: Int
    /// Width of a float token's embedding in the point embedder (`emb_emb_dim`).
    public var pointTokenWidth: Int
    /// Linear+ReLU layers of the point embedder (`n_emb_layers`).
    public var embedderLayers: Int = 1
    /// Hidden-size factor of the point embedder (`emb_expansion_factor`).
    public var embedderExpansion: Int = 1
    /// Hidden activations of each feed-forward block (`n_enc_hidden_layers`).
    public var feedForwardHiddenLayers: Int = 1
    /// Maximum number of points per function (`max_len`).
    public var maxPoints: Int = 200
    /// Length every expression batch is padded to in the reference (`max_src_len`); the
    /// pooling quirk depends on it.
    public var expressionPadding: Int = 200
    /// Rows of the learned position table (`N_MAX_POSITIONS`).
    public var positions: Int = 4096
    /// Hidden size of the property head.
    public var propertyHidden: Int = 128
    /// Digits of a float token's mantissa minus one (`float_precision`).
    public var floatPrecision: Int = 3
    /// Mantissa tokens per float (`mantissa_len`).
    public var mantissaLength: Int = 1
    /// Largest exponent token (`max_exponent`).
    public var maxExponent: Int = 100
    /// Whether the expression pooling gives weight to the reference's padding (default, so that
    /// reference weights give reference outputs); `false` masks padding out of the pooling.
    public var poolOverPadding: Bool = true

    public init(
        maxInputDimension: Int, width: Int, layers: Int, heads: Int, latent: Int, pointTokenWidth: Int
    ) {
        self.maxInputDimension = maxInputDimension
        self.width = width
        self.layers = layers
        self.heads = heads
        self.latent = latent
        self.pointTokenWidth = pointTokenWidth
    }

    /// The paper's configuration (and the released checkpoints'): width 512, 8 layers, 16 heads,
    /// latent 512.
    public static func paper(maxInputDimension: Int = 1) -> ModelConfig {
        ModelConfig(maxInputDimension: maxInputDimension, width: 512, layers: 8, heads: 16, latent: 512, pointTokenWidth: 64)
    }

    /// A small configuration for CPU training and tests (the goldens' `model_small`).
    public static func small(maxInputDimension: Int = 1) -> ModelConfig {
        ModelConfig(maxInputDimension: maxInputDimension, width: 64, layers: 2, heads: 4, latent: 32, pointTokenWidth: 16)
    }

    /// A medium configuration: twice the small one's width, four layers (width 128, 4 heads,
    /// latent 64, point-token width 32).
    public static func medium(maxInputDimension: Int = 1) -> ModelConfig {
        ModelConfig(maxInputDimension: maxInputDimension, width: 128, layers: 4, heads: 4, latent: 64, pointTokenWidth: 32)
    }

    /// The options beyond the reference's layout this config uses, each after ", " (empty for
    /// the reference's layout): `, smooth mantissas, point values, constant values`.
    public var layoutOptionsSummary: String {
        (smoothMantissas == true ? ", smooth mantissas" : "") + (pointValues == true ? ", point values" : "")
            + (constantValues == true ? ", constant values" : "")
    }

    /// Layers of the symbolic encoder (encoder_f): ``symbolicLayers``, else ``layers``.
    public var symbolicEncoderLayers: Int { symbolicLayers ?? layers }

    /// Width of the symbolic encoder (encoder_f): ``symbolicWidth``, else ``width``.
    public var symbolicEncoderWidth: Int { symbolicWidth ?? width }

    /// Float tokens per scalar: sign, mantissa tokens, exponent.
    public var tokensPerScalar: Int { 2 + mantissaLength }

    /// Float tokens per point: every input dimension and the output.
    public var tokensPerPoint: Int { tokensPerScalar * (maxInputDimension + maxOutputDimension) }

    /// The layer counts an encoder may have (``layers``, ``symbolicLayers``).
    public static let layerRange = 0...64

    /// The widths an encoder may have (``width``, ``symbolicWidth``).
    public static let widthRange = 1...8192

    /// The range each integer field must lie in, with the field's name (and the reference's).
    ///
    /// A config read from a checkpoint or a `--config` file is untrusted: these bounds sit far
    /// above every published SNIP model (the paper's is width 512, 8 layers, 16 heads) and far
    /// below sizes that would exhaust memory or overflow a size computation.
    public static let bounds: [(name: String, value: WritableKeyPath<ModelConfig, Int> & Sendable, range: ClosedRange<Int>)] = [
        ("maxInputDimension (max_input_dimension)", \.maxInputDimension, 1...10),
        ("maxOutputDimension (max_output_dimension)", \.maxOutputDimension, 1...1),
        ("width (enc_emb_dim)", \.width, widthRange),
        ("layers (n_enc_layers)", \.layers, layerRange),
        ("heads (n_enc_heads)", \.heads, 1...256),
        ("latent (latent_dim)", \.latent, 1...8192),
        ("pointTokenWidth (emb_emb_dim)", \.pointTokenWidth, 1...4096),
        ("embedderLayers (n_emb_layers)", \.embedderLayers, 0...16),
        ("embedderExpansion (emb_expansion_factor)", \.embedderExpansion, 1...64),
        ("feedForwardHiddenLayers (n_enc_hidden_layers)", \.feedForwardHiddenLayers, 0...16),
        ("maxPoints (max_len)", \.maxPoints, 1...100_000),
        ("expressionPadding (max_src_len)", \.expressionPadding, 1...100_000),
        ("positions (N_MAX_POSITIONS)", \.positions, 1...100_000),
        ("propertyHidden", \.propertyHidden, 1...8192),
        ("floatPrecision (float_precision)", \.floatPrecision, 1...5),
        ("mantissaLength (mantissa_len)", \.mantissaLength, 1...6),
        ("maxExponent (max_exponent)", \.maxExponent, 1...1000),
    ]

    /// The most parameters a config may describe (4 GB of float32 weights, 12 GB while
    /// training with Adam's two moments).
    public static let maxParameterCount = 1_000_000_000

    /// Checks every field against ``bounds`` and the relations between fields, so that a config
    /// from an untrusted file is refused with a message naming the field instead of building a
    /// model that exhausts memory, overflows a size or quietly computes something else.
    public func validate() throws(ModelError) {
        for (name, value, range) in Self.bounds where !range.contains(self[keyPath: value]) {
            throw ModelError(
                "model config: \(name) must be in \(range.lowerBound)...\(range.upperBound), not \(self[keyPath: value])")
        }
        if (pointValues == true || constantValues == true) && mantissaLength != 1 {
            throw ModelError(
                "model config: pointValues and constantValues read numbers of one mantissa token (mantissaLength 1), not \(mantissaLength)")
        }
        if let symbolicLayers, !Self.layerRange.contains(symbolicLayers) {
            throw ModelError(
                "model config: symbolicLayers must be in \(Self.layerRange.lowerBound)...\(Self.layerRange.upperBound), not \(symbolicLayers)")
        }
        guard width % heads == 0 else {
            throw ModelError("model config: width (enc_emb_dim) \(width) must be a multiple of heads (n_enc_heads) \(heads)")
        }
        if let symbolicWidth {
            guard Self.widthRange.contains(symbolicWidth) else {
                throw ModelError(
                    "model config: symbolicWidth must be in \(Self.widthRange.lowerBound)...\(Self.widthRange.upperBound), not \(symbolicWidth)")
            }
            guard symbolicWidth % heads == 0 else {
                throw ModelError("model config: symbolicWidth \(symbolicWidth) must be a multiple of heads (n_enc_heads) \(heads)")
            }
        }
        guard (floatPrecision + 1) % mantissaLength == 0 else {
            throw ModelError(
                "model config: mantissaLength (mantissa_len) \(mantissaLength) must divide floatPrecision (float_precision) + 1 = \(floatPrecision + 1)")
        }
        let parameters = estimatedParameterCount
        guard parameters <= Double(Self.maxParameterCount) else {
            throw ModelError(
                "model config: about \(Int(parameters / 1e6)) million parameters; at most \(Self.maxParameterCount / 1_000_000) million are allowed (width \(width), layers \(layers), positions \(positions))")
        }
    }

    /// Roughly how many parameters the model has (the large matrices; in floating point so that
    /// nothing overflows whatever the fields hold).
    public var estimatedParameterCount: Double {
        let d = Double(width)
        let ds = Double(symbolicEncoderWidth)
        let mantissas = (0...floatPrecision).reduce(1.0) { v, _ in v * 10 }
        let floatWords = mantissas + Double(2 * maxExponent + 1) + 17
        // attention 4·D², feed-forward D→4D→…→D
        func encoderLayer(_ d: Double) -> Double {
            4 * d * d + 8 * d * d + Double(max(feedForwardHiddenLayers, 1) - 1) * 16 * d * d
        }
        let encoders = Double(layers) * encoderLayer(d) + Double(symbolicEncoderLayers) * encoderLayer(ds)
            + (Double(positions) + 2 * Double(latent)) * (d + ds)
        let pointSize = Double(tokensPerPoint * pointTokenWidth)
        let hidden = pointSize * Double(embedderExpansion)
        let embedder = floatWords * Double(pointTokenWidth) + pointSize * hidden
            + Double(max(embedderLayers, 1) - 1) * hidden * hidden + hidden * d
        let head = Double(latent + 1) * Double(propertyHidden)
        let smoothing = smoothMantissas == true ? Double(MantissaFeatures.featureCount) * (ds + Double(pointTokenWidth)) : 0
        let values = pointValues == true ? Double(tokensPerPoint / 3 * PointValueFeatures.featuresPerNumber) * d : 0
        let constants = constantValues == true ? Double(PointValueFeatures.featuresPerNumber) * ds : 0
        return encoders + (floatWords + 64) * ds + embedder + head + smoothing + values + constants
    }
}

extension ModelConfig {
    /// Decodes a config from JSON (a `--config` file, a checkpoint's metadata) and checks it
    /// with ``validate()``; `source` names where the JSON came from in the error.
    public static func decode(json: Data, source: String) throws(ModelError) -> ModelConfig {
        let config: ModelConfig
        do {
            config = try JSONDecoder().decode(ModelConfig.self, from: json)
        } catch let error as DecodingError {
            throw ModelError("\(source): not a model config: \(describe(error))")
        } catch {
            throw ModelError("\(source): not a model config: \(error)")
        }
        do {
            try config.validate()
        } catch {
            throw ModelError("\(source): \(error.message)")
        }
        return config
    }

    /// A decoding error in a sentence naming the field (`field 'width': expected an integer`),
    /// without Foundation's internal spelling.
    public static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ last: CodingKey? = nil) -> String {
            let keys = context.codingPath + (last.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        func typeName(_ type: Any.Type) -> String {
            switch type {
            case is Int.Type, is Int64.Type, is UInt64.Type: "an integer"
            case is Double.Type, is Float.Type: "a number"
            case is Bool.Type: "true or false"
            case is String.Type: "a string"
            default: "\(type)"
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            return "field '\(path(context))': expected \(typeName(type))"
        case .valueNotFound(let type, let context):
            return "field '\(path(context))': expected \(typeName(type)), found null"
        case .keyNotFound(let key, let context):
            return "missing field '\(path(context, key))'"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "field '\(path(context))': invalid value"
        @unknown default:
            return "not a valid config"
        }
    }
}

/// A model-level error with a message for the user.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
