import Dispatch
import SnipMath

/// What a search reports after each generation.
public struct SearchProgress: Sendable {
    /// Generations done.
    public var generation: Int
    /// Seconds since the search started.
    public var elapsed: Double
    /// Formulas evaluated (each with its constants refined).
    public var evaluations: Int
    /// The best R² so far (on the scoring points, with the formula's linear scaling).
    public var bestR2: Double
    /// The complexity of that formula (without its scaling).
    public var bestComplexity: Int
}

/// Why a search stopped.
public enum StopReason: String, Sendable {
    /// The best formula reached the target R².
    case target
    /// The time limit was spent.
    case time
    /// The generation limit was reached.
    case generations
    /// The caller asked it to stop (Ctrl-C).
    case interrupted
}

/// The evolutionary search (Operon-like): a population of formulas, tournament selection,
/// subtree crossover, mutations, a few Levenberg–Marquardt iterations on every offspring's
/// constants, (μ + λ) replacement without duplicates, and a Pareto front of R² against
/// complexity.
final class EvolutionarySearch {
    let options: RegressionOptions
    let data: RegressionData
    let variation: Variation
    var random: RegressionRandom
    let fitting: SearchWorker.Sample
    let scoring: SearchWorker.Sample
    let full: SearchWorker.Sample
    let workers: [SearchWorker]
    private(set) var population: [Individual] = []
    /// The front on the scoring points, by the complexity of the unscaled formula.
    private(set) var front = ParetoFront<Individual>()
    private(set) var evaluations = 0
    private(set) var generation = 0

    init(data: RegressionData, options: RegressionOptions) {
        self.options = options
        self.data = data
        random = RegressionRandom(seed: options.seed)
        let grammar = FormulaGrammar(options: options, dimension: data.points.dimension)
        variation = Variation(
            grammar: grammar, maxLength: Swift.max(options.maxLength, 3),
            maxDepth: Swift.max(options.maxDepth, 2))
        full = SearchWorker.Sample(points: data.points, y: data.y)
        var order = Array(0..<data.count)
        order.shuffle(using: &random)
        func subset(_ size: Int) -> SearchWorker.Sample {
            guard size < data.count else {
                return SearchWorker.Sample(points: data.points, y: data.y)
            }
            let chosen = Array(order.prefix(Swift.max(size, 1))).sorted()
            return SearchWorker.Sample(
                points: data.points.selecting(chosen), y: chosen.map { data.y[$0] })
        }
        fitting = subset(options.fittingPoints)
        scoring = subset(options.scoringPoints)
        workers = (0..<Swift.max(options.threads, 1)).map { _ in SearchWorker() }
    }

    /// The first population: the proposals, then random trees of ramped depths.
    func initialize(proposals: [Expression]) {
        var formulas: [Formula] = []
        for e in proposals {
            guard let f = try? Formula(e), f.complexity <= 4 * variation.maxLength,
                f.inputDimension <= data.points.dimension
            else { continue }
            formulas.append(f)
        }
        let size = Swift.max(options.populationSize, 4)
        var attempt = 0
        while formulas.count < size {
            let depth = 2 + attempt % Swift.max(1, Swift.min(6, variation.maxDepth) - 1)
            let length = 3 + random.index(Swift.max(1, variation.maxLength - 2))
            formulas.append(
                variation.grammar.tree(maxDepth: depth, maxLength: length, &random))
            attempt += 1
        }
        // every variable once alone, so simple answers are there from the start
        for v in 0..<data.points.dimension where formulas.count < size + data.points.dimension {
            formulas.append(Formula(nodes: [.variable(v)]))
        }
        population = select(evaluate(formulas), count: size)
        for individual in population { offer(individual) }
    }

    /// Evaluates formulas on every worker's thread; the result does not depend on the threads.
    func evaluate(_ formulas: [Formula]) -> [Individual] {
        let n = formulas.count
        let threads = Swift.min(workers.count, n)
        var out = [Individual](
            repeating: Individual(
                formula: Formula(nodes: [.constant(0)]), r2: 0, offset: 0, factor: 0,
                fitness: .infinity),
            count: n)
        let (fitting, scoring) = (self.fitting, self.scoring)
        let (iterations, parsimony) = (options.constantIterations, options.parsimony)
        out.withUnsafeMutableBufferPointer { buffer in
            let shared = UnsafeSendableBox(buffer)
            let workers = UnsafeSendableBox(self.workers)
            let work = UnsafeSendableBox(formulas)
            if threads <= 1 {
                for i in 0..<n {
                    shared.value[i] = workers.value[0].evaluate(
                        work.value[i], fitting: fitting, scoring: scoring, iterations: iterations,
                        parsimony: parsimony)
                }
                return
            }
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var i = t
                while i < n {
                    shared.value[i] = workers.value[t].evaluate(
                        work.value[i], fitting: fitting, scoring: scoring, iterations: iterations,
                        parsimony: parsimony)
                    i += threads
                }
            }
        }
        evaluations += n
        return out
    }

    /// The best `count` individuals, one per (complexity, R²) pair, best first.
    func select(_ pool: [Individual], count: Int) -> [Individual] {
        let order = pool.indices.sorted {
            pool[$0].fitness < pool[$1].fitness
                || (pool[$0].fitness == pool[$1].fitness && $0 < $1)
        }
        var seen = Set<Int64>()
        var kept: [Individual] = []
        var duplicates: [Individual] = []
        for i in order {
            let individual = pool[i]
            let key =
                Int64(individual.formula.complexity) &* 1_000_003
                &+ Int64(((1 - individual.r2) * 1e12).rounded(.down).clamped(-1e15, 1e15))
            if seen.insert(key).inserted {
                kept.append(individual)
            } else {
                duplicates.append(individual)
            }
            if kept.count == count { return kept }
        }
        // too few distinct ones: fill up with duplicates
        return kept + duplicates.prefix(count - kept.count)
    }

    /// A tournament winner.
    func tournament() -> Individual {
        var best = population[random.index(population.count)]
        for _ in 1..<Swift.max(options.tournamentSize, 1) {
            let other = population[random.index(population.count)]
            if other.fitness < best.fitness { best = other }
        }
        return best
    }

    /// One generation: offspring by selection and variation, evaluated, merged.
    func step() {
        var children: [Formula] = []
        children.reserveCapacity(population.count)
        for _ in 0..<population.count {
            let parent = tournament().formula
            var child = parent
            if random.chance(options.crossoverRate) {
                child = variation.crossover(parent, tournament().formula, &random)
            }
            if child == parent || random.chance(options.mutationRate) {
                child = variation.mutate(child, &random)
            }
            children.append(child)
        }
        let offspring = evaluate(children)
        for individual in offspring { offer(individual) }
        population = select(population + offspring, count: population.count)
        generation += 1
    }

    private func offer(_ individual: Individual) {
        front.offer(complexity: individual.formula.complexity, r2: individual.r2, individual)
    }

    /// The most accurate individual so far.
    var best: Individual {
        front.members.last?.payload ?? population[0]
    }

    /// R² of an individual's scaled formula on all training points (refit line).
    func fullR2(_ individual: Individual) -> Double {
        workers[0].scale(individual.formula, on: full)?.r2 ?? -.infinity
    }
}

extension Double {
    func clamped(_ low: Double, _ high: Double) -> Double {
        isNaN ? low : Swift.min(Swift.max(self, low), high)
    }
}
