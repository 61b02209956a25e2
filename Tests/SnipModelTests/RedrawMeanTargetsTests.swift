import Foundation
import SnipMath
import SnipModel
import SnipNN
import SnipTensor
import TestSupport
import Testing

/// The formula-only property targets of pre-training (`--property-redraws N`): each formula's
/// properties averaged over fresh draws of its inputs, learnt by the symbolic embedding while
/// the numeric one keeps its own points'.
@Suite struct RedrawMeanTargetsTests {
    static let config = TinyTraining.config

    static func generator() -> ExpressionGenerator {
        var configuration = GeneratorConfiguration(maxInputDimension: 1)
        configuration.normalizeY = true
        return ExpressionGenerator(configuration: configuration)
    }

    /// The redraw mean of a formula is the mean of its draws' own targets: upward, yavg and
    /// oscil (ncr draws its triples per draw) of the inputs the generator draws from the seed's
    /// stream; a seed fixes them and another seed moves them.
    @Test func theRedrawMeanIsTheMeanOverTheDraws() throws {
        let curve = try PropertyTargetsTests.sample("sin,mul,2.0,x_0")
        let generator = Self.generator()
        let t = PropertyTargets.redrawMeanTargets(of: curve, generator: generator, draws: 8, seed: 5)
        var source = SwiftRandomSource(SeededGenerator(seed: 5))
        var sums = [Double](repeating: 0, count: 4)
        for _ in 0..<8 {
            let drawn = try #require(generator.samplePoints(for: curve.tree, attempts: 1, source: &source))
            let own = PropertyTargets.targets(
                of: Sample(tree: curve.tree, x: drawn.x, y: drawn.y, info: drawn.info, skeletonTokens: []), seed: 0)
            for k in 0..<4 { sums[k] += Double(own[k]) / 8 }
        }
        #expect(t.count == 4)
        for k in 1..<4 { #expect(abs(Double(t[k]) - sums[k]) < 1e-4, "property \(k): \(t) against \(sums)") }
        // and not the sample's own points' targets
        #expect(t != PropertyTargets.targets(of: curve, seed: 5))
        #expect(PropertyTargets.redrawMeanTargets(of: curve, generator: generator, draws: 8, seed: 5) == t)
        #expect(PropertyTargets.redrawMeanTargets(of: curve, generator: generator, draws: 8, seed: 6) != t)
    }

    /// For a formula whose mean scaled y depends on where its inputs fall (a pole), the redraw
    /// mean over 16 draws scatters far less from seed to seed than one draw's value does: it
    /// estimates what the formula alone fixes.
    @Test func theRedrawMeanIsSteadierThanOneDraw() throws {
        let pole = try PropertyTargetsTests.sample("inv,add,x_0,0.3")
        let generator = Self.generator()
        func spread(_ values: [Float]) -> Double {
            let mean = values.reduce(0, +) / Float(values.count)
            return Double(values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
        }
        let seeds: [UInt64] = Array(1...12)
        let one = seeds.map { PropertyTargets.redrawMeanTargets(of: pole, generator: generator, draws: 1, seed: $0)[2] }
        let many = seeds.map { PropertyTargets.redrawMeanTargets(of: pole, generator: generator, draws: 16, seed: $0)[2] }
        #expect(spread(one) > 0.05, "one draw's yavg hardly moves: \(one)")
        #expect(spread(many) < spread(one) / 2, "\(spread(many)) against \(spread(one))")
    }

    /// A formula no draw can evaluate keeps its own points' targets; no draws at all likewise.
    @Test func aFormulaWithoutUsableDrawsKeepsItsOwnTargets() throws {
        let own = try PropertyTargetsTests.sample("mul,2.0,x_0")
        let never = Sample(
            tree: try Expression(prefix: "log,mul,-1.0,exp,x_0"), x: own.x, y: own.y, info: own.info, skeletonTokens: [])
        let expected = PropertyTargets.targets(of: never, seed: 3)
        #expect(PropertyTargets.redrawMeanTargets(of: never, generator: Self.generator(), draws: 4, seed: 3) == expected)
        #expect(PropertyTargets.redrawMeanTargets(of: own, generator: Self.generator(), draws: 0, seed: 3)
            == PropertyTargets.targets(of: own, seed: 3))
    }

    /// Generated batches carry the symbolic targets beside the points' when the source draws
    /// them, the same for a slice as for the whole batch, and none otherwise.
    @Test func batchesCarryTheFormulaTargetsWhenAsked() throws {
        var spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, straightLineKeep: 0.2)
        let plain = try spec.trainingData(config: Self.config, seed: 4, propertyTargets: true)
        #expect(try plain.batch(forStep: 2, count: 8, lookAlikes: false).symbolicProperties == nil)
        spec.propertyRedraws = 4
        let data = try spec.trainingData(config: Self.config, seed: 4, propertyTargets: true)
        for lookAlikes in [false, true] {
            let whole = try data.batch(forStep: 2, count: 8, lookAlikes: lookAlikes)
            let symbolic = try #require(whole.symbolicProperties)
            let own = try #require(whole.properties)
            #expect(symbolic.count == 32)
            // the points' targets are those of a run without redraws; the formula's differ
            #expect(own == (try plain.batch(forStep: 2, count: 8, lookAlikes: lookAlikes).properties))
            #expect(symbolic != own)
            let slice = try data.batch(forStep: 2, count: 8, slice: 3..<6, lookAlikes: lookAlikes)
            #expect(slice.symbolicProperties == Array(symbolic[12..<24]))
        }
        // without property targets there are none of either kind
        #expect(try spec.trainingData(config: Self.config, seed: 4).batch(forStep: 2, count: 8, lookAlikes: false)
            .symbolicProperties == nil)
    }

    /// The loss scores the symbolic rows against the symbolic targets and the numeric rows
    /// against the points'.
    @Test func theLossScoresEachSideAgainstItsOwnTargets() throws {
        var random = SeededGenerator(seed: 3)
        let head = PropertyHead(latent: 3, hidden: 5, outputs: 4, using: &random)
        let symbolic = Tensor((0..<12).map { Float($0 % 5) - 1.5 }, shape: [4, 3])
        let numeric = Tensor((0..<12).map { Float($0 % 7) * 0.3 - 1 }, shape: [4, 3])
        let targets: [Float] = (0..<16).map { Float($0) / 8 - 1 }
        let formulaTargets: [Float] = (0..<16).map { 0.5 - Float($0 % 3) }
        let loss = PropertyTargets.loss(
            head: head, symbolic: symbolic, numeric: numeric, targets: targets, symbolicTargets: formulaTargets,
            globalBatch: 4)
        var squares = 0.0
        for (z, truth) in [(symbolic, formulaTargets), (numeric, targets)] {
            for (p, t) in zip(head(unitRows(z)).scalars, truth) { squares += Double(p - t) * Double(p - t) }
        }
        #expect(abs(Double(loss.item) - squares / 32) < 1e-5)
        let same = PropertyTargets.loss(head: head, symbolic: symbolic, numeric: numeric, targets: targets, globalBatch: 4)
        #expect(abs(Double(same.item) - Double(loss.item)) > 1e-3)
    }

    /// The setting is recorded in run.json, older runs read as 0, and bad values do not load.
    @Test func theSettingIsRecordedAndChecked() throws {
        let old = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false}"#.utf8)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: old).propertyRedraws == 0)
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, propertyRedraws: 8)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: JSONEncoder().encode(spec)) == spec)
        #expect(spec.description.hasSuffix(", formula property targets over 8 redraws"), "\(spec.description)")
        for bad in ["-1", "65"] {
            let text = Data((#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false,"propertyRedraws":"#
                + bad + "}").utf8)
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(PretrainingDataSpec.self, from: text) }
        }
    }
}
