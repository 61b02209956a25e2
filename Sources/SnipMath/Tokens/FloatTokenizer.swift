/// Why a number cannot be written as float tokens.
public enum FloatTokenizerError: Error, Hashable, Sendable, CustomStringConvertible {
    /// NaN and ±infinity have no token form (the reference asserts / fails on them).
    case notFinite(Double)

    /// A one-line description of the problem.
    public var description: String {
        switch self {
        case .notFinite(let v): return "cannot tokenize the non-finite value \(v)"
        }
    }
}

/// The reference's float tokens (`FloatSequences`): a number becomes a sign (`+`/`-`), the
/// mantissa digits of its `%.{precision}e` rendering in `mantissaLength` chunks (`N3142`), and
/// `E` + (printed exponent − precision).
///
/// With the defaults, 3.14159 → `+ N3142 E-3` and 9.9996 → `+ N1000 E-2` (printf rounds the
/// exact binary value half-to-even, then carries into the exponent). The sign is `+` for
/// values ≥ 0, so −0.0 gives `+`. An exponent below −maxExponent becomes the mantissa of zeros
/// with `E0`; an exponent above +maxExponent is written anyway (the vocabulary then lacks it).
public struct FloatTokenizer: Hashable, Sendable {
    /// Digits after the point in `%.{precision}e` (reference `float_precision`, default 3).
    public var precision: Int
    /// Mantissa tokens per number (reference `mantissa_len`, default 1).
    public var mantissaLength: Int
    /// The largest exponent token (reference `max_exponent`, default 100).
    public var maxExponent: Int

    /// A tokenizer with the reference parameters (defaults 3, 1, 100).
    public init(precision: Int = 3, mantissaLength: Int = 1, maxExponent: Int = 100) {
        precondition(precision >= 1 && mantissaLength >= 1, "invalid float tokenizer parameters")
        precondition((precision + 1) % mantissaLength == 0, "Bad precision/mantissa len ratio")
        self.precision = precision
        self.mantissaLength = mantissaLength
        self.maxExponent = maxExponent
    }

    /// Digits per mantissa token (`(precision + 1) / mantissaLength`, 4 by default).
    public var digitsPerToken: Int { (precision + 1) / mantissaLength }

    /// Tokens per number (sign, mantissa tokens, exponent).
    public var tokensPerNumber: Int { 2 + mantissaLength }

    /// The float symbols in the reference's order: `+`, `-`, `N0000`…`N9999`, `E-100`…`E100`.
    public var symbols: [String] {
        let base = digitsPerToken
        var out = ["+", "-"]
        var limit = 1
        for _ in 0..<base { limit *= 10 }
        for i in 0..<limit {
            let digits = String(i)
            out.append("N" + String(repeating: "0", count: base - digits.count) + digits)
        }
        for e in -maxExponent...maxExponent { out.append("E\(e)") }
        return out
    }

    /// The tokens of one number.
    public func encode(_ value: Double) throws(FloatTokenizerError) -> [String] {
        guard value.isFinite else { throw .notFinite(value) }
        let sign = value >= 0 ? "+" : "-"
        let text = PythonFloat.formatE(value, precision: precision)  // "-3.142e+00"
        let parts = text.split(separator: "e")
        var mantissa = String(parts[0])
        while mantissa.first == "-" { mantissa.removeFirst() }
        let digits = Array(mantissa.replacingOccurrences(of: ".", with: ""))
        var exponent = Int(parts[1])! - precision
        var chunks: [String] = []
        let base = digitsPerToken
        if exponent < -maxExponent {
            chunks = Array(repeating: String(repeating: "0", count: base), count: mantissaLength)
            exponent = 0
        } else {
            var i = 0
            while i < digits.count {
                chunks.append(String(digits[i..<Swift.min(i + base, digits.count)]))
                i += base
            }
        }
        return [sign] + chunks.map { "N" + $0 } + ["E\(exponent)"]
    }

    /// What ``encode(_:)`` writes for `value`, as numbers and without any text: whether the
    /// sign token is `-`, the digits of the one mantissa token as an integer (`N0314` → 314)
    /// and the exponent token's number. Only for the reference's defaults (precision 3, one
    /// mantissa token); nil where the text must decide: other settings, zero, subnormal and
    /// non-finite values, a `%.3e` rounding tie, an exponent outside ±``maxExponent``.
    @inline(__always)
    public func tokenParts(_ value: Double) -> (negative: Bool, mantissa: Int, exponent: Int)? {
        guard precision == 3, mantissaLength == 1, let (mantissa, e) = FormatETables.shared.fourDigits(value) else {
            return nil
        }
        let exponent = e - precision
        guard exponent >= -maxExponent, exponent <= maxExponent else { return nil }
        return (value < 0, mantissa, exponent)
    }

    /// The tokens of several numbers, concatenated.
    public func encode(_ values: [Double]) throws(FloatTokenizerError) -> [String] {
        var out: [String] = []
        out.reserveCapacity(values.count * tokensPerNumber)
        for v in values { out += try encode(v) }
        return out
    }

    /// Decodes consecutive numbers as the reference's `decode` does.
    ///
    /// Returns `nil` where the reference returns `None` (no tokens) or a bare NaN (a token in
    /// some chunk does not start with `+`, `-`, `N` or `E`, or is empty). Otherwise each chunk of
    /// ``tokensPerNumber`` tokens (the last may be short) gives one value, NaN when it does not
    /// parse: sign = +1 only for a literal `+`; the mantissa is the concatenated middle tokens
    /// without their first character, read as a Python `int`; the exponent likewise; the value is
    /// `sign·mantissa·10^exponent` computed as Python does (exact integers for exponent ≥ 0,
    /// `float(int) * 10.0**exponent` otherwise; overflow gives NaN).
    public func decode(_ tokens: [String]) -> [Double]? {
        if tokens.isEmpty { return nil }
        var out: [Double] = []
        var start = 0
        while start < tokens.count {
            let chunk = tokens[start..<Swift.min(start + tokensPerNumber, tokens.count)]
            for t in chunk {
                guard let c = t.first, "+-EN".contains(c) else { return nil }
            }
            out.append(Self.value(of: Array(chunk)))
            start += tokensPerNumber
        }
        return out
    }

    private static func value(of chunk: [String]) -> Double {
        let negative = chunk[0] != "+"
        guard chunk.count >= 2 else { return .nan }
        let mantissaText = chunk[1..<(chunk.count - 1)].map { String($0.dropFirst()) }.joined()
        guard let mantissa = PythonInt(mantissaText),
            let exponent = PythonInt(String(chunk[chunk.count - 1].dropFirst())),
            let e = Int(exponent.digits).map({ exponent.negative ? -$0 : $0 })
        else { return .nan }
        let signedNegative = negative != mantissa.negative && !mantissa.isZero
        if e >= 0 {
            // An exact integer, converted with correct rounding; overflow raises in Python.
            guard let v = Double((signedNegative ? "-" : "") + mantissa.digits + "e\(e)"),
                v.isFinite
            else { return .nan }
            return v
        }
        guard let m = Double((signedNegative ? "-" : "") + mantissa.digits), m.isFinite else {
            return .nan
        }
        return m * pow10(e)
    }

    /// Python's `10 ** e` for a negative int `e` (C `pow(10.0, e)`).
    private static func pow10(_ e: Int) -> Double { PythonFloat.pow(10, Double(e)) }
}

/// A Python `int(text)` literal: optional surrounding whitespace, sign, digits with single
/// underscores between them; kept as a digit string without leading zeros.
struct PythonInt {
    var negative: Bool
    var digits: String

    var isZero: Bool { digits == "0" }

    init?(_ text: String) {
        var s = Substring(text)
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        negative = false
        if let f = s.first, f == "+" || f == "-" {
            negative = f == "-"
            s.removeFirst()
        }
        guard let first = s.first, first.isASCII, first.isNumber else { return nil }
        var out = ""
        var previousUnderscore = false
        for c in s {
            if c == "_" {
                if previousUnderscore { return nil }
                previousUnderscore = true
                continue
            }
            guard c.isASCII, c.isNumber else { return nil }
            previousUnderscore = false
            out.append(c)
        }
        if previousUnderscore { return nil }
        while out.count > 1 && out.first == "0" { out.removeFirst() }
        digits = out
    }
}
