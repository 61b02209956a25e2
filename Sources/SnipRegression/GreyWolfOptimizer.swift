/// The Grey Wolf Optimiser (Mirjalili et al., 2014): minimises a function over a box in Rⁿ.
///
/// A pack of wolves moves towards the three best positions found so far (α, β, δ); the
/// coefficient `a` falls from 2 to 0 over the iterations, so the pack explores first and closes
/// in later. Deterministic for a seed. Generic over the objective, so the SNIP search can run it
/// over latent vectors (the reference's latent-space optimisation) as well as over toy problems.
public struct GreyWolfOptimizer: Sendable {
    /// The number of wolves.
    public var populationSize: Int
    /// The number of iterations (each evaluates every wolf once).
    public var iterations: Int
    /// The box: `lower[i] ≤ x[i] ≤ upper[i]`.
    public var lower: [Double]
    /// The box's upper corner.
    public var upper: [Double]

    /// An optimiser over the box `lower…upper`.
    public init(lower: [Double], upper: [Double], populationSize: Int = 30, iterations: Int = 100) {
        precondition(lower.count == upper.count, "box corners of different dimensions")
        self.lower = lower
        self.upper = upper
        self.populationSize = Swift.max(populationSize, 3)
        self.iterations = iterations
    }

    /// The outcome of a run.
    public struct Result: Sendable {
        /// The best position found.
        public var position: [Double]
        /// Its objective value.
        public var value: Double
        /// The number of objective evaluations.
        public var evaluations: Int
        /// The best value after each iteration (the first entry is the initial pack's).
        public var history: [Double]
    }

    /// Minimises `objective`; the pack starts from `initial` positions (clipped to the box),
    /// completed by uniform random ones. `shouldStop` is asked after every iteration with the
    /// best value so far (e.g. a target reached, a time budget spent). A non-finite value counts
    /// as +∞.
    public func minimize(
        initial: [[Double]] = [], random: inout RegressionRandom,
        shouldStop: (Double) -> Bool = { _ in false },
        objective: ([Double]) -> Double
    ) -> Result {
        let n = lower.count
        var wolves: [[Double]] = initial.prefix(populationSize).map(clip)
        while wolves.count < populationSize {
            wolves.append((0..<n).map { random.uniform(lower[$0], upper[$0]) })
        }
        var values = wolves.map { sanitize(objective($0)) }
        var evaluations = wolves.count
        var leaders = Self.leaders(wolves, values)
        var history = [leaders[0].value]
        for t in 0..<iterations {
            if shouldStop(leaders[0].value) { break }
            let a = 2 - 2 * Double(t) / Double(Swift.max(iterations, 1))
            for w in wolves.indices {
                var next = [Double](repeating: 0, count: n)
                for i in 0..<n {
                    var sum = 0.0
                    for leader in leaders {
                        let A = a * (2 * random.unit() - 1)
                        let C = 2 * random.unit()
                        let distance = abs(C * leader.position[i] - wolves[w][i])
                        sum += leader.position[i] - A * distance
                    }
                    next[i] = sum / 3
                }
                wolves[w] = clip(next)
                values[w] = sanitize(objective(wolves[w]))
                evaluations += 1
            }
            let candidates = Self.leaders(wolves, values)
            leaders = Self.leaders(
                leaders.map(\.position) + candidates.map(\.position),
                leaders.map(\.value) + candidates.map(\.value))
            history.append(leaders[0].value)
        }
        return Result(
            position: leaders[0].position, value: leaders[0].value, evaluations: evaluations,
            history: history)
    }

    private func clip(_ x: [Double]) -> [Double] {
        x.indices.map { Swift.min(Swift.max(x[$0], lower[$0]), upper[$0]) }
    }

    private func sanitize(_ v: Double) -> Double { v.isNaN ? .infinity : v }

    /// The three best (α, β, δ), distinct positions when there are enough.
    private static func leaders(_ positions: [[Double]], _ values: [Double])
        -> [(position: [Double], value: Double)]
    {
        let order = values.indices.sorted {
            values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1)
        }
        var out: [(position: [Double], value: Double)] = []
        for i in order where !out.contains(where: { $0.position == positions[i] }) {
            out.append((positions[i], values[i]))
            if out.count == 3 { break }
        }
        while out.count < 3 { out.append(out[out.count - 1]) }
        return out
    }
}
