import SnipMath
import TestSupport
import Testing

/// The fast generator (flat trees, reused buffers, pointer-carved point buffers) equals the
/// plain one (PlainGenerator.swift) bit for bit: the same attempts and rejections, trees,
/// points and values, and the same random draws consumed.
struct PlainGeneratorTests {
    /// Whether two samples are the same to the bit (points and values by bit pattern).
    static func identical(_ a: GeneratedSample, _ b: GeneratedSample) -> Bool {
        func bits(_ v: [Double]) -> [UInt64] { v.map(\.bitPattern) }
        return a.rejections == b.rejections && a.drawnBinaryOperators == b.drawnBinaryOperators
            && a.drawnUnaryOperators == b.drawnUnaryOperators && a.sample.tree == b.sample.tree
            && a.sample.info == b.sample.info && a.sample.skeletonTokens == b.sample.skeletonTokens
            && a.sample.x.map(bits) == b.sample.x.map(bits) && bits(a.sample.y) == bits(b.sample.y)
    }

    /// numpy's streams (the reference's replay at dimension 1; rotations above it).
    @Test(arguments: [1, 2, 3, 5])
    func theFastPathEqualsThePlainOneOnNumpySeeds(maxDimension: Int) {
        var c = GeneratorConfiguration()
        c.maxInputDimension = maxDimension
        let fast = ExpressionGenerator(configuration: c)
        var (rejected, rotated) = (0, 0)
        for seed in 0..<UInt32(maxDimension == 1 ? 400 : 120) {
            var a = NumpyLegacyRandom(seed: seed)
            var b = a
            let x = fast.generate(from: &a)
            let y = PlainGenerator.generate(c, from: &b)
            #expect(Self.identical(x, y), "seed \(seed), dimension ≤ \(maxDimension)")
            #expect(a.nextDouble() == b.nextDouble(), "seed \(seed): different draws consumed")
            rejected += x.rejections.count
            if x.sample.info.inputDimension > 1 { rotated += 1 }
        }
        // the comparison covered rejected attempts and, above dimension 1, rotated clusters
        #expect(rejected > 0)
        #expect(maxDimension == 1 || rotated > 0)
    }

    /// Any Swift generator, with normalised y and uniform points among the attempts.
    @Test func theFastPathEqualsThePlainOneOnSwiftGenerators() {
        var c = GeneratorConfiguration()
        c.maxInputDimension = 3
        c.normalizeY = true
        let fast = ExpressionGenerator(configuration: c)
        for seed in 0..<UInt64(150) {
            var a = SwiftRandomSource(SplitMix(state: seed))
            var b = a
            let x = fast.generate(from: &a)
            let y = PlainGenerator.generate(c, from: &b)
            #expect(Self.identical(x, y), "seed \(seed)")
            #expect(a.nextDouble() == b.nextDouble(), "seed \(seed): different draws consumed")
        }
    }
}
