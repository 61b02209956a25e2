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

    /// Float tokens per scalar: sign, mantissa tokens, exponent.
    public var tokensPerScalar: Int { 2 + mantissaLength }

    /// Float tokens per point: every input dimension and the output.
    public var tokensPerPoint: Int { tokensPerScalar * (maxInputDimension + maxOutputDimension) }

    /// Checks the values that would make a model impossible to build.
    public func validate() throws(ModelError) {
        guard width > 0, layers >= 0, heads > 0, width % heads == 0 else {
            throw ModelError("width \(width) must be a positive multiple of heads \(heads)")
        }
        guard latent > 0, pointTokenWidth > 0, maxInputDimension >= 1, maxInputDimension <= 10 else {
            throw ModelError("latent, point token width must be positive and max input dimension in 1…10")
        }
    }
}

/// A model-level error with a message for the user.
public struct ModelError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
