import Foundation
import SnipMath
import SnipNN
import SnipTensor

// N tokens, F features, W embedding width

/// A smooth part for the embeddings of mantissa tokens (``ModelConfig/smoothMantissas``).
///
/// The reference embeds each of the 10,000 mantissas (`N0000` … `N9999`) as its own learned
/// row, so `N2370` and `N2371` start as unrelated as `N2370` and `N9000` and only grow alike
/// with enough occurrences of both. This adds to a mantissa token's row a learned linear map
/// of fixed Fourier features of its value v = mantissa / 10^digits ∈ [0, 1):
/// `[2v − 1, sin(πkv), cos(πkv) for k = 1…4]`; other tokens get nothing. The map starts at
/// zero, so a new model computes exactly what the reference layout with the same seed does.
public final class MantissaFeatures: Module {
    /// `[W, F]`; key `weight`.
    public let weight: Parameter
    /// `[vocabulary, F]`, row-major: each token id's features (zeros except for mantissas).
    let table: [Float]

    /// Fourier features per mantissa.
    public static let featureCount = 9

    /// Features for the tokens `words` (a vocabulary in id order), mapped to `width`.
    public init(words: [String], width: Int) {
        weight = Parameter(Tensor.zeros([width, Self.featureCount]))
        var table = [Float](repeating: 0, count: words.count * Self.featureCount)
        for (id, word) in words.enumerated() {
            guard let features = Self.features(of: word) else { continue }
            for (j, value) in features.enumerated() { table[id * Self.featureCount + j] = value }
        }
        self.table = table
    }

    public var ownParameters: [(key: String, parameter: Parameter)] { [("weight", weight)] }

    /// The features of a mantissa word (`N` and its digits), nil for any other word.
    public static func features(of word: String) -> [Float]? {
        guard word.first == "N", word.count > 1, let digits = Int(word.dropFirst()), digits >= 0 else { return nil }
        let v = Double(digits) / Foundation.pow(10, Double(word.count - 1))
        var features = [Float(2 * v - 1)]
        for k in 1...4 {
            features += [Float(sin(Double.pi * Double(k) * v)), Float(cos(Double.pi * Double(k) * v))]
        }
        return features
    }

    /// The smooth parts of tokens `ids` laid out as `shape`; the result is `shape + [W]`.
    public func callAsFunction(_ ids: [Int], shape: [Int]) -> Tensor {
        let count = Self.featureCount
        var rows = [Float](repeating: 0, count: ids.count * count)
        table.withUnsafeBufferPointer { table in
            for (i, id) in ids.enumerated() where id >= 0 && (id + 1) * count <= table.count {
                for j in 0..<count { rows[i * count + j] = table[id * count + j] }
            }
        }
        let features = Tensor(rows, shape: [ids.count, count])
        return Tensor.linear(features, weight: weight.value, bias: nil).reshaped(shape + [weight.shape[0]])
    }
}
