import SnipMath

/// The outcome of a symbolic-regression search.
public struct RegressionResult: Sendable {
    /// The formula found: the simplest entry of ``pareto`` within
    /// ``RegressionOptions/selectionTolerance`` of the most accurate one.
    public var expression: Expression
    /// Its R² on the training data.
    public var r2: Double
    /// Its complexity (prefix tokens).
    public var complexity: Int
    /// The Pareto front of R² against complexity, simplest first.
    public var pareto: [ParetoEntry]
    /// Generations run.
    public var generations: Int
    /// Formulas evaluated.
    public var evaluations: Int
    /// Seconds the search took.
    public var seconds: Double
    /// Why it stopped.
    public var stopReason: StopReason
}

/// Symbolic regression: a formula for data, by an evolutionary search over expression trees.
///
/// ```swift
/// let result = try SymbolicRegression.fit(columns: [x], y: y)
/// print(result.expression, result.r2)
/// ```
public enum SymbolicRegression {
    /// Searches a formula `y ≈ f(x_0, …)` for points given as columns (`columns[i]` holds the
    /// values of `x_i`, at most 10 columns).
    public static func fit(
        columns: [[Double]], y: [Double], options: RegressionOptions = RegressionOptions(),
        proposals: (any ProposalSource)? = nil,
        progress: (SearchProgress) -> Bool = { _ in true }
    ) throws -> RegressionResult {
        try fit(
            RegressionData(columns: columns, y: y), options: options, proposals: proposals,
            progress: progress)
    }

    /// Searches a formula for points given as rows (`rows[k]` is point k).
    public static func fit(
        rows: [[Double]], y: [Double], options: RegressionOptions = RegressionOptions(),
        proposals: (any ProposalSource)? = nil,
        progress: (SearchProgress) -> Bool = { _ in true }
    ) throws -> RegressionResult {
        try fit(
            RegressionData(rows: rows, y: y), options: options, proposals: proposals,
            progress: progress)
    }

    /// Searches a formula for checked data. Stops at the target R² on the training points, at
    /// the time or generation limit, or when `progress` (called once per generation) returns
    /// `false`; the result is the best found by then.
    public static func fit(
        _ data: RegressionData, options: RegressionOptions = RegressionOptions(),
        proposals: (any ProposalSource)? = nil,
        progress: (SearchProgress) -> Bool = { _ in true }
    ) throws -> RegressionResult {
        let clock = ContinuousClock.now
        func elapsed() -> Double {
            let d = ContinuousClock.now - clock
            return Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
        }
        let search = EvolutionarySearch(data: data, options: options)
        let seeds =
            try proposals?.proposals(
                for: data, count: Swift.max(options.populationSize / 2, 1), seed: options.seed)
            ?? []
        search.initialize(proposals: seeds)
        var reason = StopReason.generations
        while true {
            let best = search.best
            if let target = options.targetR2, best.r2 >= target, search.fullR2(best) >= target {
                reason = .target
                break
            }
            // the search leaves 5 % of the time (at most a second) to polish the front
            if let limit = options.timeLimit, elapsed() >= limit - Swift.min(1, 0.05 * limit) {
                reason = .time
                break
            }
            if let limit = options.maxGenerations, search.generation >= limit {
                reason = .generations
                break
            }
            let report = SearchProgress(
                generation: search.generation, elapsed: elapsed(), evaluations: search.evaluations,
                bestR2: best.r2, bestComplexity: best.formula.complexity)
            if !progress(report) {
                reason = .interrupted
                break
            }
            search.step()
        }
        let deadline = options.timeLimit.map { clock + .milliseconds(Int64($0 * 1000)) }
        let pareto = finalFront(search, deadline: deadline)
        var limit = (1 - pareto.last!.r2) * (1 + options.selectionTolerance) + 1e-15
        if let target = options.targetR2, pareto.last!.r2 >= target {
            limit = Swift.min(limit, 1 - target)  // never below a target the search reached
        }
        let best = pareto.first { 1 - $0.r2 <= limit } ?? pareto.last!
        return RegressionResult(
            expression: best.expression, r2: best.r2, complexity: best.complexity,
            pareto: pareto, generations: search.generation, evaluations: search.evaluations,
            seconds: elapsed(), stopReason: reason)
    }

    /// The front in its final form: each member with its scaling written out and simplified,
    /// the scaling dropped where it does not help, constants polished on all training points.
    static func finalFront(_ search: EvolutionarySearch, deadline: ContinuousClock.Instant?)
        -> [ParetoEntry]
    {
        let worker = search.workers[0]
        var front = ParetoFront<Formula>()
        var members = search.front.members.map(\.payload)
        if members.isEmpty { members = [search.population[0]] }
        // most accurate first, so a deadline cuts the polish of the least useful members
        for individual in members.suffix(16).reversed() {
            let late = deadline.map { ContinuousClock.now >= $0 } ?? false
            let f =
                late
                ? individual.scaledFormula.simplified()
                : finalForm(individual, worker: worker, search: search, deadline: deadline)
            let r2 = fullR2(f, worker: worker, search: search)
            front.offer(complexity: f.complexity, r2: r2, f)
        }
        if front.members.isEmpty {
            // nothing finite: the mean
            let mean = search.full.mean
            front.offer(complexity: 1, r2: 0, Formula(nodes: [.constant(mean)]))
        }
        return front.members.map {
            ParetoEntry(expression: $0.payload.expression, r2: $0.r2, complexity: $0.complexity)
        }
    }

    private static func fullR2(_ f: Formula, worker: SearchWorker, search: EvolutionarySearch)
        -> Double
    {
        let values = worker.evaluator.evaluate(f, on: search.full.points)
        return Metrics.r2(values, search.full.y)
    }

    /// The simplest of `a + b·f`, `b·f`, `a + f` and `f` (constants refit on the scoring
    /// points) that fits as well as the first, polished on all training points.
    static func finalForm(
        _ individual: Individual, worker: SearchWorker, search: EvolutionarySearch,
        deadline: ContinuousClock.Instant?
    ) -> Formula {
        let f = individual.formula
        let (a, b) = (individual.offset, individual.factor)
        let variants = [
            f.scaled(offset: a, factor: b),
            Formula(nodes: [.binary(.mul), .constant(b)] + f.nodes),
            Formula(nodes: [.binary(.add), .constant(a)] + f.nodes),
            f,
        ].map { $0.simplified() }
        let sample = search.scoring
        func refit(_ f: Formula) -> (formula: Formula, error: Double) {
            var g = f
            let sse = worker.fitter.fit(
                &g, points: sample.points, targets: sample.y,
                solver: LevenbergMarquardt(maxIterations: 20))
            let error = sse / Swift.max(sample.variance, .leastNormalMagnitude)
            return (g, error.isFinite ? error : .infinity)
        }
        let fitted = variants.map(refit)
        let tolerance = fitted[0].error * 1.0001 + 1e-14
        var chosen = fitted[0].formula
        for candidate in fitted.dropFirst()
        where candidate.error <= tolerance && candidate.formula.complexity < chosen.complexity {
            chosen = candidate.formula
        }
        // pruning may cost as much unexplained variance as choosing among the front may
        let pruning = fitted[0].error * (1 + search.options.selectionTolerance) + 1e-14
        chosen = pruned(chosen, tolerance: pruning, deadline: deadline, refit: refit)
        worker.fitter.fit(
            &chosen, points: search.full.points, targets: search.full.y,
            solver: LevenbergMarquardt(maxIterations: 30))
        return chosen.simplified()
    }

    /// `f` with operators replaced by one of their operands, greedily, while the refitted
    /// error stays within `tolerance` (drops terms such as `1e-17·x_2` that the search left).
    static func pruned(
        _ f: Formula, tolerance: Double, deadline: ContinuousClock.Instant?,
        refit: (Formula) -> (formula: Formula, error: Double)
    ) -> Formula {
        var current = f
        var changed = true
        var tries = 0
        while changed && tries < 200 && !(deadline.map { ContinuousClock.now >= $0 } ?? false) {
            changed = false
            search: for i in current.nodes.indices where current.nodes[i].arity > 0 {
                var child = i + 1
                for _ in 0..<current.nodes[i].arity {
                    let end = current.subtreeEnd(child)
                    let candidate = current.replacingSubtree(
                        at: i, with: current.nodes[child..<end]
                    ).simplified()
                    tries += 1
                    let (g, error) = refit(candidate)
                    if error <= tolerance {
                        current = g
                        changed = true
                        break search
                    }
                    child = end
                }
            }
        }
        return current
    }
}
