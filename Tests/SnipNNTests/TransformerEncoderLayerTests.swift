import Foundation
import SnipNN
import SnipTensor
import Testing
import TestSupport

// B batch, T positions, D width, H heads, E head width

/// A naive float64 post-LN encoder layer written from the definition, loop by loop.
private func naiveLayer(
    x: [Double], parameters p: [String: [Double]], b: Int, t: Int, d: Int, heads: Int,
    mask: [Double], epsilon: Double
) -> [Double] {
    func linear(_ input: [Double], _ key: String, inputs: Int, outputs: Int) -> [Double] {
        let w = p[key + ".weight"]!, bias = p[key + ".bias"]!
        let rows = input.count / inputs
        var out = [Double](repeating: 0, count: rows * outputs)
        for r in 0..<rows {
            for o in 0..<outputs {
                var s = bias[o]
                for i in 0..<inputs { s += input[r * inputs + i] * w[o * inputs + i] }
                out[r * outputs + o] = s
            }
        }
        return out
    }
    func layerNorm(_ input: [Double], _ key: String) -> [Double] {
        let w = p[key + ".weight"]!, bias = p[key + ".bias"]!
        var out = input
        for r in 0..<(input.count / d) {
            let row = input[r * d..<(r + 1) * d]
            let mean = row.reduce(0, +) / Double(d)
            let variance = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(d)
            for i in 0..<d {
                out[r * d + i] = (input[r * d + i] - mean) / (variance + epsilon).squareRoot() * w[i] + bias[i]
            }
        }
        return out
    }
    let e = d / heads
    let q = linear(x, "attention.q_lin", inputs: d, outputs: d).map { $0 / Double(e).squareRoot() }
    let k = linear(x, "attention.k_lin", inputs: d, outputs: d)
    let v = linear(x, "attention.v_lin", inputs: d, outputs: d)
    var context = [Double](repeating: 0, count: b * t * d)
    for s in 0..<b {
        for h in 0..<heads {
            for i in 0..<t {
                var scores = [Double](repeating: -.infinity, count: t)
                for j in 0..<t where mask[s * t + j] != 0 {
                    scores[j] = (0..<e).reduce(0.0) { $0 + q[(s * t + i) * d + h * e + $1] * k[(s * t + j) * d + h * e + $1] }
                }
                let m = scores.max()!
                let weights = scores.map { Foundation.exp($0 - m) }
                let total = weights.reduce(0, +)
                for c in 0..<e {
                    var acc = 0.0
                    for j in 0..<t { acc += weights[j] / total * v[(s * t + j) * d + h * e + c] }
                    context[(s * t + i) * d + h * e + c] = acc
                }
            }
        }
    }
    let attended = linear(context, "attention.out_lin", inputs: d, outputs: d)
    let h1 = layerNorm(zip(x, attended).map { $0 + $1 }, "layer_norm1")
    let hidden = linear(h1, "ffn.lin1", inputs: d, outputs: 4 * d).map { max($0, 0) }
    let f = linear(hidden, "ffn.lin2", inputs: 4 * d, outputs: d)
    let h2 = layerNorm(zip(h1, f).map { $0 + $1 }, "layer_norm2")
    return h2.enumerated().map { $0.element * mask[$0.offset / d] }
}

struct TransformerEncoderLayerTests {
    /// Evidence for the tensor library as a whole: an attention + feed-forward block built from
    /// it gives the naive float64 layer's output, and gradients (input and every parameter) equal
    /// finite differences of the naive layer.
    @Test func matchesNaiveFloat64LayerForwardAndBackward() {
        let (b, t, d, heads) = (2, 5, 8, 2)
        var generator = SeededGenerator(seed: 1)
        let layer = TransformerEncoderLayer(width: d, heads: heads, epsilon: 1e-12, using: &generator)
        // non-trivial layer norm parameters
        for (key, parameter) in layer.namedParameters() where key.hasPrefix("layer_norm") {
            parameter.value = parameter.value + Tensor.randomUniform(parameter.shape, low: -0.3, high: 0.3, using: &generator)
        }
        let named = layer.namedParameters()
        let keys = named.map(\.key)
        let x = Tensor.randomNormal([b, t, d], using: &generator)
        // the second sequence has two padded positions
        let maskValues: [Float] = [1, 1, 1, 1, 1, 1, 1, 1, 0, 0]
        let mask = Tensor(maskValues, shape: [b, t])
        checkGradients(
            [x] + named.map { $0.parameter.value.detached() },
            forwardRTol: 1e-4, forwardATol: 1e-5, gradientRTol: 2e-3, gradientATol: 2e-4,
            forward: { inputs in
                for (i, (_, parameter)) in named.enumerated() { parameter.value = inputs[i + 1] }
                return layer(inputs[0], keyMask: mask)
            },
            reference: { values in
                var p: [String: [Double]] = [:]
                for (i, key) in keys.enumerated() { p[key] = values[i + 1] }
                return naiveLayer(
                    x: values[0], parameters: p, b: b, t: t, d: d, heads: heads,
                    mask: maskValues.map(Double.init), epsilon: 1e-12)
            })
    }

    /// The packed layer as the encoders run it (stacked QKV projection, fused attention
    /// kernel, linear+ReLU) against the same naive float64 layer, forward and every gradient.
    @Test func packedLayerMatchesNaiveFloat64Layer() {
        let (b, t, d, heads) = (2, 5, 16, 2)  // head width 8: the fused attention kernel
        var generator = SeededGenerator(seed: 4)
        let layer = TransformerEncoderLayer(width: d, heads: heads, epsilon: 1e-12, using: &generator)
        let named = layer.namedParameters()
        let keys = named.map(\.key)
        let x = Tensor.randomNormal([b * t, d], using: &generator)
        let segments = Segments(lengths: [t, t])
        checkGradients(
            [x] + named.map { $0.parameter.value.detached() },
            forwardRTol: 1e-4, forwardATol: 1e-5, gradientRTol: 2e-3, gradientATol: 2e-4,
            forward: { inputs in
                for (i, (_, parameter)) in named.enumerated() { parameter.value = inputs[i + 1] }
                return layer(packed: inputs[0], segments: segments)
            },
            reference: { values in
                var p: [String: [Double]] = [:]
                for (i, key) in keys.enumerated() { p[key] = values[i + 1] }
                return naiveLayer(
                    x: values[0], parameters: p, b: b, t: t, d: d, heads: heads,
                    mask: [Double](repeating: 1, count: b * t), epsilon: 1e-12)
            })
    }

    /// The stacked QKV projection against one product per projection, on uneven sequences at
    /// the small model's width: output, input gradient and every parameter's gradient.
    @Test func stackedProjectionAgreesWithSeparateProjections() {
        var generator = SeededGenerator(seed: 5)
        let attention = MultiHeadAttention(width: 64, heads: 4, using: &generator)
        let segments = Segments(lengths: [200, 17, 1, 40])
        let x = Tensor.randomNormal([segments.rows, 64], using: &generator)
        let upstream = Tensor.randomNormal([segments.rows, 64], using: &generator)
        func run(_ body: (Tensor) -> Tensor) -> [[Float]] {
            attention.zeroGrad()
            var input = x
            input.requiresGrad = true
            let out = body(input)
            out.backward(seed: upstream)
            return [out.scalars, input.grad!.scalars] + attention.parameters.map { $0.grad!.scalars }
        }
        let stacked = run { attention(packed: $0, segments: segments) }
        let separate = run { attention.unfusedCall(packed: $0, segments: segments) }
        let names = ["output", "input gradient"] + attention.namedParameters().map(\.key)
        for (i, name) in names.enumerated() {
            assertClose(stacked[i], separate[i].map(Double.init), rtol: 1e-4, atol: 1e-5, name)
        }
    }

    @Test func parameterKeysFollowTheReference() {
        var generator = SeededGenerator(seed: 2)
        let layer = TransformerEncoderLayer(width: 8, heads: 2, using: &generator)
        #expect(layer.namedParameters().map(\.key) == [
            "attention.q_lin.weight", "attention.q_lin.bias", "attention.k_lin.weight",
            "attention.k_lin.bias", "attention.v_lin.weight", "attention.v_lin.bias",
            "attention.out_lin.weight", "attention.out_lin.bias", "layer_norm1.weight",
            "layer_norm1.bias", "ffn.lin1.weight", "ffn.lin1.bias", "ffn.lin2.weight",
            "ffn.lin2.bias", "layer_norm2.weight", "layer_norm2.bias",
        ])
        #expect(layer.parameterCount == 4 * (64 + 8) + 2 * 16 + (8 * 32 + 32) + (32 * 8 + 8))
    }

    @Test func stateDictRoundTripAndErrors() throws {
        var generator = SeededGenerator(seed: 3)
        let a = TransformerEncoderLayer(width: 8, heads: 2, using: &generator)
        let b = TransformerEncoderLayer(width: 8, heads: 2, using: &generator)
        try b.load(stateDict: a.stateDict())
        let x = Tensor.randomNormal([1, 3, 8], using: &generator)
        #expect(a(x).scalars == b(x).scalars)
        var state = a.stateDict()
        state["ffn.lin1.bias"] = Tensor.zeros([3])
        #expect(throws: StateDictError.shapeMismatch(key: "ffn.lin1.bias", expected: [32], found: [3])) {
            try b.load(stateDict: state)
        }
        state["ffn.lin1.bias"] = nil
        #expect(throws: StateDictError.missingKey("ffn.lin1.bias")) { try b.load(stateDict: state) }
        var extra = a.stateDict()
        extra["bogus"] = Tensor.zeros([1])
        #expect(throws: StateDictError.unexpectedKey("bogus")) { try b.load(stateDict: extra) }
    }
}
