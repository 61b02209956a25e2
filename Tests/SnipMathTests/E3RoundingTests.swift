import Foundation
import SnipMath
import TestSupport
import Testing

struct E3RoundingTests {
    /// The same double as printing with `%.3e` and reading back, over many magnitudes, signs,
    /// ties and edge values.
    @Test func matchesPrintingAndReadingBack() {
        var random = SplitMix(state: 7)
        var values: [Double] = [
            0, -0.0, 1, -1, 9.9995, 9.99949999, 1.0005, 1.00049999, 0.5, 123456789, 1e-300, .leastNonzeroMagnitude,
            1e300, 1.7976931348623157e308, .infinity, -.infinity, .nan, 2.5e-22, 9.9999e22, 1e23,
        ]
        for _ in 0..<20_000 {
            let mantissa = Double(random.next() >> 11) / 9007199254740992 * 2 - 1
            let exponent = Int(random.next() % 80) - 40
            values.append(mantissa * pow(10, Double(exponent)))
        }
        var arithmetic = 0
        for x in values {
            let expected = Double(String(format: "%.3e", x)) ?? x
            let got = E3Rounding.rounded(x)
            if expected.isNaN {
                #expect(got.isNaN)
            } else {
                #expect(got.bitPattern == expected.bitPattern, "\(x): \(got) vs \(expected)")
            }
            if got != x { arithmetic += 1 }
        }
        #expect(arithmetic > 10_000)  // it rounds (most random doubles change)
    }
}
