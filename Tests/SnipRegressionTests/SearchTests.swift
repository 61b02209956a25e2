import Foundation
import SnipMath
import SnipRegression
import Testing

@Suite struct SearchTests {
    /// Thousands of random crossovers and mutations give well-formed trees within the limits.
    @Test func variationKeepsTreesValid() {
        var options = RegressionOptions()
        options.unaryOperators = UnaryOperator.allCases
        let grammar = FormulaGrammar(options: options, dimension: 3)
        let variation = Variation(grammar: grammar, maxLength: 25, maxDepth: 8)
        var random = RegressionRandom(seed: 2)
        var pool = (0..<50).map { _ in grammar.tree(maxDepth: 6, maxLength: 20, &random) }
        for f in pool {
            #expect(f.isWellFormed)
            #expect(f.complexity <= 20 && f.depth <= 6)
        }
        for _ in 0..<3000 {
            let a = pool[random.index(pool.count)]
            let b = pool[random.index(pool.count)]
            let child =
                random.chance(0.5)
                ? variation.crossover(a, b, &random) : variation.mutate(a, &random)
            #expect(child.isWellFormed)
            #expect(child.complexity <= 25 && child.depth <= 8)
            #expect(child.inputDimension <= 3)
            // and it prints and parses back
            #expect((try? Expression(prefix: child.expression.prefix)) != nil)
            pool[random.index(pool.count)] = child
        }
    }

    @Test func paretoFrontKeepsOnlyUndominatedMembers() {
        var front = ParetoFront<String>()
        let joined = [
            front.offer(complexity: 5, r2: 0.9, "a"), front.offer(complexity: 7, r2: 0.85, "b"),
            front.offer(complexity: 3, r2: 0.5, "c"),
            front.offer(complexity: 4, r2: 0.95, "d"),  // removes "a"
        ]
        #expect(joined == [true, false, true, true])
        #expect(front.members.map(\.payload) == ["c", "d"])
    }

    private func options(generations: Int, seed: UInt64 = 1) -> RegressionOptions {
        var o = RegressionOptions(timeLimit: nil, seed: seed)
        o.maxGenerations = generations
        o.targetR2 = 0.999999
        o.populationSize = 150
        return o
    }

    @Test func recoversAQuadraticPlusSine() throws {
        var random = RegressionRandom(seed: 4)
        let x = (0..<400).map { _ in random.uniform(-3, 3) }
        let y = x.map { 2.5 * $0 * $0 + sin($0) }
        let result = try SymbolicRegression.fit(
            columns: [x], y: y, options: options(generations: 60))
        #expect(result.r2 > 0.999999, "\(result.expression) R² \(result.r2)")
        #expect(result.stopReason == .target)
        #expect(result.complexity <= 12, "\(result.expression)")
        #expect(result.pareto.contains { $0.r2 == result.r2 && $0.complexity == result.complexity })
        #expect(
            zip(result.pareto, result.pareto.dropFirst()).allSatisfy {
                $0.complexity < $1.complexity && $0.r2 < $1.r2
            })
    }

    @Test func recoversAProductOfTwoVariables() throws {
        var random = RegressionRandom(seed: 6)
        let rows = (0..<300).map { _ in [random.uniform(-2, 2), random.uniform(-2, 2)] }
        let y = rows.map { $0[0] * $0[1] }
        let result = try SymbolicRegression.fit(rows: rows, y: y, options: options(generations: 40))
        #expect(result.r2 > 0.999999, "\(result.expression)")
        #expect(result.complexity <= 5, "\(result.expression)")
    }

    @Test func isReproducibleForASeed() throws {
        var random = RegressionRandom(seed: 8)
        let x = (0..<200).map { _ in random.uniform(0.1, 3) }
        let y = x.map { log($0) * 1.5 + $0 }
        var o = options(generations: 5, seed: 3)
        o.targetR2 = nil
        let a = try SymbolicRegression.fit(columns: [x], y: y, options: o)
        let b = try SymbolicRegression.fit(columns: [x], y: y, options: o)
        #expect(a.expression == b.expression)
        #expect(a.pareto.map(\.complexity) == b.pareto.map(\.complexity))
        // two threads give the same search
        o.threads = 2
        let c = try SymbolicRegression.fit(columns: [x], y: y, options: o)
        #expect(c.expression == a.expression)
    }

    @Test func proposalsSeedTheSearch() throws {
        let x = (0..<100).map { 0.1 + Double($0) / 20 }
        let y = x.map { 1.3 * exp(-0.4 * $0) * cos(2 * $0) }
        let hint = FixedProposals([
            try Expression(prefix: "mul,CONSTANT,mul,exp,mul,-0.5,x_0,cos,mul,1.9,x_0")
        ])
        var o = options(generations: 3)
        o.targetR2 = 0.999999
        let result = try SymbolicRegression.fit(columns: [x], y: y, options: o, proposals: hint)
        #expect(result.r2 > 0.999999, "\(result.expression)")
        #expect(result.generations == 0)
    }

    @Test func progressCanStopTheSearch() throws {
        let x = (0..<50).map { Double($0) }
        let y = x.map { sin($0) * $0 }
        var calls = 0
        var o = options(generations: 100)
        o.targetR2 = nil
        let result = try SymbolicRegression.fit(columns: [x], y: y, options: o) { _ in
            calls += 1
            return calls < 3
        }
        #expect(result.stopReason == .interrupted)
        #expect(result.generations == 2)
    }

    @Test func badInputsGiveClearErrors() {
        let x: [Double] = [1, 2, 3, 4, 5]
        #expect(throws: RegressionError.mismatchedLengths(column: 0, count: 5, expected: 4)) {
            try SymbolicRegression.fit(columns: [x], y: [1, 2, 3, 4])
        }
        #expect(throws: RegressionError.nonFinite(what: "y", index: 2)) {
            try SymbolicRegression.fit(columns: [x], y: [1, 2, .nan, 4, 5])
        }
        #expect(throws: RegressionError.nonFinite(what: "x_0", index: 0)) {
            try SymbolicRegression.fit(columns: [[.infinity, 2, 3, 4, 5]], y: x)
        }
        #expect(throws: RegressionError.tooFewPoints(2, minimum: 4)) {
            try SymbolicRegression.fit(columns: [[1, 2]], y: [1, 2])
        }
        #expect(throws: RegressionError.tooManyColumns(11, limit: 10)) {
            try SymbolicRegression.fit(columns: [[Double]](repeating: x, count: 11), y: x)
        }
        #expect(throws: RegressionError.noColumns) {
            try SymbolicRegression.fit(columns: [], y: x)
        }
        #expect(
            RegressionError.tooManyColumns(11, limit: 10).description
                == "x has 11 columns; at most 10 input variables (x_0 … x_9)")
    }
}
