import Foundation
import SnipMath
import SnipModel
import SnipTensor
import Testing

/// A 1-D sample of `prefix` on the given x (y evaluated, nothing scaled).
private func sample(_ prefix: String, _ xs: [Double]) throws -> Sample {
    let tree = try Expression(prefix: prefix)
    let ys = try tree.evaluate(rows: xs.map { [$0] })
    return Sample(
        tree: tree, x: xs.map { [$0] }, y: ys,
        info: SampleInfo(inputPointCount: xs.count, unaryOperatorCount: 0, binaryOperatorCount: 0, inputDimension: 1,
                         outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
        skeletonTokens: [])
}

private let line = (0..<50).map { -1 + 2 * Double($0) / 49 }

struct LookAlikeTests {
    @Test func affineCopiesLookAlikeAndOtherShapesDoNot() throws {
        let samples = [
            try sample("x_0", line),
            try sample("add,3,mul,2,x_0", line),  // the same graph once scaled
            try sample("mul,x_0,x_0", line),  // a parabola
            try sample("log,x_0", line),  // NaN on x ≤ 0: never alike
            try sample("sub,0,x_0", line),  // the mirror image
        ]
        let table = LookAlikes(samples: samples, tolerance: 0.01)
        #expect(table[formula: 0, points: 1] && table[formula: 1, points: 0])
        #expect(table[formula: 0, points: 0] && table[formula: 2, points: 2])
        #expect(!table[formula: 2, points: 0] && !table[formula: 0, points: 2])
        #expect(!table[formula: 0, points: 4] && !table[formula: 4, points: 0])
        // log's points hold NaN and so does log evaluated anywhere here: nothing matches it
        #expect((0..<5).allSatisfy { !table[formula: 3, points: $0] && !table[formula: $0, points: 3] })
        #expect(table.formulaCount(points: 0) == 2 && table.pointsCount(formula: 2) == 1)
    }

    @Test func theTableIsEveryPairEvaluatedOnItsOwn() throws {
        // the table evaluates each formula once over all point sets of a dimension, laid end
        // to end: it must say what evaluating pair by pair says, NaN, other dimensions, empty
        // and ragged point sets included
        func points(_ prefix: String, _ rows: [[Double]]) throws -> Sample {
            let tree = try Expression(prefix: prefix)
            return Sample(
                tree: tree, x: rows, y: try tree.evaluate(rows: rows),
                info: SampleInfo(inputPointCount: rows.count, unaryOperatorCount: 0, binaryOperatorCount: 0,
                                 inputDimension: rows.first?.count ?? 0, outputDimension: 1, inputDistributionType: 0,
                                 centroidCount: 1),
                skeletonTokens: [])
        }
        let shifted = line.map { $0 + 1.5 }  // all positive: log is finite here
        let wide = (0..<30).map { 3 * Double($0) / 29 - 1 }
        var samples = [
            try sample("x_0", line), try sample("add,3,mul,2,x_0", wide), try sample("mul,x_0,x_0", line),
            try sample("log,x_0", shifted), try sample("log,x_0", line), try sample("sub,0,x_0", wide),
            try sample("div,1,x_0", line), try sample("add,x_0,mul,0.001,mul,x_0,x_0", shifted),
            try points("add,x_0,x_1", (0..<20).map { [Double($0), Double($0 % 3)] }),
            try points("x_1", (0..<20).map { [Double($0 % 4), Double($0)] }),
            try sample("x_0", []),
        ]
        let ragged = try sample("x_0", line)
        samples.append(Sample(tree: ragged.tree, x: ragged.x.enumerated().map { $0 == 3 ? [$1[0], 0] : $1 }, y: ragged.y,
                              info: ragged.info, skeletonTokens: []))
        let table = LookAlikes(samples: samples, tolerance: 0.01)
        let n = samples.count
        for i in 0..<n {
            for j in 0..<n {
                let xs = samples[j].x
                let d = xs.first?.count ?? 0
                let expected = xs.allSatisfy { $0.count == d }
                    && LookAlikes.looksAlike(samples[i].tree, columns: (0..<d).map { c in xs.map { $0[c] } },
                                             scaledY: Sample.minMaxScaled(samples[j].y), tolerance: 0.01)
                #expect(table[formula: i, points: j] == expected, "formula \(i), points \(j)")
            }
        }
        #expect(table[formula: 0, points: 1] && table[formula: 3, points: 3] && table[formula: 8, points: 9] == false)
        #expect(table[formula: 9, points: 9] && !table[formula: 0, points: 8] && !table[formula: 10, points: 10])
        #expect(LookAlikes.rows(2..<5, of: samples) == Array(table.matches[(2 * n)..<(5 * n)]))
        #expect(LookAlikes(samples: samples, tolerance: 0.01, parallel: false).matches == table.matches)
    }

    /// The table prunes pairs on a few probe points before evaluating them in full; on generated
    /// batches (1-D with y scaled, with siblings: many look-alikes and near-misses; and 3-D) it
    /// is exactly the table of every pair evaluated in full.
    @Test(arguments: [(1, 0.5, UInt64(5)), (1, 0.0, UInt64(6)), (3, 0.5, UInt64(7))])
    func pruningOnProbesChangesNothing(_ setting: (dimension: Int, siblings: Double, seed: UInt64)) {
        var configuration = GeneratorConfiguration(maxInputDimension: setting.dimension)
        configuration.normalizeY = setting.dimension == 1
        let data = GeneratedTrainingData(
            generator: ExpressionGenerator(configuration: configuration),
            tokenizer: SampleTokenizer(config: .small(maxInputDimension: setting.dimension), skeleton: false),
            seed: setting.seed, siblingRate: setting.siblings)
        let samples = data.samples(forStep: 0, count: 120)
        let table = LookAlikes(samples: samples, tolerance: 0.01)
        var matches = 0
        for i in samples.indices {
            for j in samples.indices {
                let xs = samples[j].x
                let d = xs.first?.count ?? 0
                let full = LookAlikes.looksAlike(
                    samples[i].tree, columns: (0..<d).map { c in xs.map { $0[c] } },
                    scaledY: Sample.minMaxScaled(samples[j].y), tolerance: 0.01)
                #expect(table[formula: i, points: j] == full, "formula \(i), points \(j)")
                if full && i != j { matches += 1 }
            }
        }
        // the batches hold look-alikes other than each function's own points
        #expect(matches > 20, "\(matches)")
    }

    @Test func theToleranceIsAnRMSEOnScaledGraphs() throws {
        // x + 0.01·x² differs from x, once both are scaled to [0, 1], by an RMSE of ≈ 0.0017
        let xs = (0..<101).map { Double($0) / 100 }
        let a = try sample("x_0", xs)
        let b = try sample("add,x_0,mul,0.01,mul,x_0,x_0", xs)
        let scaled = Sample.minMaxScaled(b.y)
        let rmse = (zip(Sample.minMaxScaled(a.y), scaled).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / 101).squareRoot()
        #expect(rmse > 0.001 && rmse < 0.002)
        #expect(LookAlikes.looksAlike(a.tree, columns: [xs], scaledY: scaled, tolerance: 0.002))
        #expect(!LookAlikes.looksAlike(a.tree, columns: [xs], scaledY: scaled, tolerance: 0.001))
    }

    @Test func randomHitChanceIsTheHypergeometricMiss() {
        #expect(abs(ModelReport.randomHitChance(candidates: 10, matching: 1, k: 1) - 0.1) < 1e-12)
        #expect(abs(ModelReport.randomHitChance(candidates: 5, matching: 2, k: 2) - 0.7) < 1e-12)  // 1 − C(3,2)/C(5,2)
        #expect(ModelReport.randomHitChance(candidates: 5, matching: 0, k: 3) == 0)
        #expect(ModelReport.randomHitChance(candidates: 5, matching: 3, k: 3) == 1)  // 3 picks must hit one of 3 in 5
    }

    @Test func retrievalCountsExactAndLookAlikeHitsBothWays() {
        // 3 functions; 0 and 1 look alike (both ways), 2 is alone
        let matches = [
            true, true, false,
            true, true, false,
            false, false, true,
        ]
        let table = LookAlikes(count: 3, tolerance: 0.01, matches: matches)
        // scores[i * 3 + j]: formula i against points j
        let scores: [Float] = [
            1, 5, 0,  // formula 0 prefers points 1 (a look-alike, not exact)
            2, 1, 0,  // formula 1 prefers points 0 (look-alike)
            9, 0, 3,  // formula 2 prefers points 0 (wrong)
        ]
        let report = ModelReport(
            scores: scores, lookAlikes: table,
            embeddings: Embeddings(samples: [], symbolic: Tensor([Float](repeating: 1, count: 6), shape: [3, 2]),
                                   numeric: Tensor([Float](repeating: 1, count: 6), shape: [3, 2])),
            contract: ModelContract())
        // points → formula: query j ranks formulas by column j: j=0 → formula 2 (miss), j=1 → formula 0 (alike),
        // j=2 → formula 2 (exact)
        #expect(report.pointsToFormula.top1.exact == 1.0 / 3 && report.pointsToFormula.top1.lookAlike == 2.0 / 3)
        // formula → points: i=0 → points 1 (alike), i=1 → points 0 (alike), i=2 → points 0 (miss)
        #expect(report.formulaToPoints.top1.exact == 0 && report.formulaToPoints.top1.lookAlike == 2.0 / 3)
        #expect(report.pointsToFormula.top10.exact == 1 && report.pointsToFormula.top10.lookAlike == 1)
        #expect(report.medianLookAlikes == 2 && abs(report.uniqueShare - 1.0 / 3) < 1e-12)
        #expect(abs(report.pointsToFormula.top1.lookAlikeChance - (2.0 / 3 + 2.0 / 3 + 1.0 / 3) / 3) < 1e-12)
        #expect(report.probes.isEmpty)
        // first answers: formula 2 answers points 0 and 2, points 0 answers formulas 1 and 2
        #expect(report.pointsToFormula.distinctAnswers == 2 && report.pointsToFormula.largestHub == 2.0 / 3)
        #expect(report.formulaToPoints.distinctAnswers == 2 && report.formulaToPoints.largestHub == 2.0 / 3)
        #expect(report.summary.contains("first answers: 2 distinct; the commonest comes first for 66.7% of queries"))
    }

    /// The curved-only figures ask only the curved functions' queries, against all candidates.
    @Test func curvedOnlyRetrievalLeavesStraightLineQueriesOut() {
        // 3 functions; 0 and 1 are straight lines that look alike, 2 is curved
        let table = LookAlikes(count: 3, tolerance: 0.01, matches: [true, true, false, true, true, false, false, false, true])
        // formula 2 prefers points 2 (a hit), points 2 prefer formula 0 (a miss)
        let scores: [Float] = [
            5, 1, 9,
            1, 5, 0,
            0, 0, 3,
        ]
        let report = ModelReport(
            scores: scores, lookAlikes: table,
            embeddings: Embeddings(samples: [], symbolic: Tensor([Float](repeating: 1, count: 6), shape: [3, 2]),
                                   numeric: Tensor([Float](repeating: 1, count: 6), shape: [3, 2])),
            contract: ModelContract(), curved: [false, false, true])
        #expect(report.curvedShare == 1.0 / 3)
        #expect(report.curvedFormulaToPoints?.top1.lookAlike == 1 && report.curvedFormulaToPoints?.top1.exact == 1)
        #expect(report.curvedPointsToFormula?.top1.lookAlike == 0 && report.curvedPointsToFormula?.top10.lookAlike == 1)
        // every query together: the straight lines' queries hit, so the rate is higher
        #expect(report.pointsToFormula.top1.lookAlike == 2.0 / 3)
        // chance is that of the curved query alone: 1 matching candidate among 3
        #expect(abs((report.curvedPointsToFormula?.top1.lookAlikeChance ?? 0) - 1.0 / 3) < 1e-12)
        #expect(report.summary.contains("curved functions only (33% of the set"))
        // and the straight lines' queries alone: points 0 and 1 find their own formulas, formula 0
        // prefers the curved points 2 (a miss), formula 1 its own points
        #expect(report.straightPointsToFormula?.top1.lookAlike == 1)
        #expect(report.straightFormulaToPoints?.top1.lookAlike == 0.5 && report.straightFormulaToPoints?.top1.exact == 0.5)
        #expect(report.summary.contains("straight lines only (a hit: a line of the same direction):"))
        let decoded = try? JSONDecoder().decode(ModelReport.self, from: JSONEncoder().encode(report))
        #expect(decoded?.curvedPointsToFormula == report.curvedPointsToFormula && decoded?.curvedShare == report.curvedShare)
        #expect(decoded?.straightFormulaToPoints == report.straightFormulaToPoints)
        // without flags, nothing curved-only is made
        let plain = ModelReport(
            scores: scores, lookAlikes: table,
            embeddings: Embeddings(samples: [], symbolic: Tensor([Float](repeating: 1, count: 6), shape: [3, 2]),
                                   numeric: Tensor([Float](repeating: 1, count: 6), shape: [3, 2])),
            contract: ModelContract())
        #expect(plain.curvedShare == nil && plain.curvedPointsToFormula == nil && !plain.summary.contains("curved"))
        #expect(plain.straightPointsToFormula == nil && !plain.summary.contains("straight lines only"))
    }
}

struct PropertyProbeTests {
    @Test func rSquaredOfPerfectMeanAndWorsePredictions() {
        let truth = [1.0, 2, 3, 4]
        #expect(PropertyProbe.r2(truth, truth) == 1)
        #expect(PropertyProbe.r2(truth, [2.5, 2.5, 2.5, 2.5]) == 0)
        #expect(abs(PropertyProbe.r2(truth, [4, 3, 2, 1]) - (1 - 20.0 / 5)) < 1e-12)
    }

    @Test func ridgeRecoversALinearTargetAndFindsNothingInNoise() {
        var generator = SeededGenerator(seed: 3)
        let rows = (0..<200).map { _ in (0..<6).map { _ in Double.random(in: -1...1, using: &generator) } }
        let linear = rows.map { 2 * $0[0] - 3 * $0[4] + 0.5 }
        #expect(PropertyProbe.ridgeR2(rows, linear) > 0.999)
        let noise = rows.map { _ in Double.random(in: -1...1, using: &generator) }
        let r2 = PropertyProbe.ridgeR2(rows, noise)
        #expect(r2 < 0.05 && r2 > -0.2)
    }

    @Test func nearestNeighboursReadADirectionalProperty() {
        // the target is the angle of a 2-D direction, which cosine neighbours see; scale is noise
        var generator = SeededGenerator(seed: 4)
        var rows: [[Double]] = []
        var targets: [Double] = []
        for _ in 0..<300 {
            let angle = Double.random(in: 0...3, using: &generator)
            let length = Double.random(in: 0.1...10, using: &generator)
            rows.append([length * cos(angle), length * sin(angle)])
            targets.append(angle)
        }
        #expect(PropertyProbe.nearestNeighborR2(rows, targets, k: 10) > 0.95)
        let shuffled = targets.shuffled(using: &generator)
        #expect(PropertyProbe.nearestNeighborR2(rows, shuffled, k: 10) < 0.1)
    }

    @Test func principalComponentsFindTheLongAxis() {
        var generator = SeededGenerator(seed: 5)
        let axis = [0.6, 0.8, 0]
        let rows = (0..<400).map { _ -> [Double] in
            let t = Double.random(in: -10...10, using: &generator)
            return (0..<3).map { 1 + axis[$0] * t + Double.random(in: -0.1...0.1, using: &generator) }
        }
        let pca = PrincipalComponents(rows, count: 2)
        let cosine = abs(zip(pca.directions[0], axis).reduce(0) { $0 + $1.0 * $1.1 })
        #expect(cosine > 0.999)
        #expect(pca.variances[0] > 30 && pca.variances[1] < 0.01)
        #expect(abs(pca.project(pca.mean)[0]) < 1e-12)
    }
}

struct TSNETests {
    /// Three well separated Gaussian clusters in 10-D.
    static func clusters(seed: UInt64) -> (rows: [[Double]], labels: [Int]) {
        var generator = SeededGenerator(seed: seed)
        var rows: [[Double]] = []
        var labels: [Int] = []
        for c in 0..<3 {
            for _ in 0..<60 {
                rows.append((0..<10).map { d in (d == c ? 20 : 0) + Double.random(in: -1...1, using: &generator) })
                labels.append(c)
            }
        }
        return (rows, labels)
    }

    @Test func clustersStaySeparateAndASeedFixesTheMap() {
        let (rows, labels) = Self.clusters(seed: 8)
        let map = TSNE(perplexity: 15, iterations: 400, seed: 1).embed(rows)
        func distance(_ a: Int, _ b: Int) -> Double {
            ((map[a][0] - map[b][0]) * (map[a][0] - map[b][0]) + (map[a][1] - map[b][1]) * (map[a][1] - map[b][1])).squareRoot()
        }
        var within = (0.0, 0)
        var between = (0.0, 0)
        for a in rows.indices {
            for b in rows.indices where a < b {
                if labels[a] == labels[b] { within = (within.0 + distance(a, b), within.1 + 1) } else { between = (between.0 + distance(a, b), between.1 + 1) }
            }
        }
        #expect(between.0 / Double(between.1) > 4 * within.0 / Double(within.1))
        // every point's nearest map neighbour is in its own cluster
        for a in rows.indices {
            let nearest = rows.indices.filter { $0 != a }.min { distance(a, $0) < distance(a, $1) }!
            #expect(labels[nearest] == labels[a])
        }
        #expect(TSNE(perplexity: 15, iterations: 400, seed: 1).embed(rows) == map)
        #expect(TSNE(perplexity: 15, iterations: 400, seed: 2).embed(rows) != map)
    }

    @Test func perplexityCalibrationHitsItsEntropy() {
        let distances = (0..<90).map { Double($0) * 0.37 }
        let row = TSNE.gaussianRowForTesting(distances, perplexity: 30)
        let entropy = -row.filter { $0 > 0 }.reduce(0) { $0 + $1 * log($1) }
        #expect(abs(entropy - log(30)) < 1e-4)
        #expect(abs(row.reduce(0, +) - 1) < 1e-12)
    }
}

struct NearestTests {
    @Test func nearestRanksByTheContractsScoreBothWays() throws {
        let model = try SNIPModel(config: ModelConfig(maxInputDimension: 1, width: 8, layers: 1, heads: 2, latent: 2, pointTokenWidth: 2), seed: 1)
        let formulas = Tensor([1, 0, 0, 1], shape: [2, 2])
        let points = Tensor([3, 0.1, 0.2, 0.2, 0, 1], shape: [3, 2])
        // dot: formula (1, 0) scores 3, 0.2, 0 → points 0, 1, 2
        let dot = model.nearest(queries: formulas, candidates: points, symbolicQueries: true, k: 3)
        #expect(dot[0].map(\.index) == [0, 1, 2] && dot[1].map(\.index) == [2, 1, 0])
        #expect(abs(dot[0][0].score - 3) < 1e-6)
        // cosine: formula (1, 0) against (3, 0.1) 0.9994, (0.2, 0.2) 0.7071, (0, 1) 0
        model.contract.similarity = .cosine
        let cosine = model.nearest(queries: formulas, candidates: points, symbolicQueries: true, k: 2)
        #expect(cosine[1].map(\.index) == [2, 1])
        #expect(abs(cosine[0][1].score - 0.70710677) < 1e-6)
        // points → formulas: point set 1 (0.2, 0.2) ties between the two formulas: by position
        let back = model.nearest(queries: points, candidates: formulas, symbolicQueries: false, k: 2)
        #expect(back[1].map(\.index) == [0, 1] && back[0].map(\.index) == [0, 1] && back[2].map(\.index) == [1, 0])
    }
}

struct FormulaCeilingTests {
    /// The ceiling of 40 functions cycling through `formulas`, each with its own draw of points
    /// (y scaled; both rounded as the data files are when `rounded`).
    private func ceiling(_ formulas: [String], rounded: Bool) throws -> [String: Double] {
        try estimate(formulas, rounded: rounded).redrawMean
    }

    /// The estimates of ``FormulaCeiling`` for the 40 functions `ceiling` describes, with
    /// function i's z_f `symbolic(i)` (four numbers; all 0 when nil).
    private func estimate(
        _ formulas: [String], rounded: Bool, symbolic: ((Int) -> [Float])? = nil,
        neighborsFrom other: ((Int) -> [Float])? = nil, neighborFolds: Int = 5
    ) throws -> FormulaCeiling.Estimate {
        var configuration = GeneratorConfiguration(maxInputDimension: 1)
        configuration.normalizeY = true
        let generator = ExpressionGenerator(configuration: configuration)
        let round = { (v: Double) in rounded ? Double(String(format: "%.3e", v))! : v }
        var samples: [Sample] = []
        for i in 0..<40 {
            let tree = try Expression(prefix: formulas[i % formulas.count])
            var source = NumpyLegacyRandom(key: [UInt32(i), 99])
            let (x, y, info) = try #require(generator.samplePoints(for: tree, source: &source))
            samples.append(Sample(
                tree: tree, x: x.map { [round($0[0])] }, y: y.map(round), info: info, skeletonTokens: []))
        }
        let zf = (0..<40).flatMap { symbolic?($0) ?? [0, 0, 0, 0] }
        let embeddings = Embeddings(
            samples: samples, symbolic: Tensor(zf, shape: [40, 4]),
            numeric: Tensor([Float](repeating: 0, count: 160), shape: [40, 4]))
        // the caller's neighbours, found on other rows than z_f's when asked
        let neighbors = PropertyProbe.Neighbors(
            other.map { f in (0..<40).map { f($0).map(Double.init) } } ?? embeddings.probeSymbolic, k: 10,
            folds: neighborFolds)
        let estimate = try #require(
            FormulaCeiling.measure(samples: samples, embeddings: embeddings, symbolicNeighbors: neighbors))
        #expect(FormulaCeiling.r2(samples: samples, embeddings: embeddings) == estimate.redrawMean)
        if other == nil {  // the same neighbours as it finds itself
            #expect(FormulaCeiling.measure(samples: samples, embeddings: embeddings) == estimate)
        }
        return estimate
    }

    /// The direction of a line is fixed by its formula, so the formula alone explains `upward`
    /// almost entirely.
    @Test func theFormulaExplainsWhatItFixes() throws {
        let ceiling = try ceiling(["x_0", "sub,0,x_0", "mul,x_0,x_0", "cos,mul,5,x_0"], rounded: true)
        #expect(Set(ceiling.keys) == Set(FunctionProperty.allCases.map(\.rawValue)))
        #expect(try #require(ceiling["upward"]) > 0.95)
        #expect(try #require(ceiling["oscil"]) > 0.8)
        #expect(ceiling.values.allSatisfy { $0 <= 1 })
        // a draw's own noise keeps even the best formula-only predictor below 1 for yavg
        #expect(try #require(ceiling["yavg"]) < 0.999)
    }

    /// The k-NN probe given the formula-only predictor: its neighbours share the formula's
    /// expected values (10 functions per formula here), so upward stays near 1; for yavg their
    /// own draws' noise keeps it at or under the redraw mean's R² plus a small margin.
    @Test func theNearestNeighbourLimitFollowsTheCeiling() throws {
        let estimate = try estimate(["x_0", "sub,0,x_0", "mul,x_0,x_0", "cos,mul,5,x_0"], rounded: true)
        #expect(Set(estimate.nearestNeighbors.keys) == Set(FunctionProperty.allCases.map(\.rawValue)))
        #expect(try #require(estimate.nearestNeighbors["upward"]) > 0.9)
        #expect(try #require(estimate.nearestNeighbors["yavg"]) < 0.999)
        #expect(try #require(estimate.nearestNeighbors["yavg"]) <= estimate.redrawMean["yavg"]! + 0.1)
    }

    /// The z_f probe scored against the redraw means: a z_f that tells the four formulas apart
    /// (one direction each) has neighbours that expect what the query's formula expects, so it
    /// reads upward almost whole and yavg far better than against the noisy measured values;
    /// a z_f that groups the functions by something unrelated to their formula (blocks of 10
    /// functions, each holding all four formulas) reads next to nothing.
    @Test func theSymbolicProbeAgainstTheRedrawMean() throws {
        let formulas = ["x_0", "sub,0,x_0", "mul,x_0,x_0", "cos,mul,5,x_0"]
        let oneHot = { (k: Int) in (0..<4).map { $0 == k ? Float(1) : 0 } }
        let knowing = try estimate(formulas, rounded: true, symbolic: { oneHot($0 % 4) })
        #expect(Set(knowing.symbolicAgainstRedrawMean.keys) == Set(FunctionProperty.allCases.map(\.rawValue)))
        #expect(try #require(knowing.symbolicAgainstRedrawMean["upward"]) > 0.9)
        #expect(try #require(knowing.symbolicAgainstRedrawMean["oscil"]) > 0.8)
        let unrelated = try estimate(formulas, rounded: true, symbolic: { oneHot($0 / 10) })
        #expect(try #require(unrelated.symbolicAgainstRedrawMean["upward"]) < 0.3)
        #expect(try #require(unrelated.symbolicAgainstRedrawMean["oscil"]) < 0.3)
        // neighbours handed in are the ones used: the knowing z_f with the unrelated grouping's
        // neighbours reads like the unrelated one
        let handed = try estimate(
            formulas, rounded: true, symbolic: { oneHot($0 % 4) }, neighborsFrom: { oneHot($0 / 10) })
        #expect(handed.symbolicAgainstRedrawMean == unrelated.symbolicAgainstRedrawMean)
        // neighbours found with other folds than the ceiling's are not used
        let otherFolds = try estimate(
            formulas, rounded: true, symbolic: { oneHot($0 % 4) }, neighborsFrom: { oneHot($0 / 10) }, neighborFolds: 4)
        #expect(otherFolds.symbolicAgainstRedrawMean == knowing.symbolicAgainstRedrawMean)
    }

    /// Points kept at full precision are redrawn at full precision: rounding them would make
    /// the straight lines' ncr (0 exactly, about 0.5 once y is rounded) unpredictable.
    @Test func unroundedSamplesAreRedrawnUnrounded() throws {
        let ceiling = try ceiling(
            ["add,0.3,mul,2.7,x_0", "mul,x_0,x_0", "sub,0,mul,x_0,x_0", "cos,mul,3,x_0"], rounded: false)
        #expect(try #require(ceiling["ncr"]) > 0.9)
    }

    /// A report of two functions, each retrieving its own partner, with both ceilings set.
    private func twoFunctionReport() -> ModelReport {
        var report = ModelReport(
            scores: [1, 0, 0, 1], lookAlikes: LookAlikes(count: 2, tolerance: 0.01, matches: [true, false, false, true]),
            embeddings: Embeddings(samples: [], symbolic: Tensor([1, 0, 0, 1], shape: [2, 2]),
                                   numeric: Tensor([1, 0, 0, 1], shape: [2, 2])),
            contract: ModelContract())
        report.formulaOnly = ["yavg": 0.62]
        report.formulaOnlyNearestNeighbors = ["yavg": 0.58]
        report.symbolicAgainstRedrawMean = ["yavg": 0.71]
        return report
    }

    @Test func reportsWithoutTheCeilingStillDecode() throws {
        let report = twoFunctionReport()
        var json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as! [String: Any]
        json["formulaOnly"] = nil
        json["formulaOnlyNearestNeighbors"] = nil
        json["symbolicAgainstRedrawMean"] = nil
        let decoded = try JSONDecoder().decode(ModelReport.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded.formulaOnly == nil && decoded.formulaOnlyNearestNeighbors == nil
            && decoded.symbolicAgainstRedrawMean == nil && decoded.functions == 2)
    }

    /// The ceilings travel in the JSON report (they were left out of it before).
    @Test func theCeilingsAreInTheJSONReport() throws {
        let decoded = try JSONDecoder().decode(ModelReport.self, from: JSONEncoder().encode(twoFunctionReport()))
        #expect(decoded.formulaOnly == ["yavg": 0.62] && decoded.formulaOnlyNearestNeighbors == ["yavg": 0.58])
        #expect(decoded.symbolicAgainstRedrawMean == ["yavg": 0.71])
    }

    /// The k-NN probe's predictions are the ones its R² scores.
    @Test func nearestNeighbourPredictionsAreWhatTheR2Scores() {
        let features = (0..<30).map { i in [cos(Double(i)), sin(Double(i)), Double(i % 3)] }
        let targets = (0..<30).map { Double(($0 * 7) % 11) }
        let predictions = PropertyProbe.nearestNeighborPredictions(features, targets, k: 4, folds: 3)
        #expect(predictions.count == 30)
        #expect(PropertyProbe.r2(targets, predictions) == PropertyProbe.nearestNeighborR2(features, targets, k: 4, folds: 3))
        // row 0's neighbours come from the other folds only, so it is not its own prediction
        #expect(predictions != targets)
    }

    /// The neighbours are found once for any number of targets: each row's are the k most
    /// cosine-similar rows of the other folds, most similar first, and their mean target is the
    /// prediction, for every target alike.
    @Test func neighboursAreFoundOnceForEveryTarget() {
        let features = (0..<30).map { i in [cos(Double(i)), sin(Double(i)), Double(i % 3)] }
        let neighbors = PropertyProbe.Neighbors(features, k: 4, folds: 3)
        #expect(neighbors.rows.count == 30)
        let units = features.map { v in v.map { $0 / v.reduce(0) { $0 + $1 * $1 }.squareRoot() } }
        for (i, row) in neighbors.rows.enumerated() {
            let cosines = row.map { j in zip(units[i], units[j]).reduce(0) { $0 + $1.0 * $1.1 } }
            #expect(row.count == 4 && row.allSatisfy { $0 % 3 != i % 3 }, "\(i): \(row)")
            #expect(cosines == cosines.sorted(by: >), "\(i): \(cosines)")
            // no row of another fold outside the four is closer than the fourth
            let outside = (0..<30).filter { $0 % 3 != i % 3 && !row.contains($0) }
            #expect(outside.allSatisfy { j in zip(units[i], units[j]).reduce(0) { $0 + $1.0 * $1.1 } <= cosines[3] + 1e-12 })
        }
        for targets in [(0..<30).map { Double(($0 * 7) % 11) }, (0..<30).map { sin(Double($0)) }] {
            #expect(neighbors.predictions(targets) == PropertyProbe.nearestNeighborPredictions(features, targets, k: 4, folds: 3))
            #expect(neighbors.r2(targets) == PropertyProbe.nearestNeighborR2(features, targets, k: 4, folds: 3))
            #expect(neighbors.predictions(targets)[0] == neighbors.rows[0].map { targets[$0] }.reduce(0, +) / 4)
        }
        #expect(neighbors.serve(count: 30, k: 4, folds: 3))
        #expect(!neighbors.serve(count: 30, k: 4, folds: 5) && !neighbors.serve(count: 30, k: 10, folds: 3))
        #expect(!neighbors.serve(count: 29, k: 4, folds: 3))
    }

    /// Neighbours by closeness of one number: rows that share a value predict each other
    /// exactly; the k-NN loop's fold rule and tie order are those of the cosine probe.
    @Test func nearestNeighboursByValue() {
        // pairs (0, 1), (2, 3), … share a value and sit in different folds (i mod 2)
        let values = (0..<20).map { Double($0 / 2) }
        let targets = values.map { 3 * $0 + 1 }
        #expect(Swift.abs(PropertyProbe.nearestNeighborR2(values: values, targets, k: 1, folds: 2) - 1) < 1e-12)
        // k = 3: row 0 (value 0) takes rows 1, 3, 5 of the other fold (values 0, 1, 2), so it is
        // predicted 3·1 + 1 = 4 against a truth of 1; worked by hand for all rows below
        var predictions: [Double] = []
        for i in 0..<20 {
            let others = (0..<20).filter { $0 % 2 != i % 2 }
                .sorted { (Swift.abs(values[$0] - values[i]), $0) < (Swift.abs(values[$1] - values[i]), $1) }
            predictions.append(others.prefix(3).map { targets[$0] }.reduce(0, +) / 3)
        }
        #expect(predictions[0] == 4)
        let expected = PropertyProbe.r2(targets, predictions)
        #expect(Swift.abs(PropertyProbe.nearestNeighborR2(values: values, targets, k: 3, folds: 2) - expected) < 1e-12)
        #expect(expected < 1 && expected > 0.9)
    }
}
