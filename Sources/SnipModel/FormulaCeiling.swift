import Foundation
import SnipMath
import SnipTensor

/// How much of each property a predictor that knows only the formula can explain.
///
/// Every generated function gets its own random points (Gaussian or uniform clusters around
/// random centroids, standardised), and the properties are measured on those points, so part
/// of a property's variance belongs to the draw, not to the formula. For each function this
/// draws `draws` fresh point sets the way the generator does, scales and rounds them as the
/// given samples hold their points, measures the properties on each, and scores the mean (a predictor that
/// sees the formula and nothing else) by R² against the property of the function's own points.
/// A probe of the symbolic embedding z_f cannot be expected to do much better: the mean of 8
/// draws sits slightly under the true ceiling (its own draw noise costs about 1/8 of the
/// within-formula variance).
///
/// The k-NN probe has a reach of its own: it predicts a function from its neighbours'
/// properties as measured on *their* points, so even neighbours that expect exactly the same
/// value bring 1/k of their draws' noise. ``measure(samples:embeddings:draws:folds:)`` also
/// runs the probe's protocol with the redraw mean as the embedding (neighbours: the closest
/// means). Both are estimates from a few draws: where a few formulas' redraws scatter widely,
/// the k-NN figure can exceed the redraw mean's.
public enum FormulaCeiling {
    /// R² per property name: of the redraw mean itself, and of the k-NN probe (k = 10, the
    /// report's folds) with the redraw mean as its one-number embedding.
    public struct Estimate: Equatable, Sendable {
        /// R² of the redraw mean: the formula-only ceiling.
        public var redrawMean: [String: Double]
        /// R² of the k-NN probe on the redraw means: the z_f k-NN probe's reach.
        public var nearestNeighbors: [String: Double]
        /// R² of the z_f k-NN probe's own predictions (neighbours by z_f, as the report's probe
        /// chooses them) against each formula's redraw mean instead of its function's points:
        /// how much of what the formula fixes z_f carries, without the draw noise that caps the
        /// probe (1 for a z_f whose neighbours expect exactly the query's value, up to their
        /// own draws' noise).
        public var symbolicAgainstRedrawMean: [String: Double] = [:]
    }

    /// Fresh point sets per function.
    public static let defaultDraws = 8

    /// R² of the redraw mean per property name, over the one-dimensional rows of `embeddings`
    /// whose formula could be sampled at least twice (nil when fewer than 2 such rows).
    /// The points are min-max scaled when the samples' are (every row spans [0, 1]) and rounded
    /// to four significant digits when theirs are (as data.prefix files write them).
    public static func r2(
        samples: [Sample], embeddings: Embeddings, draws: Int = defaultDraws
    ) -> [String: Double]? {
        measure(samples: samples, embeddings: embeddings, draws: draws)?.redrawMean
    }

    /// Both estimates over the same draws (nil when fewer than 2 rows could be redrawn).
    /// `symbolicNeighbors`: the z_f probe's neighbours when the caller has them (found here
    /// otherwise).
    public static func measure(
        samples: [Sample], embeddings: Embeddings, draws: Int = defaultDraws, folds: Int = 5,
        symbolicNeighbors: PropertyProbe.Neighbors? = nil
    ) -> Estimate? {
        let rows = embeddings.probeRows
        guard !rows.isEmpty, !embeddings.properties.isEmpty else { return nil }
        let scaled = rows.allSatisfy { i in
            guard let low = samples[i].y.min(), let high = samples[i].y.max() else { return false }
            return Swift.abs(low) < 1e-3 && Swift.abs(high - 1) < 1e-3
        }
        // rounded like a data file's points, or kept at full precision (generated in memory)
        let rounded = rows.allSatisfy { i in
            samples[i].y.prefix(20).allSatisfy { roundedLikeDataFiles($0) == $0 }
                && samples[i].x.prefix(20).allSatisfy { roundedLikeDataFiles($0[0]) == $0[0] }
        }
        var configuration = GeneratorConfiguration(maxInputDimension: 1)
        configuration.normalizeY = scaled
        let generator = ExpressionGenerator(configuration: configuration)
        // per row: the mean of each property over the fresh draws (nil: fewer than 2 draws)
        var means: [[Double]?] = []
        means.reserveCapacity(rows.count)
        for (position, i) in rows.enumerated() {
            var source = NumpyLegacyRandom(key: [UInt32(truncatingIfNeeded: i), 0x5eed])
            var sums = [Double](repeating: 0, count: FunctionProperty.allCases.count)
            var made = 0
            for draw in 0..<draws {
                guard let (x, y, _) = generator.samplePoints(for: samples[i].tree, source: &source)
                else { break }
                let xs = rounded ? x.map { roundedLikeDataFiles($0[0]) } : x.map { $0[0] }
                let ys = rounded ? y.map(roundedLikeDataFiles) : y
                for (k, property) in FunctionProperty.allCases.enumerated() {
                    var random = SeededGenerator(seed: UInt64(position * draws + draw))
                    sums[k] += property.value(x: xs, y: ys, random: &random)
                }
                made += 1
            }
            means.append(made >= 2 ? sums.map { $0 / Double(made) } : nil)
        }
        let kept = means.indices.filter { means[$0] != nil }
        guard kept.count >= 2 else { return nil }
        var result = Estimate(redrawMean: [:], nearestNeighbors: [:])
        let neighbors = PropertyProbe.Neighbors.reusing(symbolicNeighbors, for: embeddings.probeSymbolic, k: 10, folds: folds)
        for (k, property) in FunctionProperty.allCases.enumerated() {
            guard let targets = embeddings.properties[property.rawValue] else { continue }
            let truth = kept.map { targets[$0] }
            let redrawMeans = kept.map { means[$0]![k] }
            result.redrawMean[property.rawValue] = PropertyProbe.r2(truth, redrawMeans)
            result.nearestNeighbors[property.rawValue] = PropertyProbe.nearestNeighborR2(
                values: redrawMeans, truth, k: 10, folds: folds)
            // the report's z_f probe (over every probe row), scored on the redrawn rows' means
            let probe = neighbors.predictions(targets)
            result.symbolicAgainstRedrawMean[property.rawValue] = PropertyProbe.r2(redrawMeans, kept.map { probe[$0] })
        }
        return result
    }

    /// `value` as "%.3e" prints it (the data files' precision), read back.
    static func roundedLikeDataFiles(_ value: Double) -> Double {
        E3Rounding.rounded(value)
    }
}
