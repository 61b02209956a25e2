import Foundation
import SnipModel
import SnipNN
import SnipTensor
import Testing
import TestSupport

private func fixture(_ name: String) -> String {
    Bundle.module.url(forResource: "Fixtures/" + name, withExtension: nil)!.path
}

/// The reference's small model (goldens `model_small`) loaded into snip: every intermediate
/// result of the reference forward pass, the CLIP loss and its gradients.
struct ReferenceModelTests {
    static let forward = try! Golden.load("forward.json", from: .module)
    nonisolated(unsafe) static let model = try! SNIPModel.load(fixture("model.safetensors"), config: .small())

    /// Per sample: the point tokens (flattened) and the expression tokens without `<EOS>`.
    static func inputs() -> (points: [[Int]], expressions: [[Int]], lengths: [Int]) {
        let ids = forward["embedder_input_ids"]  // [200][4][6], sequence-first
        let equation = forward["encoder_f_input_ids"]  // [200][4]
        let lengths = forward["encoder_f_lengths"].ints
        var points: [[Int]] = Array(repeating: [], count: 4)
        var expressions: [[Int]] = Array(repeating: [], count: 4)
        for t in 0..<200 {
            for b in 0..<4 { points[b] += ids[t][b].ints }
        }
        for b in 0..<4 {
            expressions[b] = (1..<(lengths[b] - 1)).map { equation[$0][b].int }
        }
        return (points, expressions, lengths)
    }

    @Test func configAndVocabularyLayoutFromThePyTorchFile() throws {
        let fromTorch = try SNIPModel.load(fixture("model.pth"))
        #expect(fromTorch.config == ModelConfig.small())
        #expect(fromTorch.vocabulary.floatCount == 10218 && fromTorch.vocabulary.equationCount == 10283)
        #expect(fromTorch.vocabulary.equationEnd == 65 && fromTorch.vocabulary.equationPadding == 73)
        // identical weights from both files
        let a = fromTorch.stateDict()
        let b = Self.model.stateDict()
        #expect(a.count == b.count && a.count == 92)
        for (key, value) in a { #expect(b[key]?.scalars == value.scalars, "\(key)") }
    }

    @Test func pointEmbedderMatches() {
        let (points, _, _) = Self.inputs()
        let ids = points.flatMap { $0 }
        let out = withoutGrad { Self.model.embedder(ids: ids, points: 800) }  // [4·200, 64]
        let golden = Self.forward["embedder_output_first50"]  // [50][4][64]
        var actual: [Float] = []
        var expected: [Double] = []
        let values = out.scalars
        for t in 0..<50 {
            for b in 0..<4 {
                actual += values[(b * 200 + t) * 64..<(b * 200 + t + 1) * 64]
                expected += golden[t][b].doubles
            }
        }
        assertClose(actual, expected, rtol: 1e-5, atol: 1e-6, "embedder output")
    }

    @Test func encodersPoolingAndClipLossMatch() {
        let (points, expressions, lengths) = Self.inputs()
        withoutGrad {
            let numeric = Self.model.encodeNumeric(points)
            let symbolic = Self.model.encodeSymbolic(expressions, keepHiddenStates: true)
            assertClose(numeric.latent, Self.forward["encoder_y_output"].doubles, shape: [4, 32], rtol: 1e-4, atol: 1e-5, "encoder_y")
            assertClose(symbolic.latent, Self.forward["encoder_f_output"].doubles, shape: [4, 32], rtol: 1e-4, atol: 1e-5, "encoder_f")
            assertClose(numeric.poolWeights, Self.forward["pool_weights_encoder_y"].doubles, shape: [800], rtol: 1e-4, atol: 1e-7, "encoder_y pooling")
            // encoder_f pooling: real positions computed, the padding's share implied
            let golden = Self.forward["pool_weights_encoder_f"]
            let weights = symbolic.poolWeights.scalars
            let segments = symbolic.segments
            #expect(segments.lengths == lengths)
            for b in 0..<4 {
                let actual = Array(weights[segments.range(b)])
                assertClose(actual, Array(golden[b].doubles.prefix(lengths[b])), rtol: 1e-4, atol: 1e-7, "encoder_f pooling \(b)")
                let padding = golden[b].doubles.dropFirst(lengths[b]).reduce(0, +)
                let missing = 1 - actual.reduce(0) { $0 + Double($1) }
                #expect(Swift.abs(missing - padding) < 1e-5, "padding share \(missing) vs \(padding)")
            }
            // hidden states of encoder_f after the input LayerNorm and each layer
            let stages = Self.forward["encoder_f_layer_outputs"]["tensors"]
            for stage in 0..<3 {
                let state = symbolic.hiddenStates[stage].scalars
                for b in 0..<4 {
                    let actual = Array(state[segments.bounds[b] * 64..<segments.bounds[b + 1] * 64])
                    assertClose(actual, stages[stage * 4 + b].doubles, rtol: 1e-4, atol: 1e-5, "encoder_f stage \(stage) sample \(b)")
                }
            }
            let logits = Tensor.matmul(symbolic.latent, numeric.latent, transposeB: true)
            assertClose(logits, Self.forward["logits_per_f"].doubles, shape: [4, 4], rtol: 1e-4, atol: 1e-5, "logits")
            let loss = clipLoss(symbolic: symbolic.latent, numeric: numeric.latent)
            #expect(Swift.abs(Double(loss.item) - Self.forward["clip_loss"].double) < 1e-5)
            assertClose(Self.model.propertyHead(symbolic.latent), Self.forward["regressor_output_on_encoder_f"].doubles, shape: [4, 1], rtol: 1e-4, atol: 1e-5, "regressor")
        }
    }

    @Test func clipLossGradientsMatch() throws {
        let model = try SNIPModel.load(fixture("model.safetensors"), config: .small())
        let (points, expressions, _) = Self.inputs()
        let loss = clipLoss(symbolic: model.encodeSymbolic(expressions).latent, numeric: model.encodeNumeric(points).latent)
        loss.backward()
        let golden = try Golden.load("grads.json", from: .module)
        let parameters = Dictionary(uniqueKeysWithValues: model.namedParameters().map { ($0.key, $0.parameter) })
        var squared = 0.0
        for p in parameters.values { if let g = p.grad { squared += g.scalars.reduce(0) { $0 + Double($1) * Double($1) } } }
        #expect(Swift.abs(squared.squareRoot() - golden["total_grad_norm_all_params"].double) < 1e-4 * golden["total_grad_norm_all_params"].double)
        let grads = golden["grads"]
        #expect(grads.keys.count >= 15)
        for key in grads.keys {
            let entry = grads[key]
            guard let parameter = parameters[key], let grad = parameter.grad else {
                Issue.record("no gradient for \(key)")
                continue
            }
            #expect(grad.shape == entry["shape"].ints, "\(key)")
            if entry.has("values") {
                let scale = entry["values"].doubles.map(Swift.abs).max() ?? 1
                // some entries are zero in exact arithmetic (softmax is shift-invariant): allow 1e-7 absolute
                assertClose(grad.scalars, entry["values"].doubles, rtol: 1e-3, atol: max(1e-4 * scale, 1e-7), key)
            } else {
                let rows = entry["sparse_rows"].ints
                let width = grad.shape[1]
                let values = grad.scalars
                let actual = rows.flatMap { Array(values[$0 * width..<($0 + 1) * width]) }
                let scale = entry["rows"].doubles.map(Swift.abs).max() ?? 1
                assertClose(actual, entry["rows"].doubles, rtol: 1e-3, atol: 1e-4 * scale, key)
                // and every other row is zero
                let others = Set(0..<grad.shape[0]).subtracting(rows)
                let nonZero = others.filter { r in values[r * width..<(r + 1) * width].contains { $0 != 0 } }
                #expect(nonZero.isEmpty, "\(key): rows \(nonZero.sorted().prefix(5)) have gradients the reference does not")
            }
        }
    }
}
