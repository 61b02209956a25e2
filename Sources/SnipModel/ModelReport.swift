import Foundation
import SnipMath
import SnipTensor

/// How good a SNIP model's embeddings are, on a set of functions it never saw:
/// cross-modal retrieval (exact and look-alike-aware, both ways, top-1 and top-10, each beside
/// its chance level) and property probes (how well k-NN and ridge regression read ncr, upward,
/// yavg and oscil off z_f and z_y without training the encoders).
///
/// `snip evaluate-model` and the language's `model_report` print it; docs/MODELS.md records
/// it for the shipped models.
public struct ModelReport: Codable, Sendable {
    /// Retrieval hits at one rank cut-off, beside what random ranking gives.
    public struct Hits: Codable, Sendable, Equatable {
        /// Share of queries whose own partner is among the first k.
        public var exact: Double
        /// Share of queries with a look-alike (see ``LookAlikes``) among the first k.
        public var lookAlike: Double
        /// `k / N`.
        public var exactChance: Double
        /// The look-alike share a random ranking gives (1 − C(N − m, k) / C(N, k) per query,
        /// m its look-alikes, averaged).
        public var lookAlikeChance: Double
    }

    /// Retrieval one way at top-1 and top-10.
    public struct Direction: Codable, Sendable, Equatable {
        public var top1: Hits
        public var top10: Hits
        /// How many different candidates come first for some query (all N for a model that
        /// tells every function apart; nil in reports made before it was measured).
        public var distinctAnswers: Int?
        /// Share of queries answered first by the commonest first answer (a "hub": one
        /// candidate whose embedding outscores the rest for many queries).
        public var largestHub: Double?
    }

    /// The probes' R² for one embedding and property.
    public struct Probe: Codable, Sendable, Equatable {
        /// `z_f` or `z_y`.
        public var embedding: String
        public var property: String
        /// k-NN (k = 10, cosine) out-of-fold R².
        public var nearestNeighbor: Double
        /// Ridge out-of-fold R².
        public var ridge: Double
    }

    /// Functions in the set (candidates of every query).
    public var functions: Int
    /// Queries by points, answers among formulas.
    public var pointsToFormula: Direction
    /// Queries by formula, answers among point sets.
    public var formulaToPoints: Direction
    /// The RMSE bound that makes two graphs look alike.
    public var lookAlikeTolerance: Double
    /// Median number of formulas that look like a point set.
    public var medianLookAlikes: Double
    /// Share of point sets whose only look-alike formula is their own.
    public var uniqueShare: Double
    /// Share of the functions whose scaled graph is not a straight line (``StraightLineFit``,
    /// the look-alike tolerance); nil in reports made before it was measured.
    public var curvedShare: Double?
    /// ``pointsToFormula`` for the curved functions' point sets only (all formulas still
    /// compete): straight lines look like every other straight line, so they are easy hits.
    public var curvedPointsToFormula: Direction?
    /// ``formulaToPoints`` for the curved functions' formulas only.
    public var curvedFormulaToPoints: Direction?
    /// ``pointsToFormula`` for the straight lines' point sets only: any line of the same
    /// direction is a hit, so the misses are lines of the other direction and curved formulas.
    public var straightPointsToFormula: Direction?
    /// ``formulaToPoints`` for the straight lines' formulas only.
    public var straightFormulaToPoints: Direction?
    /// Mean cosine of a function's z_f with its own z_y.
    public var ownCosine: Double
    /// Mean cosine of z_f with other functions' z_y.
    public var otherCosine: Double
    /// Functions the probes used (one-dimensional ones: the properties are defined for 1-D).
    public var probeFunctions: Int
    /// Cross-validation folds of the probes.
    public var probeFolds: Int
    public var probes: [Probe]
    /// R² per property of a predictor that knows only the formula (``FormulaCeiling``): what a
    /// z_f probe can hope for. nil when not measured (no one-dimensional functions).
    public var formulaOnly: [String: Double]?
    /// R² per property of the k-NN probe given the formula-only predictor as its embedding
    /// (``FormulaCeiling/Estimate/nearestNeighbors``): what the z_f k-NN probe reaches with an
    /// embedding that knows each formula's expected properties (an estimate, as the ceiling
    /// is). nil when not measured (and in reports written before it was).
    public var formulaOnlyNearestNeighbors: [String: Double]?
    /// R² per property of the z_f k-NN probe's predictions against each formula's redraw mean
    /// rather than its function's own points (``FormulaCeiling/Estimate/symbolicAgainstRedrawMean``):
    /// what z_f knows of what the formula fixes, free of the query's own draw noise, which caps
    /// the probe. nil when not measured (and in reports written before it was).
    public var symbolicAgainstRedrawMean: [String: Double]?
    /// What the model expects (applied to the data before encoding).
    public var contract: ModelContract

    /// Ranks cut off at these counts.
    public static let cutoffs = (1, 10)
    /// The property probes' cross-validation folds.
    public static let defaultProbeFolds = 5

    /// Embeds `samples` (the contract applied), ranks, evaluates look-alikes and runs the
    /// probes. `progress` gets short phase descriptions; nil when `shouldStop` turned true.
    public static func measure(
        model: SNIPModel, samples: [Sample], batchSize: Int = 64, lookAlikeTolerance: Double = 0.01,
        progress: (String) -> Void = { _ in }, shouldStop: () -> Bool = { false }
    ) throws -> (report: ModelReport, embeddings: Embeddings)? {
        guard samples.count >= 2 else { throw ModelError("the report needs at least 2 functions, got \(samples.count)") }
        progress("embedding formulas")
        guard
            let symbolic = try model.embed(
                samples, side: .symbolic, batchSize: batchSize,
                progress: { progress("embedding formulas: \($0) of \(samples.count)") }, shouldStop: shouldStop),
            let numeric = try model.embed(
                samples, side: .numeric, batchSize: batchSize,
                progress: { progress("embedding points: \($0) of \(samples.count)") }, shouldStop: shouldStop)
        else { return nil }
        progress("evaluating every formula on every point set")
        let table = LookAlikes(samples: samples, tolerance: lookAlikeTolerance)
        if shouldStop() { return nil }
        progress("probing properties")
        let embeddings = Embeddings(samples: samples, symbolic: symbolic, numeric: numeric)
        // z_f's neighbours serve its probes and the ceiling's redraw-mean figure alike
        let symbolicNeighbors = PropertyProbe.Neighbors(embeddings.probeSymbolic, k: 10, folds: defaultProbeFolds)
        var report = ModelReport(
            scores: model.scores(symbolic: symbolic, numeric: numeric).scalars, lookAlikes: table,
            embeddings: embeddings, contract: model.contract,
            curved: samples.map { !$0.isStraightLine(tolerance: lookAlikeTolerance) }, folds: defaultProbeFolds,
            symbolicNeighbors: symbolicNeighbors)
        if shouldStop() { return nil }
        progress("redrawing points for the formula-only ceiling")
        let ceiling = FormulaCeiling.measure(
            samples: samples, embeddings: embeddings, folds: defaultProbeFolds, symbolicNeighbors: symbolicNeighbors)
        report.formulaOnly = ceiling?.redrawMean
        report.formulaOnlyNearestNeighbors = ceiling?.nearestNeighbors
        report.symbolicAgainstRedrawMean = ceiling?.symbolicAgainstRedrawMean
        return (report, embeddings)
    }

    /// The report from retrieval scores (`scores[i * N + j]`: formula i against points j), the
    /// look-alike table and the embeddings; `curved[i]` says whether function i's graph is not
    /// a straight line (nil: the curved-only figures are not made). `symbolicNeighbors`: z_f's
    /// probe neighbours when the caller has them (used when found with k = 10 and `folds`).
    public init(
        scores: [Float], lookAlikes table: LookAlikes, embeddings: Embeddings, contract: ModelContract,
        curved: [Bool]? = nil, folds: Int = defaultProbeFolds, symbolicNeighbors: PropertyProbe.Neighbors? = nil
    ) {
        let n = table.count
        precondition(scores.count == n * n, "scores for \(n) functions")
        functions = n
        lookAlikeTolerance = table.tolerance
        self.contract = contract
        let formulaCounts = (0..<n).map { table.formulaCount(points: $0) }
        let pointCounts = (0..<n).map { table.pointsCount(formula: $0) }
        let sorted = formulaCounts.sorted()
        medianLookAlikes = n % 2 == 1 ? Double(sorted[n / 2]) : Double(sorted[n / 2 - 1] + sorted[n / 2]) / 2
        uniqueShare = Double((0..<n).filter { formulaCounts[$0] == 1 && table[formula: $0, points: $0] }.count) / Double(n)
        /// Both directions for `queries` alone, all n candidates competing.
        func retrieval(_ queries: [Int]) -> (pointsToFormula: Direction, formulaToPoints: Direction) {
            (
                Self.direction(n: n, counts: formulaCounts, queries: queries) { query, candidate in
                    (scores[candidate * n + query], table[formula: candidate, points: query])
                },
                Self.direction(n: n, counts: pointCounts, queries: queries) { query, candidate in
                    (scores[query * n + candidate], table[formula: query, points: candidate])
                }
            )
        }
        (pointsToFormula, formulaToPoints) = retrieval(Array(0..<n))
        if let curved {
            precondition(curved.count == n, "curved flags for \(curved.count) of \(n) functions")
            let queries = (0..<n).filter { curved[$0] }
            curvedShare = Double(queries.count) / Double(n)
            if !queries.isEmpty {
                (curvedPointsToFormula, curvedFormulaToPoints) = retrieval(queries)
            }
            let straight = (0..<n).filter { !curved[$0] }
            if !straight.isEmpty {
                (straightPointsToFormula, straightFormulaToPoints) = retrieval(straight)
            }
        }
        let zf = embeddings.symbolic.map(PropertyProbe.unit)
        let zy = embeddings.numeric.map(PropertyProbe.unit)
        var own = 0.0
        var other = 0.0
        for i in 0..<n {
            for j in 0..<n {
                let c = zip(zf[i], zy[j]).reduce(0) { $0 + $1.0 * $1.1 }
                if i == j { own += c } else { other += c }
            }
        }
        ownCosine = own / Double(n)
        otherCosine = other / Double(max(n * (n - 1), 1))
        let probeRows = embeddings.properties.isEmpty ? [] : Array(embeddings.properties.first!.value.indices)
        probeFunctions = probeRows.count
        probeFolds = folds
        var probes: [Probe] = []
        if probeRows.count >= 2 * folds {
            for (name, features) in [("z_f", embeddings.probeSymbolic), ("z_y", embeddings.probeNumeric)] {
                // one neighbour search per embedding, whatever the property
                let neighbors = PropertyProbe.Neighbors.reusing(
                    name == "z_f" ? symbolicNeighbors : nil, for: features, k: 10, folds: folds)
                for property in FunctionProperty.allCases {
                    guard let targets = embeddings.properties[property.rawValue] else { continue }
                    probes.append(Probe(
                        embedding: name, property: property.rawValue,
                        nearestNeighbor: neighbors.r2(targets),
                        ridge: PropertyProbe.ridgeR2(features, targets, folds: folds)))
                }
            }
        }
        self.probes = probes
    }

    /// Hits at both cut-offs for `queries` (all n when nil) among candidates 0..<n;
    /// `pair(query, candidate)` gives the score and whether the candidate looks like the query;
    /// `counts[q]` is how many candidates look like query q.
    static func direction(n: Int, counts: [Int], queries: [Int]? = nil, pair: (Int, Int) -> (Float, Bool)) -> Direction {
        let queries = queries ?? Array(0..<n)
        let asked = Double(max(queries.count, 1))
        let (k1, k10) = cutoffs
        var exact = (0, 0)
        var alike = (0, 0)
        var order = Array(0..<n)
        var firsts = [Int](repeating: 0, count: n)
        for query in queries {
            let scored = (0..<n).map { pair(query, $0) }
            // the best candidates first; equal scores by index
            order.sort { scored[$0].0 != scored[$1].0 ? scored[$0].0 > scored[$1].0 : $0 < $1 }
            let top = order.prefix(k10)
            if let first = top.first { firsts[first] += 1 }
            if top.first == query { exact.0 += 1 }
            if top.contains(query) { exact.1 += 1 }
            if let first = top.first, scored[first].1 { alike.0 += 1 }
            if top.contains(where: { scored[$0].1 }) { alike.1 += 1 }
        }
        func chance(_ k: Int) -> Double {
            queries.reduce(0) { $0 + randomHitChance(candidates: n, matching: counts[$1], k: k) } / asked
        }
        return Direction(
            top1: Hits(exact: Double(exact.0) / asked, lookAlike: Double(alike.0) / asked,
                       exactChance: Double(min(k1, n)) / Double(n), lookAlikeChance: chance(k1)),
            top10: Hits(exact: Double(exact.1) / asked, lookAlike: Double(alike.1) / asked,
                        exactChance: Double(min(k10, n)) / Double(n), lookAlikeChance: chance(k10)),
            distinctAnswers: firsts.filter { $0 > 0 }.count,
            largestHub: Double(firsts.max() ?? 0) / asked)
    }

    /// The chance that k candidates drawn at random from `candidates` include at least one of
    /// `matching`: 1 − C(N − m, k) / C(N, k).
    public static func randomHitChance(candidates n: Int, matching m: Int, k: Int) -> Double {
        guard m > 0 else { return 0 }
        guard k < n, m <= n - k else { return 1 }
        var miss = 1.0
        for t in 0..<k { miss *= Double(n - m - t) / Double(n - t) }
        return 1 - miss
    }

    private enum CodingKeys: String, CodingKey {
        case functions, pointsToFormula, formulaToPoints, lookAlikeTolerance, medianLookAlikes, uniqueShare
        case curvedShare, curvedPointsToFormula, curvedFormulaToPoints, straightPointsToFormula, straightFormulaToPoints
        case ownCosine, otherCosine, probeFunctions, probeFolds, probes, formulaOnly, formulaOnlyNearestNeighbors, symbolicAgainstRedrawMean, contract
    }
}

/// The embeddings and properties a report was made from (for maps and further analysis).
public struct Embeddings: Sendable {
    /// z_f per function.
    public let symbolic: [[Double]]
    /// z_y per function.
    public let numeric: [[Double]]
    /// Property values of the one-dimensional functions (`probeRows` order), by name.
    public let properties: [String: [Double]]
    /// Indices (into the samples) of the functions the properties were computed for.
    public let probeRows: [Int]

    /// The z_f rows the probes read (`probeRows` order): what ``PropertyProbe/Neighbors`` for
    /// the report's z_f probe are found on.
    public var probeSymbolic: [[Double]] { probeRows.map { symbolic[$0] } }
    /// The z_y rows the probes read (`probeRows` order).
    public var probeNumeric: [[Double]] { probeRows.map { numeric[$0] } }

    /// Rows of the two `[N, L]` latents and the properties of the 1-D samples' own points
    /// (ncr from 1000 triples drawn from a generator seeded by the sample's index, so a report
    /// is deterministic).
    public init(samples: [Sample], symbolic: Tensor, numeric: Tensor) {
        self.symbolic = symbolic.rows.map { $0.map(Double.init) }
        self.numeric = numeric.rows.map { $0.map(Double.init) }
        let rows = samples.indices.filter { samples[$0].x.first?.count == 1 && samples[$0].y.count >= 3 }
        probeRows = rows
        var properties: [String: [Double]] = [:]
        for property in FunctionProperty.allCases {
            properties[property.rawValue] = rows.map { i in
                var random = SeededGenerator(seed: UInt64(i))
                return property.value(x: samples[i].x.map { $0[0] }, y: samples[i].y, random: &random)
            }
        }
        self.properties = rows.isEmpty ? [:] : properties
    }
}

extension ModelReport {
    /// A short plain-text summary.
    public var summary: String {
        func f(_ v: Double) -> String { String(format: "%.3f", v) }
        func row(_ name: String, _ d: Direction) -> String {
            "\(name)  top-1 \(f(d.top1.lookAlike)) (chance \(f(d.top1.lookAlikeChance)))  exact \(f(d.top1.exact)) (chance \(f(d.top1.exactChance)))"
                + "   top-10 \(f(d.top10.lookAlike)) (chance \(f(d.top10.lookAlikeChance)))  exact \(f(d.top10.exact))"
                + (d.distinctAnswers.map { distinct in
                    "\n      first answers: \(distinct) distinct; the commonest comes first for \(String(format: "%.1f", 100 * (d.largestHub ?? 0)))% of queries"
                } ?? "")
        }
        var lines = [
            "\(functions) functions; look-alikes (RMSE ≤ \(lookAlikeTolerance) on scaled graphs): median \(medianLookAlikes) per point set, \(String(format: "%.0f", 100 * uniqueShare))% unique",
            "retrieval, look-alike-aware (and exact):",
            row("  points → formula", pointsToFormula),
            row("  formula → points", formulaToPoints),
        ]
        /// A subset's heading and its two look-alike rows (no exact figures).
        func subset(_ heading: String, _ p2f: Direction, _ f2p: Direction) -> [String] {
            [heading] + [("points → formula", p2f), ("formula → points", f2p)].map { name, d in
                "  \(name)  top-1 \(f(d.top1.lookAlike)) (chance \(f(d.top1.lookAlikeChance)))   top-10 \(f(d.top10.lookAlike))"
            }
        }
        if let curvedShare, let p2f = curvedPointsToFormula, let f2p = curvedFormulaToPoints {
            lines += subset(
                "curved functions only (\(String(format: "%.0f", 100 * curvedShare))% of the set; the rest are straight lines within RMSE \(lookAlikeTolerance)):",
                p2f, f2p)
        }
        if let p2f = straightPointsToFormula, let f2p = straightFormulaToPoints {
            lines += subset("straight lines only (a hit: a line of the same direction):", p2f, f2p)
        }
        lines += [
            "cosine of z_f with its own z_y: \(f(ownCosine)) (with others: \(f(otherCosine)))",
        ]
        if probes.isEmpty {
            lines.append("property probes: skipped (\(probeFunctions) one-dimensional functions; need \(2 * probeFolds))")
        } else {
            lines.append("property probes, \(probeFolds)-fold R² on \(probeFunctions) functions (k-NN k=10 cosine / ridge):")
            lines.append("        " + FunctionProperty.allCases.map { $0.rawValue.padding(toLength: 17, withPad: " ", startingAt: 0) }.joined())
            for embedding in ["z_f", "z_y"] {
                let cells = FunctionProperty.allCases.map { p -> String in
                    guard let probe = probes.first(where: { $0.embedding == embedding && $0.property == p.rawValue }) else { return "" }
                    return "\(f(probe.nearestNeighbor)) / \(f(probe.ridge))".padding(toLength: 17, withPad: " ", startingAt: 0)
                }
                lines.append("  \(embedding)  " + cells.joined())
            }
            // one figure per property, under the column heads
            let row = { (values: [String: Double]) in
                "        " + FunctionProperty.allCases.map { p in
                    (values[p.rawValue].map(f) ?? "").padding(toLength: 17, withPad: " ", startingAt: 0)
                }.joined()
            }
            if let formulaOnly {
                lines.append("  ceiling: R² of the formula alone (mean over \(FormulaCeiling.defaultDraws) fresh point draws):")
                lines.append(row(formulaOnly))
            }
            if let formulaOnlyNearestNeighbors {
                lines.append("  k-NN probe on the formula alone (those redraw means as the embedding; neighbours bring their own draws' noise):")
                lines.append(row(formulaOnlyNearestNeighbors))
            }
            if let symbolicAgainstRedrawMean {
                lines.append("  z_f k-NN scored against the formula's redraw mean (what the formula fixes, without the draw's noise):")
                lines.append(row(symbolicAgainstRedrawMean))
            }
        }
        return lines.joined(separator: "\n")
    }
}
