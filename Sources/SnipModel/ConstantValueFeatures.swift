import Foundation
import SnipNN
import SnipTensor

// N tokens, F features per constant, D encoder width

/// The values of a formula's constants, read directly (encoder_f with
/// ``ModelConfig/constantValues``).
///
/// A formula's constants are float tokens too (sign, mantissa, exponent), so `0.5` (`+ N5000
/// E-4`) and `5.0` (`+ N5000 E-3`) differ only in an exponent token whose meaning has to be
/// learned. This adds to each of a constant's three token embeddings a learned linear map of
/// ``PointValueFeatures/features(of:)`` of its value; other tokens get nothing. The map starts at
/// zero, so a new model computes exactly what the reference layout with the same seed does.
public final class ConstantValueFeatures: Module {
    /// `[D, F]`; key `weight`.
    public let weight: Parameter
    /// Reads the constants' values from their ids.
    let values: FloatTokenValues

    /// Features for formulas written in the equation vocabulary `words` (in id order), mapped
    /// to `width`.
    public init(words: [String], width: Int) {
        weight = Parameter(Tensor.zeros([width, PointValueFeatures.featuresPerNumber]))
        values = FloatTokenValues(words: words)
    }

    public var ownParameters: [(key: String, parameter: Parameter)] { [("weight", weight)] }

    /// The learned part for the token ids `ids` (formulas back to back): `[N, D]`, zero rows
    /// except at the three tokens of each constant.
    public func callAsFunction(_ ids: [Int]) -> Tensor {
        let count = PointValueFeatures.featuresPerNumber
        var rows = [Float](repeating: 0, count: ids.count * count)
        rows.withUnsafeMutableBufferPointer { rows in
            let base = rows.baseAddress!
            var t = 0
            while t + 2 < ids.count {
                guard let v = values.value(ids[t], ids[t + 1], ids[t + 2]) else {
                    t += 1
                    continue
                }
                // the constant's first token gets the features, its other two a copy
                PointValueFeatures.write(v, to: base + t * count)
                (base + (t + 1) * count).update(from: base + t * count, count: count)
                (base + (t + 2) * count).update(from: base + t * count, count: count)
                t += 3
            }
        }
        return Tensor.linear(Tensor(rows, shape: [ids.count, count]), weight: weight.value, bias: nil)
    }
}
