import SnipNN
import SnipTensor

// B batch, T points, K float tokens per point, W token width, D encoder width

/// Turns each point into one vector: its float tokens are embedded, concatenated and passed
/// through Linear+ReLU layers and a final Linear (the reference's `LinearPointEmbedder`).
public final class PointEmbedder: Module {
    /// Float-token embeddings; key `embeddings`.
    public let embeddings: Embedding
    /// Keys `hidden_layers.0`, … (ReLU after each).
    public let hiddenLayers: [Linear]
    /// Key `fc`.
    public let output: Linear
    /// The smooth part of mantissa embeddings (``ModelConfig/smoothMantissas``); key
    /// `mantissa_features`.
    public let mantissaFeatures: MantissaFeatures?
    /// The learned part read from the points' values (``ModelConfig/pointValues``); key
    /// `value_features`.
    public let valueFeatures: PointValueFeatures?
    let tokensPerPoint: Int

    /// `vocabularySize` float words; `paddingIndex` is the float vocabulary's `<PAD>` id;
    /// `mantissaFeatures` (optional) adds to the token embeddings, `valueFeatures` (optional)
    /// to each point's vector.
    public init(
        config: ModelConfig, vocabularySize: Int, paddingIndex: Int, mantissaFeatures: MantissaFeatures? = nil,
        valueFeatures: PointValueFeatures? = nil, using generator: inout SeededGenerator
    ) {
        self.mantissaFeatures = mantissaFeatures
        self.valueFeatures = valueFeatures
        tokensPerPoint = config.tokensPerPoint
        embeddings = Embedding(count: vocabularySize, width: config.pointTokenWidth, paddingIndex: paddingIndex, using: &generator)
        let size = tokensPerPoint * config.pointTokenWidth
        let hidden = size * config.embedderExpansion
        var layers = [Linear(inputs: size, outputs: hidden, using: &generator)]
        for _ in 1..<max(config.embedderLayers, 1) {
            layers.append(Linear(inputs: hidden, outputs: hidden, using: &generator))
        }
        hiddenLayers = layers
        output = Linear(inputs: hidden, outputs: config.width, using: &generator)
    }

    public var children: [(key: String, module: any Module)] {
        [("embeddings", embeddings)] + hiddenLayers.enumerated().map { ("hidden_layers.\($0.offset)", $0.element) }
            + [("fc", output)] + (mantissaFeatures.map { [("mantissa_features", $0)] } ?? [])
            + (valueFeatures.map { [("value_features", $0)] } ?? [])
    }

    /// `ids` holds K float-token ids per point, for `points` points (any batch layout: each
    /// point is embedded on its own). Returns `[points, D]`.
    public func callAsFunction(ids: [Int], points: Int) -> Tensor {
        var tokens = embeddings(ids, shape: [points, tokensPerPoint])  // [P, K, W]
        if let mantissaFeatures { tokens = tokens + mantissaFeatures(ids, shape: [points, tokensPerPoint]) }
        var h = tokens.reshaped([points, -1])  // [P, K·W]
        for layer in hiddenLayers { h = layer(h, thenReLU: true) }
        let embedded = output(h)  // [P, D]
        guard let valueFeatures else { return embedded }
        return embedded + valueFeatures(ids: ids, points: points)
    }
}
