import Foundation
import SnipMath
import TestSupport
import Testing

/// `DatasetGenerator` (the library behind `snip generate`): per-sample streams, reference
/// replay, thread independence, the fast line writer and property targets.
@Suite struct DatasetGeneratorTests {
    static func dataset(
        dimension: Int = 1, seed: UInt32 = 1, property: FunctionProperty? = nil,
        exactNCR: Bool = false, skeleton: Bool = false, normalizeY: Bool = false,
        minBinaryOps: Int = 0
    ) -> DatasetGenerator {
        var c = GeneratorConfiguration(maxInputDimension: dimension)
        c.normalizeY = normalizeY
        c.minBinaryOpsPerDimension = minBinaryOps
        return DatasetGenerator(
            generator: ExpressionGenerator(configuration: c), seed: seed, property: property,
            exactNCR: exactNCR, skeletonTrees: skeleton)
    }

    static func fixture(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: Golden.url("generate/" + name, in: .module)))
    }

    /// `np.random.RandomState([...])` (MT19937 `init_by_array`), values printed by numpy 1.26.
    @Test func listSeedsMatchNumpy() {
        var a = NumpyLegacyRandom(key: [7, 3])
        #expect((0..<3).map { _ in a.integer(0, 1 << 31) } == [2049007120, 1353615594, 1118595839])
        #expect(a.nextDouble() == 0.9007064681984542)
        var b = NumpyLegacyRandom(key: [0])
        #expect(b.nextDouble() == 0.8444218515250481)
        var c = NumpyLegacyRandom(key: [4294967295, 123456789, 5])
        #expect(c.nextDouble() == 0.2475258442952193)
    }

    /// The datasets the tests use, by name (test arguments print their names).
    static let datasets: [String: DatasetGenerator] = [
        "seed 1": dataset(seed: 1),
        "seed 4, upward, normalized": dataset(seed: 4, property: .upward, normalizeY: true),
        "seed 5, yavg, 3 binary ops": dataset(seed: 5, property: .yavg, minBinaryOps: 3),
        "dimension 1": dataset(dimension: 1), "dimension 3": dataset(dimension: 3),
        "dimension 10": dataset(dimension: 10), "ncr": dataset(property: .ncr),
        "exact ncr": dataset(property: .ncr, exactNCR: true),
        "oscil, skeletons": dataset(property: .oscil, skeleton: true),
        "normalized": dataset(normalizeY: true),
    ]

    /// Lines written by the reference itself for the same per-sample seeds are reproduced byte
    /// for byte, with and without properties, y normalisation and 3 binary operators minimum.
    @Test(arguments: [
        ("reference_seed1.prefix", "seed 1", 4),
        ("reference_seed4_upward_normalized.prefix", "seed 4, upward, normalized", 3),
        ("reference_seed5_yavg_min3.prefix", "seed 5, yavg, 3 binary ops", 3),
    ])
    func referenceLinesAreReproduced(name: String, dataset: String, count: Int) throws {
        let expected = try Self.fixture(name)
        let ours = Self.datasets[dataset]!.lines(0..<count)
        #expect(ours == expected, "\(name): first difference at byte \(firstDifference(ours, expected))")
    }

    func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }

    @Test(arguments: [1, 3, 10])
    func outputDoesNotDependOnTheThreadCount(dimension: Int) {
        let d = Self.dataset(dimension: dimension, seed: 9)
        func written(threads: Int) -> [UInt8] {
            var out: [UInt8] = []
            var reports: [Int] = []
            d.write(
                count: 70, threads: threads, sink: { out.append(contentsOf: $0) },
                progress: { reports.append($0) })
            #expect(reports.last == 70)
            return out
        }
        let one = written(threads: 1)
        #expect(one == d.lines(0..<70))
        #expect(written(threads: 2) == one)
        #expect(written(threads: 5) == one)
        #expect(one.filter { $0 == 0x0A }.count == 70)
    }

    @Test func samplesAreIndependentOfOrder() {
        let d = Self.dataset(dimension: 3, seed: 11)
        let forward = (0..<6).map { d.sample(at: $0) }
        let backward = (0..<6).reversed().map { d.sample(at: $0) }
        #expect(forward == Array(backward.reversed()))
        #expect(Self.dataset(dimension: 3, seed: 12).sample(at: 0) != forward[0])
    }

    /// The byte writer against the plain `String` one, on every kind of sample.
    @Test(arguments: [
        "dimension 1", "dimension 3", "dimension 10", "ncr", "exact ncr", "oscil, skeletons",
        "normalized",
    ])
    func byteLinesEqualStringLines(name: String) throws {
        let dataset = Self.datasets[name]!
        let lines = dataset.lines(0..<12).split(separator: 0x0A).map {
            String(decoding: $0, as: UTF8.self)
        }
        #expect(lines.count == 12)
        for (i, line) in lines.enumerated() {
            let sample = dataset.sample(at: i)
            #expect(line == sample.dataPrefixLine())
            var bytes: [UInt8] = []
            sample.appendDataPrefixLine(to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == line)
        }
    }

    @Test func linesReadBackAsTheSamples() throws {
        let d = Self.dataset(property: .ncr)
        let path = freshTemporaryPath("snipmath-generated.prefix")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(d.lines(0..<25)).write(to: URL(fileURLWithPath: path))
        let read = try DataPrefixReader(path: path).readAll()
        #expect(read.count == 25)
        for (i, r) in read.enumerated() {
            let s = d.sample(at: i)
            #expect(r.tree == s.tree && r.info == s.info && r.skeletonTokens == s.skeletonTokens)
            #expect(r.targetProperty == s.targetProperty)
            // Points are written with 4 significant digits.
            #expect(zip(r.y, s.y).allSatisfy { abs($0 - $1) <= 5e-4 * abs($1) })
            #expect(r.dataPrefixLine() == s.dataPrefixLine())
        }
    }

    @Test func propertyTargetsAreThePropertiesOfThePoints() {
        for property in FunctionProperty.allCases {
            let d = Self.dataset(seed: 21, property: property)
            for i in 0..<5 {
                let s = d.sample(at: i)
                let x = s.x.map { $0[0] }
                var unused = NumpyLegacyRandom(seed: 0)
                let target = s.targetProperty!
                switch property {
                case .ncr:
                    #expect((0...1).contains(target))
                    let exact = FunctionProperties.exactNonConvexityRatio(x: x, y: s.y).ratio
                    #expect(abs(target - exact) < 0.1)  // 1000 draws: sd ≤ 0.016
                case .upward, .yavg, .oscil:
                    #expect(target == property.value(x: x, y: s.y, random: &unused))
                }
            }
        }
        let exact = Self.dataset(seed: 21, property: .ncr, exactNCR: true).sample(at: 0)
        #expect(
            exact.targetProperty
                == FunctionProperties.exactNonConvexityRatio(
                    x: exact.x.map { $0[0] }, y: exact.y
                ).ratio)
    }

    @Test func skeletonTreesReplaceConstants() throws {
        let plain = Self.dataset(seed: 3).sample(at: 0)
        let skeleton = Self.dataset(seed: 3, skeleton: true).sample(at: 0)
        #expect(skeleton.tree == plain.tree.skeleton)
        #expect(skeleton.x == plain.x && skeleton.y == plain.y)
        #expect(skeleton.tree.prefix.contains("CONSTANT"))
    }

    @Test func threeBinaryOperatorsPerDimension() {
        let d = Self.dataset(seed: 8, minBinaryOps: 3)
        for i in 0..<20 {
            // Prefactors add operators; the drawn tree had exactly 3 (4 cannot be built).
            #expect(d.generatedSample(at: i).drawnBinaryOperators == 3)
        }
    }

    @Test func configurationProblems() {
        #expect(GeneratorConfiguration().problems.isEmpty)
        #expect(GeneratorConfiguration(maxInputDimension: 10).problems.isEmpty)
        var c = GeneratorConfiguration()
        c.minBinaryOpsPerDimension = 3
        #expect(c.problems.isEmpty)
        c.maxInputDimension = 2
        #expect(!c.problems.isEmpty)  // dimension 2 would need 6 of at most 5
        c.maxInputDimension = 1
        c.minBinaryOpsPerDimension = 4
        #expect(!c.problems.isEmpty)  // 4 never fits the reference's counting table
        c.minBinaryOpsPerDimension = 2
        c.maxInputDimension = 3
        #expect(c.problems.isEmpty)
        c.minBinaryOpsPerDimension = -1
        #expect(!c.problems.isEmpty)
    }
}
