/// How well predicted property values match the truth, as the reference's `eval_proppred.py`
/// reports them: R², MSE, NMSE (MSE over the truth's variance), and the share of predictions
/// within an absolute tolerance after min-max scaling both by the truth's range, for the model
/// and for the chance baseline that always predicts the truth's mean.
public struct PropertyMetrics: Codable, Equatable, Sendable {
    public var count: Int
    public var r2: Double
    public var mse: Double
    public var nmse: Double
    /// Tolerances (after scaling) and the fraction of predictions within each.
    public var tolerances: [Double]
    public var accuracy: [Double]
    /// The same fractions for the mean predictor.
    public var chanceAccuracy: [Double]

    /// Metrics of `predictions` against `truths` (same length, at least one).
    public init(predictions: [Double], truths: [Double], tolerances: [Double] = [0.01, 0.1, 1]) {
        precondition(predictions.count == truths.count && !truths.isEmpty, "\(predictions.count) predictions for \(truths.count) truths")
        let n = Double(truths.count)
        let mean = truths.reduce(0, +) / n
        let squaredError = zip(predictions, truths).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let variance = truths.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        count = truths.count
        mse = squaredError / n
        nmse = mse / (variance / n + 1e-12)
        // sklearn's r2_score: 1 - SSE/SST, and 0 (not -inf) when the truth is constant and the
        // predictions are not perfect
        r2 = variance == 0 ? (squaredError == 0 ? 1 : 0) : 1 - squaredError / variance
        let low = truths.min()!
        let range = truths.max()! - low
        func within(_ values: [Double], _ tolerance: Double) -> Double {
            let hits = zip(values, truths).filter { p, t in
                range > 0 ? Swift.abs((p - low) / range - (t - low) / range) <= tolerance : Swift.abs(p - t) <= tolerance
            }.count
            return Double(hits) / n
        }
        self.tolerances = tolerances
        accuracy = tolerances.map { within(predictions, $0) }
        chanceAccuracy = tolerances.map { within([Double](repeating: mean, count: truths.count), $0) }
    }
}
