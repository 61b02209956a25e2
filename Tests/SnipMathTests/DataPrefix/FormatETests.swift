import Foundation
import SnipMath
import TestSupport
import Testing

/// The fast `%.{p}e` writer of `data.prefix` lines (``Sample/appendDataPrefixLine(to:precision:)``)
/// against the plain writer (``Sample/dataPrefixLine(precision:)``, C's printf) on one sample
/// holding the values as its points.
@Suite struct FormatETests {
    static func check(_ values: [Double], precision: Int) throws -> String? {
        let sample = Sample(
            tree: try Expression(prefix: "x_0"), x: values.map { [$0] }, y: values.reversed(),
            info: SampleInfo(
                inputPointCount: values.count, unaryOperatorCount: 0, binaryOperatorCount: 0,
                inputDimension: 1, outputDimension: 1, inputDistributionType: 0,
                centroidCount: 1),
            skeletonTokens: ["x_0"])
        var bytes: [UInt8] = []
        sample.appendDataPrefixLine(to: &bytes, precision: precision)
        let fast = String(decoding: bytes, as: UTF8.self)
        let plain = sample.dataPrefixLine(precision: precision)
        guard fast != plain else { return nil }
        // Name the first value that differs.
        for v in values where try check([v], precision: precision) != nil && values.count > 1 {
            return "\(v) (precision \(precision))"
        }
        return "\(values) (precision \(precision)):\n\(fast)\n\(plain)"
    }

    /// The fast writer against the plain one on points of `dimension` coordinates taken from
    /// `values` in turn (rows of several numbers separate them by `", "`).
    static func checkPoints(_ values: [Double], dimension d: Int, precision: Int) throws
        -> Bool
    {
        let n = d == 0 ? 5 : values.count / d
        let x = (0..<n).map { i in Array(values[(i * d)..<(i * d + d)]) }
        let sample = Sample(
            tree: try Expression(prefix: "x_0"), x: x, y: Array(values.prefix(n)),
            info: SampleInfo(
                inputPointCount: n, unaryOperatorCount: 0, binaryOperatorCount: 0,
                inputDimension: d, outputDimension: 1, inputDistributionType: 1,
                centroidCount: 12),
            skeletonTokens: ["x_0"], targetProperty: 0.25)
        var bytes: [UInt8] = []
        sample.appendDataPrefixLine(to: &bytes, precision: precision)
        return String(decoding: bytes, as: UTF8.self) == sample.dataPrefixLine(precision: precision)
    }

    @Test func pointsOfSeveralDimensions() throws {
        var rng = SplitMix(state: 23)
        var values: [Double] = [
            0, -0.0, 9.9995, -9.9996e-200, Double("1e-310")!, .infinity, -.nan, 1.0625e100, -1.0635e-100,
        ]
        for i in 0..<3_000 {
            switch i % 3 {
            case 0: values.append(Double.random(in: -5...5, using: &rng))
            case 1:
                let m = Double(Int.random(in: 1_000...9_999, using: &rng)) + 0.5
                values.append(m * pow(10, Double(Int.random(in: -300...300, using: &rng))))
            default: values.append(Double(bitPattern: rng.next()))
            }
        }
        for d in [0, 1, 2, 3, 10] {
            for p in [3, 4] {
                #expect(try Self.checkPoints(values, dimension: d, precision: p), "d \(d) p \(p)")
            }
        }
    }

    @Test func edgeCases() throws {
        let values: [Double] = [
            0, 1, 9.9995, 9.99949999999, 9.9996, 0.00099995, 1.0625, 1.0635, 2.5e-3, 0.5, 1e-300,
            .leastNonzeroMagnitude, 2.2250738585072014e-308, 1e300, .greatestFiniteMagnitude, .infinity, .nan,
            1e22, 1e23, 9.9995e22, 1e-19, 1e-20, 123456789012, 0.1, 0.2, 0.3, 1e15, 999.95,
            99.995, 0.047100000000000003, 1e-5, 9.99999999e-6,
        ]
        let signed = values + values.map { -$0 }
        for p in [1, 2, 3, 4, 6, 8] {
            let problem = try Self.check(signed, precision: p)
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    @Test func randomValuesOverEveryScale() throws {
        var rng = SplitMix(state: 5)
        var values: [Double] = []
        for i in 0..<200_000 {
            switch i % 4 {
            case 0: values.append(Double.random(in: -5...5, using: &rng))
            case 1:
                let scale = pow(10, Double(Int.random(in: -40...40, using: &rng)))
                values.append(Double.random(in: -1...1, using: &rng) * scale)
            case 2: values.append(Double(bitPattern: rng.next()))  // any double
            default:
                // near ties: kkkk.5 × 10^e
                let m = Double(Int.random(in: 1_000...9_999, using: &rng)) + 0.5
                values.append(m * pow(10, Double(Int.random(in: -12...12, using: &rng))))
            }
        }
        for chunk in stride(from: 0, to: values.count, by: 20_000) {
            let problem = try Self.check(Array(values[chunk..<(chunk + 20_000)]), precision: 3)
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    /// The `%.3e` writer (``ByteText/formatE3``, every `data.prefix` file's precision) around
    /// every power of ten a double has: the decade guess, the rounded scale factors and the
    /// 9.9995 → 1.000e+01 carry at each exponent, subnormals, ±0 and the extremes.
    @Test func threePlacesAroundEveryPowerOfTen() throws {
        var values: [Double] = [
            0, -0.0, .leastNonzeroMagnitude, .leastNormalMagnitude, .leastNormalMagnitude.nextUp,
            .leastNormalMagnitude.nextDown, .greatestFiniteMagnitude, .infinity, .nan, .leastNonzeroMagnitude,
            1e-305, 1e-306, 1e-307, 1e-308, 9.9995e-306, 9.9996e-305,
        ]
        for k in -330...308 {
            let p = Double("1e\(k)")!
            for v in [p, p * 9.9995, p * 9.99949999, p * 9.9996, p * 1.00005, p * 5.0005] {
                values += [v, v.nextUp, v.nextDown]
            }
        }
        for chunk in stride(from: 0, to: values.count, by: 10_000) {
            let part = Array(values[chunk..<Swift.min(values.count, chunk + 10_000)])
            let problem = try Self.check(part + part.map { -$0 }, precision: 3)
            #expect(problem == nil, "\(problem ?? "")")
        }
    }

    /// 2,000,000 random doubles through the `%.3e` writer against printf: uniform, every scale,
    /// any bit pattern, and exact ties m.5·10^e.
    @Test func threePlacesOnTwoMillionRandomValues() throws {
        var rng = SplitMix(state: 11)
        var failures: [String] = []
        for _ in 0..<100 {
            var values: [Double] = []
            for i in 0..<20_000 {
                switch i % 5 {
                case 0: values.append(Double.random(in: -5...5, using: &rng))
                case 1:
                    let scale = pow(10, Double(Int.random(in: -320...308, using: &rng)))
                    values.append(Double.random(in: -1...1, using: &rng) * scale)
                case 2: values.append(Double(bitPattern: rng.next()))
                case 3:
                    let m = Double(Int.random(in: 1_000...9_999, using: &rng)) + 0.5
                    values.append(m * pow(10, Double(Int.random(in: -300...300, using: &rng))))
                default:  // any exponent, including subnormals
                    let exponent = UInt64.random(in: 0...2046, using: &rng) << 52
                    values.append(Double(bitPattern: rng.next() & 0x800F_FFFF_FFFF_FFFF | exponent))
                }
            }
            if let problem = try Self.check(values, precision: 3) { failures.append(problem) }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3))")
    }
}
