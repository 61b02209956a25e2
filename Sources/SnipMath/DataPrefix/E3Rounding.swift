import Foundation

/// Numbers rounded to four significant digits exactly as the data files keep them: the value
/// C's `%.3e` prints, read back (`Double(String(format: "%.3e", x))`), without the text.
public enum E3Rounding {
    /// `x` as `%.3e` prints it, read back. Most numbers take the arithmetic path (the four
    /// digits found as the data-file writer finds them, then one correctly rounded product or
    /// quotient by an exact power of ten, which is what reading the text back gives); near a
    /// rounding tie, at extreme exponents, and for zero, subnormals, infinities and NaN it goes
    /// through the text.
    public static func rounded(_ x: Double) -> Double {
        FormatETables.shared.roundedE3(x) ?? (Double(String(format: "%.3e", x)) ?? x)
    }

    /// Exact powers of ten: 10^0 … 10^22 are doubles without rounding.
    static let exactPowers: [Double] = (0...22).map { k in (0..<k).reduce(1.0) { v, _ in v * 10 } }
}

extension FormatETables {
    /// The arithmetic path of ``E3Rounding/rounded(_:)``; nil where the text must decide.
    func roundedE3(_ x: Double) -> Double? {
        guard let (mantissa, e) = fourDigits(x) else { return nil }
        // the value is mantissa · 10^(e − 3)
        let k = e - 3
        let m = Double(mantissa)
        let magnitude: Double
        if k >= 0 {
            guard k < E3Rounding.exactPowers.count else { return nil }
            magnitude = m * E3Rounding.exactPowers[k]
        } else {
            guard -k < E3Rounding.exactPowers.count else { return nil }
            magnitude = m / E3Rounding.exactPowers[-k]
        }
        return x.sign == .minus ? -magnitude : magnitude
    }
}
