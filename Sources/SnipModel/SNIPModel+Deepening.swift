import SnipNN
import SnipTensor

extension SNIPModel {
    /// This model with its symbolic encoder (encoder_f) `symbolicLayers` deep, more than it is
    /// now, computing what this model computes: the new layers come after the trained ones and
    /// start as the identity. Each layer is post-LN (`x = LN1(x + MHA(x)); x = LN2(x +
    /// FFN(x))`), so a layer whose attention and feed-forward outputs are zero still normalises
    /// its input; the last trained layer's final LayerNorm (the input LayerNorm when encoder_f
    /// has no layers) therefore hands its gain and shift to
    /// the last new layer and keeps gain 1 and shift 0 itself, as do the new layers' other
    /// LayerNorms. Its output is then normalised (mean 0, variance 1 per position), which a
    /// LayerNorm with gain 1 and shift 0 leaves as it is, and the last new layer applies the old
    /// gain and shift. The new layers' attention output projections and feed-forward output
    /// layers start at zero (their inner weights are drawn from `seed`), so their gradients are
    /// not zero and they start to compute once training moves those outputs. The point
    /// embedder, encoder_y and the rest of encoder_f are this model's.
    ///
    /// Throws unless `symbolicLayers` is more than encoder_f has and within
    /// ``ModelConfig/layerRange`` (which the new config's validation checks).
    public func deepened(symbolicLayers: Int, seed: UInt64) throws(ModelError) -> SNIPModel {
        let layers = config.symbolicEncoderLayers
        guard symbolicLayers > layers else {
            throw ModelError("encoder_f can only grow deeper than its \(layers) layers, not to \(symbolicLayers)")
        }
        var deep = config
        deep.symbolicLayers = symbolicLayers
        let model = try rebuilt(as: deep, seed: seed, holding: stateDict(), strict: false, purpose: "deepened")
        let encoder = model.symbolicEncoder
        // the LayerNorm that ends what encoder_f computes now (the input's, with no layers)
        let lastTrained = layers > 0 ? encoder.layers[layers - 1].feedForwardNorm : encoder.inputNorm
        let (gain, shift) = (lastTrained.weight.value, lastTrained.bias.value)
        Self.makeNeutral(lastTrained)
        for layer in encoder.layers[layers...] {
            for output in [layer.attention.outputProjection, layer.feedForward.contract] {
                output.weight.value = Tensor.zeros(like: output.weight.value)
                if let bias = output.bias { bias.value = Tensor.zeros(like: bias.value) }
            }
            Self.makeNeutral(layer.attentionNorm)
            Self.makeNeutral(layer.feedForwardNorm)
        }
        let last = encoder.layers[symbolicLayers - 1].feedForwardNorm
        last.weight.value = gain
        last.bias.value = shift
        return model
    }

    /// Gain 1 and shift 0: a LayerNorm that leaves normalised input as it is.
    private static func makeNeutral(_ norm: LayerNorm) {
        norm.weight.value = Tensor.ones(norm.weight.shape)
        norm.bias.value = Tensor.zeros(like: norm.bias.value)
    }
}
