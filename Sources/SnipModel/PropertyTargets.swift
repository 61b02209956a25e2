import SnipMath
import SnipTensor

/// The targets of pre-training's auxiliary property loss (`snip pretrain --property-weight`):
/// the four properties of a one-dimensional function's points (ncr, upward, yavg, oscil, in
/// ``FunctionProperty/allCases`` order), measured on the points as the model reads them (four
/// significant digits, the float tokens' precision and the data files') and standardised so
/// that each has roughly mean 0 and spread 1 on generated data.
///
/// A small head (``PropertyHead`` with four outputs) reads the unit-length embeddings z_f and
/// z_y and is trained to predict them, so the directions of both embeddings carry how the
/// function behaves — what the model report's property probes measure. The head is a training
/// device: it lives in the run's checkpoint, not in the model files.
public enum PropertyTargets {
    /// The properties, in the order of a target row.
    public static let properties = FunctionProperty.allCases
    /// Subtracted from each property: its rough mean on 1,000 generated normalised 1-D
    /// functions (`snip generate --count 1000 --seed 1000003 --normalize-y`: 0.49, 0.00, 0.51,
    /// 0.52).
    public static let centers: [Double] = [0.5, 0, 0.5, 0.5]
    /// Each property is divided by its rough standard deviation on the same functions (0.27,
    /// 0.59, 0.21, 1.0).
    public static let scales: [Double] = [0.27, 0.6, 0.21, 1.0]

    /// The standardised properties of a one-dimensional sample's points, `properties.count`
    /// of them; a sample with fewer than three points, or a property that comes out not
    /// finite, gets 0 (the centre) there. `seed` fixes the ncr estimate's triples.
    public static func targets(of sample: Sample, seed: UInt64) -> [Float] {
        standardised(values(x: sample.x, y: sample.y, seed: seed) ?? [])
    }

    /// The formula-only targets of a one-dimensional sample: each property averaged over
    /// `draws` fresh draws of the formula's inputs from `generator` (its input distribution and
    /// y scaling), then standardised — what the formula alone fixes of its graph's properties,
    /// without the draw noise of the sample's own points. A property no draw measures gets
    /// the centre; a sample none of whose draws gives usable outputs gets its own points'
    /// targets. `seed` fixes the draws and the ncr triples.
    public static func redrawMeanTargets(
        of sample: Sample, generator: ExpressionGenerator, draws: Int, seed: UInt64
    ) -> [Float] {
        var source = SwiftRandomSource(SeededGenerator(seed: seed))
        var sums = [Double](repeating: 0, count: properties.count)
        var counts = [Int](repeating: 0, count: properties.count)
        for draw in 0..<max(0, draws) {
            guard let drawn = generator.samplePoints(for: sample.tree, attempts: 1, source: &source),
                let measured = values(x: drawn.x, y: drawn.y, seed: seed &+ UInt64(draw) &+ 1)
            else { continue }
            for (k, value) in measured.enumerated() where value.isFinite {
                sums[k] += value
                counts[k] += 1
            }
        }
        guard counts.contains(where: { $0 > 0 }) else { return targets(of: sample, seed: seed) }
        return standardised(zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : .nan })
    }

    /// The raw properties of one-dimensional points, rounded as the model reads them (four
    /// significant digits); nil for fewer than three points, other dimensions or non-finite
    /// points. A property may come out not finite.
    static func values(x: [[Double]], y: [Double], seed: UInt64) -> [Double]? {
        guard x.count >= 3, x.count == y.count, x.allSatisfy({ $0.count == 1 }) else { return nil }
        let xs = x.map { E3Rounding.rounded($0[0]) }
        let ys = y.map { E3Rounding.rounded($0) }
        guard (xs + ys).allSatisfy(\.isFinite) else { return nil }
        var random = SeededGenerator(seed: seed)
        return properties.map { $0.value(x: xs, y: ys, random: &random) }
    }

    /// `values` centred and scaled; a missing or non-finite value is the centre (0).
    static func standardised(_ values: [Double]) -> [Float] {
        properties.indices.map { k in
            guard k < values.count else { return 0 }
            let value = (values[k] - centers[k]) / scales[k]
            return value.isFinite ? Float(value) : 0
        }
    }

    /// The loss of one process's rows: the squared errors of `head` on the unit-length rows of
    /// `symbolic` and of `numeric` (`[b, L]`) against `targets` (`[b, 4]` row-major; the
    /// symbolic rows against `symbolicTargets` when given, e.g. ``redrawMeanTargets(of:generator:draws:seed:)``), each
    /// property's multiplied by its entry of `shares` (nil: all 1), summed and divided by
    /// 2 · 4 · `globalBatch`, so that the processes of a data-parallel step add up to the mean
    /// over the whole batch.
    public static func loss(
        head: PropertyHead, symbolic: Tensor, numeric: Tensor, targets: [Float], symbolicTargets: [Float]? = nil,
        globalBatch: Int, shares: [Double]? = nil
    ) -> Tensor {
        let b = symbolic.shape[0]
        precondition(targets.count == b * properties.count, "\(targets.count) property targets for \(b) rows")
        precondition(
            symbolicTargets.map { $0.count == targets.count } ?? true,
            "\(symbolicTargets?.count ?? 0) symbolic property targets for \(b) rows")
        let truth = Tensor(targets, shape: [b, properties.count])
        let symbolicTruth = symbolicTargets.map { Tensor($0, shape: [b, properties.count]) } ?? truth
        var fromSymbolic = head(unitRows(symbolic)) - symbolicTruth
        var fromNumeric = head(unitRows(numeric)) - truth
        if let shares {
            precondition(shares.count == properties.count, "\(shares.count) property shares for \(properties.count) properties")
            // each error scaled by √share, so that its square is scaled by the share
            let roots = Tensor(shares.map { Float($0.squareRoot()) }, shape: [1, properties.count])
            fromSymbolic = fromSymbolic * roots
            fromNumeric = fromNumeric * roots
        }
        return ((fromSymbolic * fromSymbolic).sum() + (fromNumeric * fromNumeric).sum())
            * (1 / Float(2 * properties.count * globalBatch))
    }
}
