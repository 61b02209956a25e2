import Dispatch
import SnipMath
import SnipTensor

/// Which formulas of a set have the same normalised graph as which point sets.
///
/// Many generated 1-D functions look the same once y is min-max scaled (`a + b·x` and
/// `c + d·x`, and many near-linear ones), so counting only a formula's own points as the right
/// answer makes retrieval look worse than it is. Formula i *looks like* point set j when f_i
/// evaluated at j's inputs and min-max scaled lies within RMSE `tolerance` of j's min-max
/// scaled y. Evaluation that gives NaN or ±inf anywhere never looks alike. The table depends
/// only on the data, not on a model.
public struct LookAlikes: Sendable {
    /// Formulas (rows) and point sets (columns).
    public let count: Int
    /// The RMSE bound on the scaled graphs.
    public let tolerance: Double
    /// Row-major `count × count`: `matches[i * count + j]` when formula i looks like points j.
    public let matches: [Bool]

    /// Evaluates every formula on every point set (on all compute threads unless `parallel`
    /// is off).
    public init(samples: [Sample], tolerance: Double = 0.01, parallel: Bool = true) {
        let n = samples.count
        // points as columns [d][n] and their scaled y, once per sample
        let columns = samples.map { sample in
            (0..<(sample.x.first?.count ?? 0)).map { c in sample.x.map { $0[c] } }
        }
        let scaled = samples.map { Sample.minMaxScaled($0.y) }
        var matches = [Bool](repeating: false, count: n * n)
        matches.withUnsafeMutableBufferPointer { out in
            let shared = UnsafeSendable(out)
            let threads = parallel ? max(1, min(Runtime.threadCount, n)) : 1
            DispatchQueue.concurrentPerform(iterations: threads) { chunk in
                for i in (n * chunk / threads)..<(n * (chunk + 1) / threads) {
                    for j in 0..<n {
                        shared.value[i * n + j] = Self.looksAlike(
                            samples[i].tree, columns: columns[j], scaledY: scaled[j], tolerance: tolerance)
                    }
                }
            }
        }
        self.count = n
        self.tolerance = tolerance
        self.matches = matches
    }

    /// A table given directly (for tests and cached tables).
    public init(count: Int, tolerance: Double, matches: [Bool]) {
        precondition(matches.count == count * count, "look-alike table of \(matches.count) for \(count)")
        self.count = count
        self.tolerance = tolerance
        self.matches = matches
    }

    /// Whether formula `i` looks like point set `j`.
    public subscript(formula i: Int, points j: Int) -> Bool { matches[i * count + j] }

    /// How many formulas look like point set `j`.
    public func formulaCount(points j: Int) -> Int { (0..<count).reduce(0) { $0 + (matches[$1 * count + j] ? 1 : 0) } }

    /// How many point sets formula `i` looks like.
    public func pointsCount(formula i: Int) -> Int { (0..<count).reduce(0) { $0 + (matches[i * count + $1] ? 1 : 0) } }

    /// Whether `expression` evaluated on `columns` ([d][n]) and min-max scaled lies within
    /// RMSE `tolerance` of `scaledY`.
    public static func looksAlike(_ expression: Expression, columns: [[Double]], scaledY: [Double], tolerance: Double) -> Bool {
        guard let values = try? expression.evaluate(columns: columns), values.count == scaledY.count, !values.isEmpty
        else { return false }
        guard values.allSatisfy(\.isFinite) else { return false }
        let candidate = Sample.minMaxScaled(values)
        var sum = 0.0
        for (a, b) in zip(candidate, scaledY) { sum += (a - b) * (a - b) }
        return (sum / Double(values.count)).squareRoot() <= tolerance
    }
}
