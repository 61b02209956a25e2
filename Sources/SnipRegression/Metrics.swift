/// Fit measures over predictions and targets.
public enum Metrics {
    /// R² = 1 − SSE/SST (−∞ when some prediction is not finite).
    ///
    /// Constant targets have SST = 0: R² is then 1 for an exact fit and −∞ otherwise.
    public static func r2(_ predictions: [Double], _ targets: [Double]) -> Double {
        let n = targets.count
        guard n > 0, predictions.count == n else { return -.infinity }
        var mean = 0.0
        for v in targets { mean += v }
        mean /= Double(n)
        var sse = 0.0
        var sst = 0.0
        for k in 0..<n {
            let e = predictions[k] - targets[k]
            sse += e * e
            let d = targets[k] - mean
            sst += d * d
        }
        guard sse.isFinite else { return -.infinity }
        if sst == 0 { return sse == 0 ? 1 : -.infinity }
        return 1 - sse / sst
    }

    /// The mean squared error (∞ when some prediction is not finite).
    public static func meanSquaredError(_ predictions: [Double], _ targets: [Double]) -> Double {
        var s = 0.0
        for k in targets.indices {
            s += (predictions[k] - targets[k]) * (predictions[k] - targets[k])
        }
        return s.isFinite ? s / Double(Swift.max(targets.count, 1)) : .infinity
    }

    /// The least-squares line `targets ≈ offset + factor · values` over a buffer, and its R².
    ///
    /// Constant values give factor 0 (and R² 0); non-finite values give `nil`.
    static func linearScaling(
        _ values: UnsafePointer<Double>, _ targets: UnsafePointer<Double>, _ n: Int,
        targetMean: Double, targetVariance sst: Double
    ) -> (offset: Double, factor: Double, r2: Double)? {
        var mean = 0.0
        for k in 0..<n { mean += values[k] }
        mean /= Double(n)
        guard mean.isFinite else { return nil }
        var sxx = 0.0
        var sxy = 0.0
        for k in 0..<n {
            let d = values[k] - mean
            sxx += d * d
            sxy += d * (targets[k] - targetMean)
        }
        guard sxx.isFinite, sxy.isFinite else { return nil }
        guard sxx > 1e-300 * Double(n), sst > 0 else {
            return (targetMean, 0, sst > 0 ? 0 : 1)
        }
        let factor = sxy / sxx
        let offset = targetMean - factor * mean
        let r2 = Swift.min(1, sxy * sxy / (sxx * sst))
        return (offset, factor, r2)
    }
}
