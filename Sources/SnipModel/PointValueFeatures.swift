import Foundation
import SnipNN
import SnipTensor

// P points, K float tokens per point (3 per number), F features per point, D encoder width

/// The values of a point's numbers, read directly (``ModelConfig/pointValues``).
///
/// The point embedder sees each number as three tokens (sign, mantissa, exponent), so 0.0999
/// (`+ N9990 E-4`) and 0.1 (`+ N1000 E-3`) share nothing, and how values compare across
/// exponents has to be learned from data. This adds to each point's embedding a learned linear
/// map of fixed features of its numbers' values v: with u = tanh(v / 2),
/// `[u, sin(πku), cos(πku) for k = 1…4, sign(v)·log10(1 + |v|) / 2]` per number (zeros for a
/// number whose tokens are padding or not a float). The map starts at zero, so a new model
/// computes exactly what the reference layout with the same seed does.
public final class PointValueFeatures: Module {
    /// `[D, F]`; key `weight`.
    public let weight: Parameter
    /// Reads the numbers' values from their ids.
    let values: FloatTokenValues
    let tokensPerPoint: Int

    /// Features per number.
    public static let featuresPerNumber = 10

    /// Features for points of `tokensPerPoint` tokens (three per number: sign, one mantissa,
    /// exponent) from the float vocabulary `words` (in id order), mapped to `width`.
    public init(words: [String], tokensPerPoint: Int, width: Int) {
        self.tokensPerPoint = tokensPerPoint
        weight = Parameter(Tensor.zeros([width, tokensPerPoint / 3 * Self.featuresPerNumber]))
        values = FloatTokenValues(words: words)
    }

    public var ownParameters: [(key: String, parameter: Parameter)] { [("weight", weight)] }

    /// The features of one value.
    public static func features(of value: Double) -> [Float] {
        var features = [Float](repeating: 0, count: featuresPerNumber)
        features.withUnsafeMutableBufferPointer { write(value, to: $0.baseAddress!) }
        return features
    }

    /// Writes the ``featuresPerNumber`` features of `value` to `out` (the hot path's form of
    /// ``features(of:)``: no array per number). sin and cos of πku for k = 2…4 come from k = 1
    /// by the angle-addition formulas.
    static func write(_ value: Double, to out: UnsafeMutablePointer<Float>) {
        let u = tanh(value / 2)
        out[0] = Float(u)
        let (s1, c1) = (sin(Double.pi * u), cos(Double.pi * u))
        var (s, c) = (s1, c1)
        for k in 0..<4 {
            out[1 + 2 * k] = Float(s)
            out[2 + 2 * k] = Float(c)
            (s, c) = (s * c1 + c * s1, c * c1 - s * s1)
        }
        let magnitude = log10(1 + abs(value)) / 2
        out[9] = Float(value < 0 ? -magnitude : magnitude)
    }

    /// The learned part for `points` points of `ids` (K per point): `[P, D]`.
    public func callAsFunction(ids: [Int], points: Int) -> Tensor {
        let numbers = tokensPerPoint / 3
        let perPoint = numbers * Self.featuresPerNumber
        var rows = [Float](repeating: 0, count: points * perPoint)
        rows.withUnsafeMutableBufferPointer { rows in
            for p in 0..<points {
                for n in 0..<numbers {
                    let t = p * tokensPerPoint + 3 * n
                    guard t + 2 < ids.count, let v = values.value(ids[t], ids[t + 1], ids[t + 2]) else { continue }
                    Self.write(v, to: rows.baseAddress! + p * perPoint + n * Self.featuresPerNumber)
                }
            }
        }
        return Tensor.linear(Tensor(rows, shape: [points, perPoint]), weight: weight.value, bias: nil)
    }
}
