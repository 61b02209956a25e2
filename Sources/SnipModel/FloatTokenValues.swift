import Foundation

/// Reads numbers back from float-token ids: which ids of a vocabulary are signs, mantissas and
/// exponents, and the value `sign · mantissa · 10^exponent` three of them write (the reference's
/// float tokens with one mantissa token).
struct FloatTokenValues: Sendable {
    enum Part: Sendable {
        case other
        case sign(Double)
        case mantissa(Double)
        case exponent(Int)
    }

    /// Each id's part.
    let parts: [Part]

    /// The parts of the words of a vocabulary, in id order.
    init(words: [String]) {
        parts = words.map { word in
            switch word.first {
            case "+" where word.count == 1: return .sign(1)
            case "-" where word.count == 1: return .sign(-1)
            case "N": return Int(word.dropFirst()).map { $0 >= 0 ? .mantissa(Double($0)) : .other } ?? .other
            case "E": return Int(word.dropFirst()).map { .exponent($0) } ?? .other
            default: return .other
            }
        }
    }

    /// The finite value ids `sign, mantissa, exponent` write; nil unless they write one.
    func value(_ sign: Int, _ mantissa: Int, _ exponent: Int) -> Double? {
        guard parts.indices.contains(sign), parts.indices.contains(mantissa), parts.indices.contains(exponent),
            case .sign(let s) = parts[sign], case .mantissa(let m) = parts[mantissa], case .exponent(let e) = parts[exponent]
        else { return nil }
        let v = s * m * Foundation.pow(10, Double(e))
        return v.isFinite ? v : nil
    }
}
