/// How much of a property an embedding already holds, measured without training the
/// encoders: a k-nearest-neighbour regressor (cosine similarity) and a ridge regression, each
/// scored by the R² of its out-of-fold predictions under k-fold cross-validation.
///
/// Folds are fixed by position (sample i belongs to fold i mod `folds`), so a probe is
/// deterministic; generated data carries no order, so this is as good as a shuffle. R² is
/// `1 − Σ(y − ŷ)² / Σ(y − ȳ)²` over all out-of-fold predictions (ȳ: the mean of all targets):
/// 0 is the mean predictor, negative is worse.
public enum PropertyProbe {
    /// Out-of-fold R² of k-NN regression: each prediction is the mean target of the `k`
    /// training rows with the highest cosine similarity (ties by index).
    public static func nearestNeighborR2(_ features: [[Double]], _ targets: [Double], k: Int = 10, folds: Int = 5) -> Double {
        r2(targets, nearestNeighborPredictions(features, targets, k: k, folds: folds))
    }

    /// The out-of-fold predictions behind ``nearestNeighborR2(_:_:k:folds:)``, one per row, so
    /// that they can be scored against another truth than `targets`.
    public static func nearestNeighborPredictions(
        _ features: [[Double]], _ targets: [Double], k: Int = 10, folds: Int = 5
    ) -> [Double] {
        precondition(features.count == targets.count, "probe: bad arguments")
        return Neighbors(features, k: k, folds: folds).predictions(targets)
    }

    /// Out-of-fold R² of k-NN regression on one number per row: the neighbours are the `k`
    /// training rows whose `values` lie closest (ties by index). With the formula-only
    /// predictor as the value this is what the k-NN probe reaches from an embedding that knows
    /// each formula's expected properties (``FormulaCeiling``).
    public static func nearestNeighborR2(values: [Double], _ targets: [Double], k: Int = 10, folds: Int = 5) -> Double {
        precondition(values.count == targets.count, "probe: bad arguments")
        let neighbors = Neighbors(count: values.count, k: k, folds: folds) { i, j in -Swift.abs(values[i] - values[j]) }
        return r2(targets, neighbors.predictions(targets))
    }

    /// The k-NN probe's neighbours, found once and used for any number of targets (they do
    /// not depend on the targets): row i's are the `k` rows of the other folds that the
    /// similarity ranks highest, the earlier index first among equals.
    public struct Neighbors: Sendable {
        /// Per row, its neighbours' indices, the most similar first.
        public let rows: [[Int]]
        /// Neighbours kept per row.
        public let k: Int
        /// The folds the neighbours were kept out of.
        public let folds: Int

        /// The neighbours of `features`' rows under cosine similarity.
        public init(_ features: [[Double]], k: Int = 10, folds: Int = 5) {
            let units = features.map(PropertyProbe.unit)
            self.init(count: features.count, k: k, folds: folds) { i, j in
                zip(units[i], units[j]).reduce(0) { $0 + $1.0 * $1.1 }
            }
        }

        /// The neighbours of `count` rows under `similarity(i, j)`.
        public init(count: Int, k: Int, folds: Int, similarity: (Int, Int) -> Double) {
            precondition(count >= 0 && k > 0 && folds > 1, "probe: bad arguments")
            self.k = k
            self.folds = folds
            rows = (0..<count).map { i in
                var best: [(score: Double, index: Int)] = []
                for j in 0..<count where j % folds != i % folds {
                    let score = similarity(i, j)
                    if best.count < k {
                        best.append((score, j))
                        best.sort { $0.score > $1.score }
                    } else if score > best[k - 1].score {
                        best[k - 1] = (score, j)
                        best.sort { $0.score > $1.score }
                    }
                }
                return best.map(\.index)
            }
        }

        /// Whether these are the neighbours a probe of `count` rows with `k` neighbours and
        /// `folds` folds would find (given the same similarity).
        public func serve(count: Int, k: Int, folds: Int) -> Bool {
            rows.count == count && self.k == k && self.folds == folds
        }

        /// `given` where it serves a probe of `features`' rows with `k` and `folds`
        /// (``serve(count:k:folds:)``: neighbours a caller found once and hands on), else the
        /// neighbours of `features` under cosine similarity, found now.
        public static func reusing(_ given: Neighbors?, for features: [[Double]], k: Int, folds: Int) -> Neighbors {
            if let given, given.serve(count: features.count, k: k, folds: folds) { return given }
            return Neighbors(features, k: k, folds: folds)
        }

        /// Each row's prediction: the mean of its neighbours' `targets` (0 for a row without
        /// neighbours).
        public func predictions(_ targets: [Double]) -> [Double] {
            precondition(targets.count == rows.count, "\(targets.count) targets for \(rows.count) rows")
            return rows.map { neighbors in
                neighbors.isEmpty ? 0 : neighbors.reduce(0) { $0 + targets[$1] } / Double(neighbors.count)
            }
        }

        /// Out-of-fold R² of the predictions for `targets`.
        public func r2(_ targets: [Double]) -> Double {
            PropertyProbe.r2(targets, predictions(targets))
        }
    }

    /// Out-of-fold R² of ridge regression on standardised features with an intercept; in each
    /// training fold the penalty is chosen among `penalties` by exact leave-one-out error.
    public static func ridgeR2(
        _ features: [[Double]], _ targets: [Double], folds: Int = 5,
        penalties: [Double] = [1e-3, 1e-2, 1e-1, 1, 10, 100, 1000]
    ) -> Double {
        precondition(features.count == targets.count && folds > 1 && !penalties.isEmpty, "probe: bad arguments")
        var predictions = [Double](repeating: 0, count: targets.count)
        for fold in 0..<folds {
            let train = targets.indices.filter { $0 % folds != fold }
            let test = targets.indices.filter { $0 % folds == fold }
            guard !train.isEmpty, !test.isEmpty else { continue }
            let model = RidgeModel(rows: train.map { features[$0] }, targets: train.map { targets[$0] }, penalties: penalties)
            for i in test { predictions[i] = model.predict(features[i]) }
        }
        return r2(targets, predictions)
    }

    /// `1 − SSE / SST`; 0 when the targets do not vary.
    public static func r2(_ truth: [Double], _ predicted: [Double]) -> Double {
        let mean = truth.reduce(0, +) / Double(max(truth.count, 1))
        let total = truth.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let residual = zip(truth, predicted).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        return total > 0 ? 1 - residual / total : 0
    }

    static func unit(_ v: [Double]) -> [Double] {
        let norm = v.reduce(0) { $0 + $1 * $1 }.squareRoot()
        return norm > 0 ? v.map { $0 / norm } : v
    }
}

/// A ridge regression fitted on standardised features, its penalty chosen by leave-one-out.
struct RidgeModel {
    let means: [Double]
    let scales: [Double]
    let intercept: Double
    let weights: [Double]

    init(rows: [[Double]], targets: [Double], penalties: [Double]) {
        let n = rows.count
        let d = rows.first?.count ?? 0
        means = (0..<d).map { c in rows.reduce(0) { $0 + $1[c] } / Double(n) }
        scales = (0..<d).map { [means] c in
            let variance = rows.reduce(0) { $0 + ($1[c] - means[c]) * ($1[c] - means[c]) } / Double(n)
            return variance > 1e-24 ? variance.squareRoot() : 1
        }
        let x = rows.map { [means, scales] row in (0..<d).map { (row[$0] - means[$0]) / scales[$0] } }
        intercept = targets.reduce(0, +) / Double(n)
        let y = targets.map { [intercept] in $0 - intercept }
        // Gram matrix XᵀX and Xᵀy, shared by every penalty
        var gram = [Double](repeating: 0, count: d * d)
        var xty = [Double](repeating: 0, count: d)
        for (row, target) in zip(x, y) {
            for a in 0..<d {
                xty[a] += row[a] * target
                for b in a..<d { gram[a * d + b] += row[a] * row[b] }
            }
        }
        for a in 0..<d { for b in 0..<a { gram[a * d + b] = gram[b * d + a] } }
        var best: (error: Double, weights: [Double])?
        for penalty in penalties {
            var system = gram
            for a in 0..<d { system[a * d + a] += penalty }
            guard let factor = Cholesky(system, size: d) else { continue }
            let w = factor.solve(xty)
            // leave-one-out residual r_i / (1 − h_ii), h_ii = x_iᵀ (XᵀX + λI)⁻¹ x_i
            var error = 0.0
            for (row, target) in zip(x, y) {
                let fitted = zip(row, w).reduce(0) { $0 + $1.0 * $1.1 }
                let h = factor.forwardSolve(row).reduce(0) { $0 + $1 * $1 }  // ‖L⁻¹x‖² = xᵀA⁻¹x
                let r = (target - fitted) / max(1 - h, 1e-12)
                error += r * r
            }
            if best == nil || error < best!.error { best = (error, w) }
        }
        weights = best?.weights ?? [Double](repeating: 0, count: d)
    }

    func predict(_ row: [Double]) -> Double {
        var value = intercept
        for c in weights.indices { value += weights[c] * (row[c] - means[c]) / scales[c] }
        return value
    }
}

/// The Cholesky factor L (A = L·Lᵀ) of a symmetric positive-definite matrix, for solving.
struct Cholesky {
    let size: Int
    private var lower: [Double]

    /// Factors the row-major `size × size` matrix; nil when it is not positive definite.
    init?(_ matrix: [Double], size: Int) {
        self.size = size
        lower = [Double](repeating: 0, count: size * size)
        for i in 0..<size {
            for j in 0...i {
                var sum = matrix[i * size + j]
                for k in 0..<j { sum -= lower[i * size + k] * lower[j * size + k] }
                if i == j {
                    guard sum > 0 else { return nil }
                    lower[i * size + i] = sum.squareRoot()
                } else {
                    lower[i * size + j] = sum / lower[j * size + j]
                }
            }
        }
    }

    /// y with L·y = b.
    func forwardSolve(_ b: [Double]) -> [Double] {
        var y = b
        for i in 0..<size {
            for k in 0..<i { y[i] -= lower[i * size + k] * y[k] }
            y[i] /= lower[i * size + i]
        }
        return y
    }

    /// x with A·x = b.
    func solve(_ b: [Double]) -> [Double] {
        var y = forwardSolve(b)
        for i in stride(from: size - 1, through: 0, by: -1) {
            for k in (i + 1)..<size { y[i] -= lower[k * size + i] * y[k] }
            y[i] /= lower[i * size + i]
        }
        return y
    }
}
