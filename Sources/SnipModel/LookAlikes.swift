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
    ///
    /// Most pairs are far apart, so a formula is first evaluated on a few probe points of every
    /// set (`probeCount`, evenly spread), and on all of a set's points only where the probes
    /// leave a match possible: a formula fits when its values v, scaled as `a = (v − low) /
    /// (high − low)`, lie within RMSE ε of the scaled y, and that scaling is an affine map with a
    /// positive slope, so the sum of squared differences over the probes, at least the
    /// least-squares residual of y on any such map of v, is at most n·ε² for a match. A set whose
    /// probes' residual exceeds that bound (or whose probe values are not all finite) cannot
    /// match; the table is exactly what evaluating every pair in full gives.
    struct Candidates {
        /// Probe points per set (sets with fewer points use them all).
        static let probeCount = 16

        struct Group {
            /// [d][points of every member]
            var columns: [[Double]]
            /// Each member's set index and where its points start.
            var members: [(set: Int, start: Int, count: Int)]
            /// [d][probe points of every member]
            var probeColumns: [[Double]]
            /// Where each member's probes start in `probeColumns`, and their scaled y.
            var probes: [(start: Int, scaledY: [Double])]
        }
        let groups: [Group]
        let scaledY: [[Double]]

        init(_ samples: [Sample]) {
            var groups: [Group] = []
            var groupOfDimension: [Int: Int] = [:]
            let scaledY = samples.map { Sample.minMaxScaled($0.y) }
            for (j, sample) in samples.enumerated() {
                let d = sample.x.first?.count ?? 0
                let g = groupOfDimension[d] ?? {
                    groups.append(Group(
                        columns: Array(repeating: [], count: d), members: [], probeColumns: Array(repeating: [], count: d),
                        probes: []))
                    groupOfDimension[d] = groups.count - 1
                    return groups.count - 1
                }()
                let start = groups[g].columns.first?.count ?? 0
                let probeStart = groups[g].probeColumns.first?.count ?? 0
                guard sample.x.allSatisfy({ $0.count == d }) else {
                    groups[g].members.append((j, start, 0))  // ragged points: never alike
                    groups[g].probes.append((probeStart, []))
                    continue
                }
                let n = sample.x.count
                let picks = n <= Self.probeCount ? Array(0..<n) : (0..<Self.probeCount).map { $0 * n / Self.probeCount }
                for c in 0..<d {
                    groups[g].columns[c].append(contentsOf: sample.x.map { $0[c] })
                    groups[g].probeColumns[c].append(contentsOf: picks.map { sample.x[$0][c] })
                }
                groups[g].members.append((j, start, n))
                let y = scaledY[j]
                groups[g].probes.append((probeStart, y.count == n ? picks.map { y[$0] } : []))
            }
            self.groups = groups
            self.scaledY = scaledY
        }

        /// Calls `body(j, alike)` for every set j: whether `expression` evaluated at set j's
        /// inputs (in `workspace`'s memory) and min-max scaled lies within RMSE `tolerance` of
        /// its scaled y.
        func row(
            _ expression: Expression, tolerance: Double, in workspace: EvaluationWorkspace, _ body: (Int, Bool) -> Void
        ) {
            for group in groups {
                // the probes: which members could match (values read where the evaluation left
                // them: a copy per formula is fresh pages when it is large)
                var possible: [Int] = []
                let probed: Void? = try? expression.withValues(columns: group.probeColumns, in: workspace) { values in
                    for (m, member) in group.members.enumerated() {
                        let probe = group.probes[m]
                        guard member.count > 0, scaledY[member.set].count == member.count, !probe.scaledY.isEmpty,
                            values.count >= probe.start + probe.scaledY.count
                        else { continue }
                        let bound = tolerance * tolerance * Double(member.count)
                        if Self.mayFit(values[probe.start..<(probe.start + probe.scaledY.count)], probe.scaledY, bound) {
                            possible.append(m)
                        }
                    }
                }
                guard probed != nil else {
                    for member in group.members { body(member.set, false) }
                    continue
                }
                var isPossible = [Bool](repeating: false, count: group.members.count)
                for m in possible { isPossible[m] = true }
                for (m, member) in group.members.enumerated() where !isPossible[m] { body(member.set, false) }
                guard !possible.isEmpty else { continue }
                // every point of the possible members, end to end
                var columns = Array(repeating: [Double](), count: group.columns.count)
                var starts: [Int] = []
                var next = 0
                for m in possible {
                    let member = group.members[m]
                    for c in columns.indices {
                        columns[c].append(contentsOf: group.columns[c][member.start..<(member.start + member.count)])
                    }
                    starts.append(next)
                    next += member.count
                }
                let evaluated: Void? = try? expression.withValues(columns: columns, in: workspace) { values in
                    for (m, start) in zip(possible, starts) {
                        let member = group.members[m]
                        guard values.count >= start + member.count else {
                            body(member.set, false)
                            continue
                        }
                        body(member.set, Self.fits(values[start..<(start + member.count)], scaledY[member.set], tolerance))
                    }
                }
                if evaluated == nil {
                    for m in possible { body(group.members[m].set, false) }
                }
            }
        }

        /// Whether values `v` (at a set's probe points, whose scaled y are `y`) leave a match
        /// possible: all finite, and the least-squares residual of y on v through a line of
        /// slope ≥ 0 at most `bound` (with room for rounding). Undecidable sums (overflow) say
        /// yes.
        static func mayFit(_ v: Slice<UnsafeBufferPointer<Double>>, _ y: [Double], _ bound: Double) -> Bool {
            guard let (low, high) = finiteRange(v) else { return false }
            // v scaled to [0, 1] first (any positive-slope map gives the same residual), so that
            // the sums below stay in range
            let span = high - low
            let n = Double(y.count)
            var meanV = 0.0
            var meanY = 0.0
            for (x, b) in zip(v, y) {
                meanV += span > 0 ? (x - low) / span : 0
                meanY += b
            }
            meanV /= n
            meanY /= n
            var svv = 0.0
            var svy = 0.0
            var syy = 0.0
            for (x, b) in zip(v, y) {
                let dv = (span > 0 ? (x - low) / span : 0) - meanV
                let dy = b - meanY
                svv += dv * dv
                svy += dv * dy
                syy += dy * dy
            }
            let residual = svy > 0 && svv > 0 ? syy - svy * svy / svv : syy
            guard residual.isFinite else { return true }
            return residual <= bound * (1 + 1e-9) + 1e-12
        }

        /// Whether `values` (evaluated already; as many as `scaledY`) are all finite and, min-max
        /// scaled, lie within RMSE `tolerance` of `scaledY` (``Sample/minMaxScaled(_:)``'s
        /// scaling, done here in place).
        static func fits<Values: Collection<Double>>(_ values: Values, _ scaledY: [Double], _ tolerance: Double) -> Bool {
            guard let (low, high) = finiteRange(values) else { return false }
            var sum = 0.0
            for (v, b) in zip(values, scaledY) {
                let a = (v - low) / (high - low + 1e-10)
                sum += (a - b) * (a - b)
            }
            return (sum / Double(values.count)).squareRoot() <= tolerance
        }

        /// The smallest and largest of `values`, or nil when one is NaN or infinite.
        static func finiteRange<Values: Collection<Double>>(_ values: Values) -> (low: Double, high: Double)? {
            var low = Double.infinity
            var high = -Double.infinity
            for v in values {
                guard v.isFinite else { return nil }
                low = min(low, v)
                high = max(high, v)
            }
            return (low, high)
        }
    }
}
