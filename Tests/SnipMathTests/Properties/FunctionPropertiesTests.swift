import Foundation
import SnipMath
import TestSupport
import Testing

/// Function properties against `properties.json` (100 generated 1-D samples).
@Suite struct FunctionPropertiesTests {
    static let golden = try! Golden.load("properties.json", from: .module).json
    static var samples: [JSONValue] { golden["samples"]!.array }

    /// upward, yavg and ncr_exact must be bit-identical; oscil's count exact, its log 1 ulp.
    @Test func exactPropertiesMatch() {
        #expect(Self.samples.count == 100)
        var matched = 0
        for s in Self.samples {
            let x = s["x"]!.doubles
            let y = s["y"]!.doubles
            let upward = FunctionProperties.upward(x: x, y: y)
            let yavg = FunctionProperties.yAverage(y: y)
            let oscil = FunctionProperties.oscillation(x: x, y: y)
            let ncr = FunctionProperties.exactNonConvexityRatio(x: x, y: y)
            let seed = s["seed"]!.int
            #expect(upward == s["upward"]!.double, "upward \(seed)")
            #expect(yavg == s["yavg"]!.double, "yavg \(seed)")
            // oscil = numpy.log(changes + 1): the count must be exact, the log within 1 ulp
            // (numpy's AVX512 log is not glibc's; see `oscillation`).
            let changes = FunctionProperties.directionChanges(x: x, y: y)
            #expect(Int(exp(s["oscil"]!.double).rounded()) - 1 == changes, "oscil \(seed)")
            #expect(abs(oscil - s["oscil"]!.double) <= oscil.ulp, "oscil \(seed)")
            #expect(ncr.convexTriples == s["ncr_exact_success"]!.int, "ncr \(seed)")
            #expect(ncr.triples == s["ncr_exact_triples"]!.int)
            #expect(ncr.ratio == s["ncr_exact"]!.double, "ncr \(seed)")
            if upward == s["upward"]!.double && yavg == s["yavg"]!.double
                && abs(oscil - s["oscil"]!.double) <= oscil.ulp
                && ncr.ratio == s["ncr_exact"]!.double
            {
                matched += 1
            }
        }
        #expect(matched == 100)
    }

    /// 1000 triples estimate a proportion with a standard error of at most 0.016; 0.07 is over
    /// four of them. The reference's own estimates are checked the same way.
    @Test func sampledNCRIsCloseToExact() {
        var generator = SplitMix(state: 2024)
        var worst = 0.0
        for s in Self.samples {
            let x = s["x"]!.doubles
            let y = s["y"]!.doubles
            let exact = s["ncr_exact"]!.double
            let sampled = FunctionProperties.nonConvexityRatio(x: x, y: y, using: &generator)
            worst = max(worst, abs(sampled - exact))
            #expect(abs(sampled - exact) <= 0.07, "seed \(s["seed"]!.int)")
            #expect(abs(s["ncr_sampled"]!.double - exact) <= 0.07)
        }
        #expect(worst > 0)  // the estimate is random, not the exact value
    }

    /// With numpy's legacy stream and the recorded seed, the reference's estimate is exact.
    @Test func sampledNCRMatchesTheReferenceWithItsNumpySeed() {
        var matched = 0
        for s in Self.samples {
            let seed = UInt32(s["ncr_sampled_np_random_seed"]!.int)
            let value = FunctionProperties.nonConvexityRatio(
                x: s["x"]!.doubles, y: s["y"]!.doubles, numpySeed: seed)
            #expect(value == s["ncr_sampled"]!.double, "seed \(seed)")
            if value == s["ncr_sampled"]!.double { matched += 1 }
        }
        #expect(matched == 100)
    }

    @Test func numpyLegacyStream() {
        // np.random.RandomState(5489) is the reference MT19937 stream; its first words are
        // 3499211612, 581869302, 3890346734 (Matsumoto & Nishimura's mt19937ar).
        var r = NumpyLegacyRandom(seed: 5489)
        #expect((0..<3).map { _ in r.nextUInt32() } == [3_499_211_612, 581_869_302, 3_890_346_734])
    }

    @Test func sampledNCRIsReproducibleFromItsSeed() {
        let s = Self.samples[7]
        let x = s["x"]!.doubles
        let y = s["y"]!.doubles
        var a = SplitMix(state: 9)
        var b = SplitMix(state: 9)
        #expect(
            FunctionProperties.nonConvexityRatio(x: x, y: y, using: &a)
                == FunctionProperties.nonConvexityRatio(x: x, y: y, using: &b))
    }

    @Test func smallCases() {
        // A straight line is convex; a concave cap is not.
        let x: [Double] = [0, 1, 2, 3]
        #expect(FunctionProperties.exactNonConvexityRatio(x: x, y: [0, 1, 2, 3]).ratio == 0)
        #expect(FunctionProperties.exactNonConvexityRatio(x: x, y: [0, 2, 2, 0]).ratio == 1)
        #expect(FunctionProperties.upward(x: [2, 0, 1], y: [5, 1, 3]) == 2.0 / 3.0)
        #expect(FunctionProperties.oscillation(x: x, y: [0, 1, 0, 1]) == log(3.0))
        #expect(FunctionProperties.yAverage(y: [1, 3]) == 0.5 * (2 / (2 + 1e-12)))
    }
}
