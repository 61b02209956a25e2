import Foundation
import SnipMath
import SnipModel
import SnipTensor
import Testing

/// Siblings (a formula with its constants moved, at the same inputs) and the generated batches
/// that hold them.
@Suite struct SiblingFunctionTests {
    static let config = ModelConfig(maxInputDimension: 1, width: 16, layers: 1, heads: 2, latent: 8, pointTokenWidth: 4)

    static func sample(_ prefix: String) throws -> Sample {
        let tree = try Expression(prefix: prefix)
        let x = (0..<50).map { [-2 + 4 * Double($0) / 49] }
        let y = try tree.evaluate(columns: [x.map { $0[0] }])
        return Sample(
            tree: tree, x: x, y: Sample.minMaxScaled(y),
            info: SampleInfo(
                inputPointCount: 50, unaryOperatorCount: 1, binaryOperatorCount: 2, inputDimension: 1,
                outputDimension: 1, inputDistributionType: 0, centroidCount: 1),
            skeletonTokens: try tree.skeleton.encodedTokens())
    }

    @Test func aSiblingMovesEveryConstantByAtMostThirtyPercentAndKeepsTheInputs() throws {
        let base = try Self.sample("add,mul,2.5,sin,mul,1.5,x_0,0.75")
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<20 {
            let sibling = try #require(SiblingFunction.sibling(of: base, scalesY: true, using: &generator))
            #expect(sibling.x == base.x)
            #expect(sibling.skeletonTokens == base.skeletonTokens)
            #expect(sibling.tree.skeleton == base.tree.skeleton)
            let old = base.tree.skeletonAndConstants.constants
            let new = sibling.tree.skeletonAndConstants.constants
            #expect(new.count == 3)
            for (a, b) in zip(old, new) {
                #expect(abs(b / a - 1) <= SiblingFunction.spread + 1e-3)
                // four significant digits, as the constants' float tokens carry
                #expect(String(format: "%.3e", b) == String(format: "%.3e", Double(String(format: "%.3e", b))!))
                #expect(abs(b - Double(String(format: "%.3e", b))!) <= 1e-12 * abs(b))
            }
            // the points are the moved formula's, scaled like the base's
            let raw = try sibling.tree.evaluate(columns: [base.x.map { $0[0] }])
            #expect(sibling.y == Sample.minMaxScaled(raw))
            #expect(sibling.y != base.y)
        }
    }

    @Test func formulasWithoutConstantsOrWithFlatSiblingsHaveNone() throws {
        var generator = SeededGenerator(seed: 1)
        #expect(SiblingFunction.sibling(of: try Self.sample("sin,x_0"), scalesY: true, using: &generator) == nil)
        // 0.0 moved is still 0.0: every output 0, nothing to scale
        let flat = try Self.sample("mul,0.0,sin,x_0")
        #expect(SiblingFunction.sibling(of: flat, scalesY: true, using: &generator) == nil)
        // raw y (not scaled) for models that read raw outputs
        let raw = try #require(
            SiblingFunction.sibling(of: try Self.sample("mul,3.0,sin,x_0"), scalesY: false, using: &generator))
        let three = raw.tree.skeletonAndConstants.constants[0]
        #expect(abs(raw.y[49] - three * sin(2.0)) < 1e-9)
    }

    /// With siblings, the even examples are the functions drawn without them, and an odd
    /// example is either drawn as before or its partner's sibling; the same step gives the same
    /// batch, and a slice of it the same functions as the whole.
    @Test func siblingBatchesKeepTheirPartnersAndReplay() throws {
        var spec = PretrainingDataSpec(maxInputDimension: 1, normalizeY: true, skeleton: false, straightLineKeep: 0.2)
        let plainData = try #require(try spec.trainingData(config: Self.config, seed: 9) as? GeneratedTrainingData)
        spec.siblingRate = 1
        let data = try #require(try spec.trainingData(config: Self.config, seed: 9) as? GeneratedTrainingData)
        let plain = plainData.samples(forStep: 4, count: 64)
        let mixed = data.samples(forStep: 4, count: 64)
        #expect(mixed == data.samples(forStep: 4, count: 64))
        #expect(Array(mixed[10..<20]) == data.samples(forStep: 4, indices: 10..<20))
        // a slice that starts at an odd example draws its partner again, to the same result
        #expect(Array(mixed[11..<20]) == data.samples(forStep: 4, indices: 11..<20))
        var siblings = 0
        for i in stride(from: 0, to: 64, by: 2) {
            #expect(mixed[i] == plain[i])
            let odd = mixed[i + 1]
            if odd == plain[i + 1] { continue }
            siblings += 1
            #expect(odd.x == plain[i].x)
            #expect(odd.tree.skeleton == plain[i].tree.skeleton)
            #expect(!plain[i].isStraightLine())
        }
        // most partners are curved and have a constant (straight lines are thinned to 0.2)
        #expect(siblings >= 16)
        // no sibling rate: the batches are those of runs made before siblings existed
        #expect(plainData.siblingRate == 0)
    }
}
