import Foundation
import SnipMath
import TestSupport
import Testing

/// The random generator: invariants of every accepted sample, and its statistics against the
/// reference's accepted records in `expressions.json` (the random streams differ, so only
/// distributions can be compared).
@Suite struct ExpressionGeneratorTests {
    static let golden = try! Golden.load("expressions.json", from: .module).json

    static func generate(_ count: Int, dimension: Int, seed: UInt64) -> [GeneratedSample] {
        var rng = SplitMix(state: seed)
        let generator = ExpressionGenerator(
            configuration: GeneratorConfiguration(maxInputDimension: dimension))
        return (0..<count).map { _ in generator.generate(using: &rng) }
    }

    static func mean(_ values: [Double]) -> Double { values.reduce(0, +) / Double(values.count) }

    /// On numpy's legacy stream the generator replays the reference: every dimension-1 record
    /// of `expressions.json` (made with `env.rng = np.random.RandomState(seed)`) is reproduced
    /// with its rejected attempts, info, encodings and points.
    @Test func everyDimensionOneRecordIsReproduced() throws {
        let generator = ExpressionGenerator()
        var matched = 0
        var pointsMatched = 0
        for r in Self.golden["dim1"]!.array {
            let result = generator.generate(numpySeed: UInt32(r["seed"]!.int))
            let s = result.sample
            let infos = r["infos"]!
            let info = [
                "n_input_points", "n_unary_ops", "n_binary_ops", "d_in", "d_out",
                "input_distribution_type", "n_centroids",
            ].map { infos[$0]!.array[0].int }
            let expectedInfo = [
                s.info.inputPointCount, s.info.unaryOperatorCount, s.info.binaryOperatorCount,
                s.info.inputDimension, s.info.outputDimension, s.info.inputDistributionType,
                s.info.centroidCount,
            ]
            let tokens = try s.tree.encodedTokens()
            let same =
                result.attempts == r["attempts"]!.strings && s.tree.prefix == r["prefix"]!.string
                && info == expectedInfo && tokens == r["tree_encoded"]!.strings
                && s.skeletonTokens == r["skeleton_tree_encoded"]!.strings
            #expect(same, "seed \(r["seed"]!.int): \(result.attempts) \(s.tree.prefix)")
            if same { matched += 1 }
            if let x = r["x_to_fit"] {
                // Inputs are bit-identical; outputs go through numpy's kernels (1e-14 relative).
                #expect(s.x == x.matrix)
                let message = mismatch(s.y, r["y_to_fit"]!.doubles, relative: 1e-14)
                #expect(message == nil, "seed \(r["seed"]!.int): \(message ?? "")")
                if s.x == x.matrix && message == nil { pointsMatched += 1 }
            }
        }
        #expect(matched == 200)
        #expect(pointsMatched == 20)
    }

    @Test func sameSeedSameSamples() {
        #expect(Self.generate(5, dimension: 3, seed: 7) == Self.generate(5, dimension: 3, seed: 7))
        #expect(Self.generate(5, dimension: 3, seed: 7) != Self.generate(5, dimension: 3, seed: 8))
    }

    @Test(arguments: [1, 3])
    func acceptedSamplesAreValid(dimension: Int) throws {
        for g in Self.generate(150, dimension: dimension, seed: UInt64(100 + dimension)) {
            let s = g.sample
            #expect(try Expression(prefix: s.tree.prefix) == s.tree)
            #expect(s.tree.inputDimension == s.info.inputDimension)
            #expect((1...dimension).contains(s.info.inputDimension))
            #expect(s.x.count == 200 && s.y.count == 200 && s.info.inputPointCount == 200)
            #expect(s.x.allSatisfy { $0.count == s.info.inputDimension })
            #expect(s.y.allSatisfy { $0.isFinite && abs($0) < 1e103 })
            // y is the tree on x, evaluated under the raise regime.
            #expect(try s.tree.evaluateRaising(rows: s.x) == .values(s.y, caught: []))
            #expect(s.info.unaryOperatorCount == s.tree.unaryOperatorCount)
            #expect(s.info.unaryOperatorCount <= g.drawnUnaryOperators)
            #expect(s.info.binaryOperatorCount == s.tree.binaryOperatorCount)
            #expect(try s.skeletonTokens == s.tree.skeleton.encodedTokens())
            #expect((1...9).contains(s.info.centroidCount))
            if dimension == 1 {
                // The reference's counting-table quirk: 4 binary operators never succeed.
                #expect((0...3).contains(g.drawnBinaryOperators))
            }
            // Standardised inputs.
            for k in 0..<s.info.inputDimension {
                let column = s.x.map { $0[k] }
                let m = Self.mean(column)
                #expect(abs(m) < 1e-12)
                #expect(abs(Self.mean(column.map { ($0 - m) * ($0 - m) }) - 1) < 1e-12)
            }
            // Prefactors are ±(1…999)·10^e with e in {−3, −2, −1}.
            for token in s.tree.prefixTokens where Leaf(token: token)?.isFloatLiteral == true {
                let v = abs(Double(token)!)
                let scaled = [1e3, 1e2, 1e1].map { v * $0 }
                #expect(scaled.contains { abs($0 - $0.rounded()) < 1e-9 && $0 >= 1 && $0 <= 999 })
            }
        }
    }

    @Test func withoutTheQuirkFourBinaryOperatorsOccur() {
        var configuration = GeneratorConfiguration()
        configuration.referenceCountingTable = false
        var rng = SplitMix(state: 3)
        let samples = (0..<200).map { _ in
            ExpressionGenerator(configuration: configuration).generate(using: &rng)
        }
        #expect(samples.contains { $0.drawnBinaryOperators == 4 })
        #expect(samples.allSatisfy { !$0.rejections.contains(.countingTableTooSmall) })
    }

    /// The Swift-stream generator against the numpy-stream one (which replays the reference):
    /// 1500 samples each; tolerances are about four standard errors of the difference.
    @Test(arguments: [1, 3])
    func swiftStreamHasTheReferenceDistribution(dimension: Int) {
        let generator = ExpressionGenerator(
            configuration: GeneratorConfiguration(maxInputDimension: dimension))
        let count = 1500
        let reference = (0..<count).map { generator.generate(numpySeed: UInt32(60_000 + $0)) }
        var rng = SplitMix(state: UInt64(dimension))
        let ours = (0..<count).map { _ in generator.generate(using: &rng) }
        let measures: [(String, (GeneratedSample) -> Double, Double)] = [
            ("binary ops", { Double($0.sample.info.binaryOperatorCount) }, 0.35),
            ("unary ops", { Double($0.sample.info.unaryOperatorCount) }, 0.18),
            ("nodes", { Double($0.sample.tree.nodeCount) }, 1.2),
            ("input dimension", { Double($0.sample.info.inputDimension) }, 0.15),
            ("gaussian inputs", { Double(1 - $0.sample.info.inputDistributionType) }, 0.08),
            ("centroids", { Double($0.sample.info.centroidCount) }, 0.45),
            ("rejections", { Double($0.rejections.count) }, 0.25),
        ]
        for (name, measure, tolerance) in measures {
            let a = Self.mean(reference.map(measure))
            let b = Self.mean(ours.map(measure))
            #expect(abs(a - b) <= tolerance, "dim \(dimension) \(name): numpy \(a), swift \(b)")
        }
    }

    /// Means over accepted samples against the reference's 200 (dim 1) and 100 (dim 3)
    /// records; tolerances are about four standard errors.
    @Test(arguments: [("dim1", 1), ("dim3", 3)])
    func statisticsMatchTheReference(set: String, dimension: Int) {
        let reference = Self.golden[set]!.array
        let ours = Self.generate(400, dimension: dimension, seed: 42)
        func info(_ r: JSONValue, _ key: String) -> Double { r["infos"]![key]!.array[0].double }
        let pairs: [(String, Double, Double, Double)] = [
            (
                "binary ops", Self.mean(reference.map { info($0, "n_binary_ops") }),
                Self.mean(ours.map { Double($0.sample.info.binaryOperatorCount) }), 0.8
            ),
            (
                "unary ops", Self.mean(reference.map { info($0, "n_unary_ops") }),
                Self.mean(ours.map { Double($0.sample.info.unaryOperatorCount) }), 0.35
            ),
            (
                "nodes",
                Self.mean(
                    reference.map { Double($0["prefix"]!.string.split(separator: ",").count) }),
                Self.mean(ours.map { Double($0.sample.tree.nodeCount) }), 2.0
            ),
            (
                "generation errors per sample",
                Self.mean(
                    reference.map { r in
                        Double(r["attempts"]!.strings.filter { $0.hasPrefix("generation") }.count)
                    }),
                Self.mean(
                    ours.map { Double($0.rejections.filter { $0 == .generationError }.count) }), 0.4
            ),
            (
                "table failures per sample",
                Self.mean(
                    reference.map { r in
                        Double(r["attempts"]!.strings.filter { $0 == "exception IndexError" }.count)
                    }),
                Self.mean(
                    ours.map { Double($0.rejections.filter { $0 == .countingTableTooSmall }.count) }
                ), 0.25
            ),
            (
                "bad dimension per sample",
                Self.mean(
                    reference.map { r in
                        Double(r["attempts"]!.strings.filter { $0.hasPrefix("bad input") }.count)
                    }),
                Self.mean(
                    ours.map { Double($0.rejections.filter { $0 == .badInputDimension }.count) }),
                0.3
            ),
        ]
        for (name, ref, mine, tolerance) in pairs {
            #expect(abs(ref - mine) <= tolerance, "\(set) \(name): reference \(ref), ours \(mine)")
        }
    }
}
