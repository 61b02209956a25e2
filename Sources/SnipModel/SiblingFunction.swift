import Foundation
import SnipMath
import SnipTensor

/// Hard negatives for contrastive pre-training: a function's *sibling* is the same formula with
/// each float constant moved to a nearby value, evaluated at the same inputs.
///
/// Most negatives of a generated batch are easy (other formulas, other shapes), so nothing
/// forces the encoders to read a curved function's constants closely; a sibling differs from
/// its function only there. A sibling that still looks like its function (RMSE ≤ 0.01 on
/// scaled graphs) counts as a match under look-alike targets, as any look-alike does.
public enum SiblingFunction {
    /// The largest relative move of a constant: `c` becomes `c · (1 + u)`, u uniform in
    /// [−spread, spread].
    public static let spread = 0.3

    /// Raw outputs beyond this size are rejected, as unusable for min-max scaling.
    static let largestOutput = 1e7

    /// The sibling of `sample`, y min-max scaled when `scalesY`; nil when the formula has no
    /// float constant or the moved formula is not finite, too large, or constant on the inputs.
    public static func sibling(of sample: Sample, scalesY: Bool, using generator: inout SeededGenerator) -> Sample? {
        guard sample.tree.floatLiteralCount > 0, !sample.x.isEmpty else { return nil }
        let tree = sample.tree.mappingFloatLiterals { value in
            let factor = 1 + Double.random(in: -spread...spread, using: &generator)
            return fourSignificantDigits(value * factor)
        }
        guard let raw = try? tree.evaluate(rows: sample.x), raw.count == sample.y.count,
            raw.allSatisfy({ $0.isFinite && abs($0) <= largestOutput }), Sample.varies(raw)
        else { return nil }
        return Sample(
            tree: tree, x: sample.x, y: scalesY ? Sample.minMaxScaled(raw) : raw, info: sample.info,
            skeletonTokens: sample.skeletonTokens)
    }

    /// `value` rounded to 4 significant digits, the precision of the constants' float tokens, so
    /// that the formula the encoder reads is the one that made the points.
    static func fourSignificantDigits(_ value: Double) -> Double {
        guard value != 0, value.isFinite else { return value }
        let scale = pow(10.0, Double(3 - Int(floor(log10(abs(value))))))
        let rounded = (value * scale).rounded() / scale
        return rounded.isFinite ? rounded : value
    }
}
