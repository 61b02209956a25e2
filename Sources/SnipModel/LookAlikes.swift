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
        let candidates = Candidates(samples)
        var matches = [Bool](repeating: false, count: n * n)
        matches.withUnsafeMutableBufferPointer { out in
            let shared = UnsafeSendable(out)
            let threads = parallel ? max(1, min(Runtime.threadCount, n)) : 1
            DispatchQueue.concurrentPerform(iterations: threads) { chunk in
                let workspace = EvaluationWorkspace()
                for i in (n * chunk / threads)..<(n * (chunk + 1) / threads) {
                    candidates.row(samples[i].tree, tolerance: tolerance, in: workspace) { j, alike in
                        shared.value[i * n + j] = alike
                    }
                }
            }
        }
        self.count = n
        self.tolerance = tolerance
        self.matches = matches
    }

    /// Rows `formulas` of the table of `samples` (what `LookAlikes(samples:)` has there, row
    /// after row), on the calling thread.
    public static func rows(_ formulas: Range<Int>, of samples: [Sample], tolerance: Double = 0.01) -> [Bool] {
        let candidates = Candidates(samples)
        var rows = [Bool](repeating: false, count: formulas.count * samples.count)
        let workspace = EvaluationWorkspace()
        for (r, i) in formulas.enumerated() {
            candidates.row(samples[i].tree, tolerance: tolerance, in: workspace) { j, alike in
                rows[r * samples.count + j] = alike
            }
        }
        return rows
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
        return Candidates.fits(values[...], scaledY, tolerance)
    }

    /// Point sets made ready to be compared with formula after formula: the sets of each input
    /// dimension laid end to end as one block of columns, so that a formula is evaluated once per
    /// dimension over every point instead of once per set (the evaluation is pointwise, NaN
    /// rules included, so each set's stretch of values is what evaluating on it alone gives),
    /// and each set's scaled y.
    struct Candidates {
        struct Group {
            /// [d][points of every member]
            var columns: [[Double]]
            /// Each member's set index and where its points start.
            var members: [(set: Int, start: Int, count: Int)]
        }
        let groups: [Group]
        let scaledY: [[Double]]

        init(_ samples: [Sample]) {
            var groups: [Group] = []
            var groupOfDimension: [Int: Int] = [:]
            for (j, sample) in samples.enumerated() {
                let d = sample.x.first?.count ?? 0
                let g = groupOfDimension[d] ?? {
                    groups.append(Group(columns: Array(repeating: [], count: d), members: []))
                    groupOfDimension[d] = groups.count - 1
                    return groups.count - 1
                }()
                let start = groups[g].columns.first?.count ?? 0
                guard sample.x.allSatisfy({ $0.count == d }) else {
                    groups[g].members.append((j, start, 0))  // ragged points: never alike
                    continue
                }
                for c in 0..<d { groups[g].columns[c].append(contentsOf: sample.x.map { $0[c] }) }
                groups[g].members.append((j, start, sample.x.count))
            }
            self.groups = groups
            scaledY = samples.map { Sample.minMaxScaled($0.y) }
        }

        /// Calls `body(j, alike)` for every set j: whether `expression` evaluated at set j's
        /// inputs (in `workspace`'s memory) and min-max scaled lies within RMSE `tolerance` of
        /// its scaled y.
        func row(
            _ expression: Expression, tolerance: Double, in workspace: EvaluationWorkspace, _ body: (Int, Bool) -> Void
        ) {
            for group in groups {
                // the values are read where the evaluation left them (a copy per formula of
                // every point of a batch, ≥ 256 KB at batch 256, was fresh pages each time)
                let evaluated: Void? = try? expression.withValues(columns: group.columns, in: workspace) { values in
                    for member in group.members {
                        guard member.count > 0, values.count >= member.start + member.count,
                            scaledY[member.set].count == member.count
                        else {
                            body(member.set, false)
                            continue
                        }
                        body(member.set, Self.fits(values[member.start..<(member.start + member.count)], scaledY[member.set], tolerance))
                    }
                }
                if evaluated == nil {
                    for member in group.members { body(member.set, false) }
                }
            }
        }

        /// Whether `values` (evaluated already; as many as `scaledY`) are all finite and, min-max
        /// scaled, lie within RMSE `tolerance` of `scaledY` (``Sample/minMaxScaled(_:)``'s
        /// scaling, done here in place).
        static func fits<Values: Collection<Double>>(_ values: Values, _ scaledY: [Double], _ tolerance: Double) -> Bool {
            var low = Double.infinity
            var high = -Double.infinity
            for v in values {
                guard v.isFinite else { return false }
                low = min(low, v)
                high = max(high, v)
            }
            var sum = 0.0
            for (v, b) in zip(values, scaledY) {
                let a = (v - low) / (high - low + 1e-10)
                sum += (a - b) * (a - b)
            }
            return (sum / Double(values.count)).squareRoot() <= tolerance
        }
    }
}
