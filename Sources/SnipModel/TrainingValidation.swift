import Dispatch
import Foundation
import SnipMath

/// Held-out functions a pre-training run measures its model on every few steps, so that the
/// run keeps its best weights rather than only its last.
///
/// The look-alike-aware top-1 rate swings by up to 0.2 between checkpoints a few hundred steps
/// apart while top-10 rises steadily (docs/MODELS.md), so the last checkpoint is often not the
/// best one. Each measurement embeds the functions (the model's contract applied), ranks both
/// ways as the model report does, and reads the k-NN probes off z_f; the selection score is
/// the mean of the two look-alike top-1 rates. Use functions the run never trains on and that
/// are not the final test set (e.g. `snip generate --seed 1000003`).
public struct TrainingValidation: Sendable {
    /// The held-out functions.
    public let samples: [Sample]
    /// Which of their formulas look like which point sets (computed once).
    public let lookAlikes: LookAlikes
    /// Which of them are not straight lines (``StraightLineFit``).
    public let curved: [Bool]

    /// Evaluates every formula on every point set once (the costly part; a measurement then
    /// only embeds and ranks).
    public init(samples: [Sample], tolerance: Double = 0.01) throws(ModelError) {
        guard samples.count >= 20 else {
            throw ModelError("validation needs at least 20 functions, got \(samples.count)")
        }
        self.samples = samples
        lookAlikes = LookAlikes(samples: samples, tolerance: tolerance)
        curved = samples.map { !$0.isStraightLine(tolerance: tolerance) }
    }

    /// Measures `model` (at training step `step`).
    public func measure(_ model: SNIPModel, step: Int) throws -> ValidationMetrics {
        let started = DispatchTime.now().uptimeNanoseconds
        guard let both = try model.embed(samples), let symbolic = both.symbolic, let numeric = both.numeric else {
            throw ModelError("validation: the model embedded no functions")
        }
        let report = ModelReport(
            scores: model.scores(symbolic: symbolic, numeric: numeric).scalars, lookAlikes: lookAlikes,
            embeddings: Embeddings(samples: samples, symbolic: symbolic, numeric: numeric), contract: model.contract,
            curved: curved)
        var probes: [String: Double] = [:]
        for probe in report.probes where probe.embedding == "z_f" { probes[probe.property] = probe.nearestNeighbor }
        return ValidationMetrics(
            step: step,
            pointsToFormulaTop1: report.pointsToFormula.top1.lookAlike,
            formulaToPointsTop1: report.formulaToPoints.top1.lookAlike,
            pointsToFormulaTop10: report.pointsToFormula.top10.lookAlike,
            formulaToPointsTop10: report.formulaToPoints.top10.lookAlike,
            pointsToFormulaLargestHub: report.pointsToFormula.largestHub ?? 0,
            formulaToPointsLargestHub: report.formulaToPoints.largestHub ?? 0,
            symbolicProbes: probes,
            seconds: Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9,
            curvedPointsToFormulaTop1: report.curvedPointsToFormula?.top1.lookAlike,
            curvedFormulaToPointsTop1: report.curvedFormulaToPoints?.top1.lookAlike)
    }
}

/// One measurement of ``TrainingValidation``: a line of a run's `validation.jsonl`.
public struct ValidationMetrics: Codable, Sendable, Equatable {
    public var step: Int
    /// Look-alike-aware top-1, points → formula.
    public var pointsToFormulaTop1: Double
    /// Look-alike-aware top-1, formula → points.
    public var formulaToPointsTop1: Double
    public var pointsToFormulaTop10: Double
    public var formulaToPointsTop10: Double
    /// Share of point queries whose first answer is the commonest first answer
    /// (``ModelReport/Direction/largestHub``).
    public var pointsToFormulaLargestHub: Double
    /// The same for formula queries.
    public var formulaToPointsLargestHub: Double
    /// k-NN (k = 10, cosine) cross-validated R² of each property read off z_f (1-D functions).
    public var symbolicProbes: [String: Double]
    /// Seconds the measurement took.
    public var seconds: Double
    /// Look-alike top-1 points → formula over the functions that are not straight lines (nil
    /// when none are, and in lines written before it was measured).
    public var curvedPointsToFormulaTop1: Double?
    /// The same, formula → points.
    public var curvedFormulaToPointsTop1: Double?

    public init(
        step: Int, pointsToFormulaTop1: Double, formulaToPointsTop1: Double, pointsToFormulaTop10: Double,
        formulaToPointsTop10: Double, pointsToFormulaLargestHub: Double, formulaToPointsLargestHub: Double,
        symbolicProbes: [String: Double], seconds: Double,
        curvedPointsToFormulaTop1: Double? = nil, curvedFormulaToPointsTop1: Double? = nil
    ) {
        self.step = step
        self.pointsToFormulaTop1 = pointsToFormulaTop1
        self.formulaToPointsTop1 = formulaToPointsTop1
        self.pointsToFormulaTop10 = pointsToFormulaTop10
        self.formulaToPointsTop10 = formulaToPointsTop10
        self.pointsToFormulaLargestHub = pointsToFormulaLargestHub
        self.formulaToPointsLargestHub = formulaToPointsLargestHub
        self.symbolicProbes = symbolicProbes
        self.seconds = seconds
        self.curvedPointsToFormulaTop1 = curvedPointsToFormulaTop1
        self.curvedFormulaToPointsTop1 = curvedFormulaToPointsTop1
    }

    private enum CodingKeys: String, CodingKey {
        case step, pointsToFormulaTop1, formulaToPointsTop1, pointsToFormulaTop10, formulaToPointsTop10
        case pointsToFormulaLargestHub, formulaToPointsLargestHub, symbolicProbes, seconds
        case curvedPointsToFormulaTop1, curvedFormulaToPointsTop1
    }

    /// Reads a measurement; ones written before the hub shares were measured get 0 for them
    /// (and nil for the curved-only rates).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        step = try c.decode(Int.self, forKey: .step)
        pointsToFormulaTop1 = try c.decode(Double.self, forKey: .pointsToFormulaTop1)
        formulaToPointsTop1 = try c.decode(Double.self, forKey: .formulaToPointsTop1)
        pointsToFormulaTop10 = try c.decode(Double.self, forKey: .pointsToFormulaTop10)
        formulaToPointsTop10 = try c.decode(Double.self, forKey: .formulaToPointsTop10)
        pointsToFormulaLargestHub = try c.decodeIfPresent(Double.self, forKey: .pointsToFormulaLargestHub) ?? 0
        formulaToPointsLargestHub = try c.decodeIfPresent(Double.self, forKey: .formulaToPointsLargestHub) ?? 0
        symbolicProbes = try c.decode([String: Double].self, forKey: .symbolicProbes)
        seconds = try c.decode(Double.self, forKey: .seconds)
        curvedPointsToFormulaTop1 = try c.decodeIfPresent(Double.self, forKey: .curvedPointsToFormulaTop1)
        curvedFormulaToPointsTop1 = try c.decodeIfPresent(Double.self, forKey: .curvedFormulaToPointsTop1)
    }

    /// The mean of the two look-alike top-1 rates (what runs maximise by default).
    public var score: Double { score(by: .top1) }

    /// The selection score under `rule`.
    public func score(by rule: ValidationRule) -> Double {
        switch rule {
        case .top1: (pointsToFormulaTop1 + formulaToPointsTop1) / 2
        case .retrieval: (pointsToFormulaTop1 + formulaToPointsTop1 + pointsToFormulaTop10 + formulaToPointsTop10) / 4
        }
    }

    /// One line for a terminal.
    public var summary: String {
        let probes = FunctionProperty.allCases.compactMap { p in symbolicProbes[p.rawValue].map { String(format: "%.2f", $0) } }
        return String(
            format: "step %d: look-alike top-1 points→formula %.3f, formula→points %.3f (top-10 %.3f / %.3f; largest hubs %.2f / %.2f)%@",
            step, pointsToFormulaTop1, formulaToPointsTop1, pointsToFormulaTop10, formulaToPointsTop10,
            pointsToFormulaLargestHub, formulaToPointsLargestHub,
            (curvedPointsToFormulaTop1.flatMap { p2f in curvedFormulaToPointsTop1.map { String(format: "; curved only %.3f / %.3f", p2f, $0) } } ?? "")
                + (probes.isEmpty ? "" : "; k-NN R² from z_f " + probes.joined(separator: " / ")))
    }
}

/// Which validation figure a run keeps its best weights by.
public enum ValidationRule: String, Codable, CaseIterable, Sendable {
    /// The mean of the two look-alike top-1 rates (the default).
    case top1
    /// The mean of the look-alike top-1 and top-10 rates both ways: steadier, since top-1 on
    /// 1,000 functions jumps by up to 0.2 between checkpoints while top-10 moves little.
    case retrieval
}
