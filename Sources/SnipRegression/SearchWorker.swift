/// The per-thread tools of a search: an evaluator, a constant fitter and a buffer.
final class SearchWorker: @unchecked Sendable {
    let evaluator = FormulaEvaluator()
    let fitter = ConstantFitter()
    private var buffer: [Double] = []

    /// The points and targets a formula is fitted or scored on, with the targets' statistics.
    struct Sample: Sendable {
        var points: PointColumns
        var y: [Double]
        var mean: Double
        /// Σ (y − mean)².
        var variance: Double

        init(points: PointColumns, y: [Double]) {
            self.points = points
            self.y = y
            let m = y.reduce(0, +) / Double(Swift.max(y.count, 1))
            mean = m
            variance = y.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        }
    }

    /// The best line `offset + factor · f` through the sample and its R² (`nil`: not finite).
    func scale(_ f: Formula, on sample: Sample) -> (offset: Double, factor: Double, r2: Double)? {
        let n = sample.points.count
        if buffer.count < n { buffer = [Double](repeating: 0, count: n) }
        return buffer.withUnsafeMutableBufferPointer { out in
            guard evaluator.evaluate(f, on: sample.points, into: out.baseAddress!) else {
                return nil
            }
            return sample.y.withUnsafeBufferPointer { y in
                Metrics.linearScaling(
                    out.baseAddress!, y.baseAddress!, n, targetMean: sample.mean,
                    targetVariance: sample.variance)
            }
        }
    }

    /// Refines `formula`'s constants with its linear scaling on `fitting` (a few LM
    /// iterations), then scores it on `scoring`.
    func evaluate(
        _ formula: Formula, fitting: Sample, scoring: Sample, iterations: Int, parsimony: Double
    ) -> Individual {
        var f = formula
        if iterations > 0 && f.parameterCount > 0
            && f.parameterCount + 2 <= JacobianEvaluator.maxParameters,
            let line = scale(f, on: fitting), line.factor != 0
        {
            var scaled = f.scaled(offset: line.offset, factor: line.factor)
            let sse = fitter.fit(
                &scaled, points: fitting.points, targets: fitting.y,
                solver: LevenbergMarquardt(maxIterations: iterations))
            if sse.isFinite { f.parameters = Array(scaled.parameters.dropFirst(2)) }
        }
        guard let line = scale(f, on: scoring), line.r2.isFinite else {
            return Individual(formula: f, r2: -.infinity, offset: 0, factor: 1, fitness: .infinity)
        }
        return Individual(
            formula: f, r2: line.r2, offset: line.offset, factor: line.factor,
            fitness: 1 - line.r2 + parsimony * Double(f.complexity))
    }
}
