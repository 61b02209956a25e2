import Foundation
import SnipMath
import SnipModel
import SnipTensor
import Testing

/// Redraws (a formula on fresh inputs) and the generated batches that hold them.
@Suite struct RedrawnFunctionTests {
    static let config = ModelConfig(maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    static func generator(normalizeY: Bool = true) -> ExpressionGenerator {
        var configuration = GeneratorConfiguration(maxInputDimension: 1)
        configuration.normalizeY = normalizeY
        return ExpressionGenerator(configuration: configuration)
    }

    /// A redraw keeps the formula and its tokens, draws new standardised inputs, and its
    /// outputs are the formula's there, scaled; the same random state gives the same redraw.
    @Test func aRedrawIsTheSameFormulaOnFreshStandardisedInputs() throws {
        let generator = Self.generator()
        var random = SeededGenerator(seed: 3)
        let base = generator.generate(using: &random).sample
        for seed in 0..<10 as Range<UInt64> {
            var a = SeededGenerator(seed: seed)
            var b = SeededGenerator(seed: seed)
            let redraw = try #require(RedrawnFunction.redraw(of: base, generator: generator, using: &a))
            #expect(RedrawnFunction.redraw(of: base, generator: generator, using: &b) == redraw)
            #expect(redraw.tree == base.tree)
            #expect(redraw.skeletonTokens == base.skeletonTokens)
            #expect(redraw.x.count == generator.configuration.pointCount)
            #expect(redraw.x != base.x)
            let column = redraw.x.map { $0[0] }
            let mean = column.reduce(0, +) / Double(column.count)
            let variance = column.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(column.count)
            #expect(abs(mean) < 1e-9)
            #expect(abs(variance - 1) < 1e-6)
            let raw = try redraw.tree.evaluate(columns: [column])
            #expect(redraw.y == Sample.minMaxScaled(raw))
            #expect(redraw.y.min() == 0)
        }
        // raw outputs for models that read them
        var c = SeededGenerator(seed: 1)
        let raw = try #require(RedrawnFunction.redraw(of: base, generator: Self.generator(normalizeY: false), using: &c))
        #expect(raw.y == (try raw.tree.evaluate(columns: [raw.x.map { $0[0] }])))
    }

    /// A formula that is constant everywhere has no usable redraw.
    @Test func aConstantFormulaHasNoRedraw() throws {
        let tree = try Expression(prefix: "mul,0.0,sin,x_0")
        let sample = Sample(
            tree: tree, x: [[0], [1]], y: [0, 0],
            info: SampleInfo(
                inputPointCount: 2, unaryOperatorCount: 1, binaryOperatorCount: 1, inputDimension: 1,
                outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: try tree.skeleton.encodedTokens())
        var random = SeededGenerator(seed: 2)
        #expect(RedrawnFunction.redraw(of: sample, generator: Self.generator(), using: &random) == nil)
    }

    /// With redraws, the even examples are the functions drawn without them, an odd example is
    /// drawn as before or is its curved partner on other inputs, and the look-alike table
    /// marks the formula of either as matching both point sets; with siblings beside them both
    /// kinds occur. Batches replay, and a slice gives the same functions as the whole.
    @Test func redrawBatchesPairViewsThatTheLookAlikeTableMatches() throws {
        var spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, straightLineKeep: 0.2)
        let plainData = try #require(try spec.trainingData(config: Self.config, seed: 9) as? GeneratedTrainingData)
        spec.redrawRate = 1
        let data = try #require(try spec.trainingData(config: Self.config, seed: 9) as? GeneratedTrainingData)
        let plain = plainData.samples(forStep: 4, count: 64)
        let mixed = data.samples(forStep: 4, count: 64)
        #expect(mixed == data.samples(forStep: 4, count: 64))
        #expect(Array(mixed[11..<20]) == data.samples(forStep: 4, indices: 11..<20))
        let table = LookAlikes(samples: mixed)
        var redraws = 0
        for i in stride(from: 0, to: 64, by: 2) {
            #expect(mixed[i] == plain[i])
            let odd = mixed[i + 1]
            if odd == plain[i + 1] { continue }
            redraws += 1
            #expect(odd.tree == plain[i].tree)
            #expect(odd.x != plain[i].x)
            #expect(!plain[i].isStraightLine())
            #expect(table[formula: i, points: i + 1] && table[formula: i + 1, points: i])
        }
        #expect(redraws >= 16)

        spec.siblingRate = 0.5
        spec.redrawRate = 0.5
        let both = try #require(try spec.trainingData(config: Self.config, seed: 9) as? GeneratedTrainingData)
        let pairs = both.samples(forStep: 4, count: 64)
        var kinds = (siblings: 0, redraws: 0)
        for i in stride(from: 0, to: 64, by: 2) where pairs[i + 1] != plain[i + 1] {
            if pairs[i + 1].tree == plain[i].tree { kinds.redraws += 1 } else if pairs[i + 1].x == plain[i].x { kinds.siblings += 1 }
        }
        #expect(kinds.siblings >= 4 && kinds.redraws >= 4)
    }

    /// The rate is recorded in run.json and older runs have none; rates that do not fit beside
    /// the sibling rate are refused.
    @Test func theRedrawRateIsRecordedAndOlderRunsHaveNone() throws {
        let old = Data(#"{"files":[],"maxInputDimension":1,"normalizeY":true,"skeleton":false,"siblingRate":0.5}"#.utf8)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: old).redrawRate == 0)
        let spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, siblingRate: 0.5, redrawRate: 0.25)
        #expect(try JSONDecoder().decode(PretrainingDataSpec.self, from: JSONEncoder().encode(spec)) == spec)
        #expect(
            spec.description
                == "generated: max input dimension 1, normalized y, siblings with probability 0.5, redraws with probability 0.25")
        for bad in [#""siblingRate":0.5,"redrawRate":0.6"#, #""redrawRate":-0.1"#] {
            let text = Data(("{\"files\":[],\"maxInputDimension\":1,\"normalizeY\":true,\"skeleton\":false," + bad + "}").utf8)
            #expect(throws: DecodingError.self) { try JSONDecoder().decode(PretrainingDataSpec.self, from: text) }
        }
    }
}
