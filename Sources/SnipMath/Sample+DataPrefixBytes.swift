import Foundation

/// The `data.prefix` line written straight into bytes: the same text as
/// ``Sample/dataPrefixLine(precision:)`` (which stays as the plain reference implementation and
/// is what the tests compare against), without building a `String` per number.
extension Sample {
    /// Appends the sample's line (without the newline) to `out`.
    public func appendDataPrefixLine(to out: inout [UInt8], precision: Int = 3) {
        out.append(ascii: "{")
        for (key, value) in zip(SampleInfo.keys, info.values) {
            out.append(ascii: "\"")
            out.append(contentsOf: key.utf8)
            out.append(ascii: "\": \"")
            ByteText.appendInteger(value, to: &out)
            out.append(ascii: "\", ")
        }
        out.append(ascii: "\"x_to_fit\": [")
        for r in x.indices {
            if r > 0 { out.append(ascii: ", ") }
            out.append(ascii: "[")
            let row = x[r]
            for c in row.indices {
                if c > 0 { out.append(ascii: ", ") }
                out.append(ascii: "\"")
                ByteText.appendFormatE(row[c], precision: precision, to: &out)
                out.append(ascii: "\"")
            }
            out.append(ascii: "]")
        }
        out.append(ascii: "], \"y_to_fit\": [")
        for i in y.indices {
            if i > 0 { out.append(ascii: ", ") }
            out.append(ascii: "[\"")
            ByteText.appendFormatE(y[i], precision: precision, to: &out)
            out.append(ascii: "\"]")
        }
        out.append(ascii: "], \"tree\": ")
        ByteText.appendJSONString(tree.prefix, to: &out)
        out.append(ascii: ", \"skeleton_tree_encoded\": [")
        for (i, token) in skeletonTokens.enumerated() {
            if i > 0 { out.append(ascii: ", ") }
            ByteText.appendJSONString(token, to: &out)
        }
        out.append(ascii: "]")
        if let t = targetProperty {
            out.append(ascii: ", \"target_property\": ")
            out.append(contentsOf: JSONText.number(t).utf8)
        }
        out.append(ascii: "}")
    }
}

extension Array where Element == UInt8 {
    /// Appends the bytes of an ASCII literal.
    @inline(__always)
    mutating func append(ascii text: StaticString) {
        text.withUTF8Buffer { append(contentsOf: $0) }
    }
}

/// Number and string spellings written directly as bytes.
enum ByteText {
    /// `10^k` for k in 0…22, all exact doubles.
    static let powersOfTen: [Double] = (0...22).map { PythonFloat.pow(10, Double($0)) }

    /// A decimal integer.
    static func appendInteger(_ value: Int, to out: inout [UInt8]) {
        if value < 0 { out.append(UInt8(ascii: "-")) }
        let v = value.magnitude
        var divisor: UInt = 1
        while divisor <= v / 10 { divisor *= 10 }
        while divisor > 0 {
            out.append(UInt8(ascii: "0") + UInt8((v / divisor) % 10))
            divisor /= 10
        }
    }

    /// A JSON string as Python's `json.dumps` writes it (printable ASCII is copied as is).
    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        let plain = s.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != 0x22 && $0 != 0x5C }
        guard plain else {
            out.append(contentsOf: JSONText.string(s).utf8)
            return
        }
        out.append(UInt8(ascii: "\""))
        out.append(contentsOf: s.utf8)
        out.append(UInt8(ascii: "\""))
    }

    /// C `printf("%.{precision}e", x)` (Python's `%` formatting gives the same text).
    ///
    /// Fast path: scale |x| by one exact power of ten so that the wanted mantissa m =
    /// round(|x|·10^k) has `precision` + 1 digits; that scaling rounds once, so its error is
    /// below 2^-53 relative (< 1e-9 absolute for precision ≤ 6). Whenever the scaled value lies
    /// within 1e-6 of a rounding tie, or x is zero, not finite, or needs |k| > 22, the C library
    /// formats it instead, so the text is always printf's.
    static func appendFormatE(_ x: Double, precision p: Int, to out: inout [UInt8]) {
        guard x.isFinite, x != 0, p >= 1, p <= 6 else {
            return out.append(contentsOf: PythonFloat.formatE(x, precision: p).utf8)
        }
        let a = Swift.abs(x)
        var low = 1
        for _ in 0..<p { low *= 10 }
        let high = low * 10  // mantissas lie in [low, high)
        var e = Int(Foundation.log10(a).rounded(.down))
        var mantissa = 0
        var settled = false
        for _ in 0..<3 {
            let k = p - e
            guard k >= -22 && k <= 22 else { break }
            let v = k >= 0 ? a * powersOfTen[k] : a / powersOfTen[-k]
            let fraction = v - v.rounded(.down)
            guard Swift.abs(fraction - 0.5) > 1e-6 else { break }
            let m = Int(v.rounded())
            if m < low {
                e -= 1
            } else if m > high {
                e += 1
            } else {
                if m == high {
                    mantissa = low
                    e += 1
                } else {
                    mantissa = m
                }
                settled = true
                break
            }
        }
        guard settled else {
            return out.append(contentsOf: PythonFloat.formatE(x, precision: p).utf8)
        }
        if x < 0 { out.append(UInt8(ascii: "-")) }
        // d.ddd: the first digit, the point, then the other p digits, filled from the right.
        let start = out.count
        out.append(contentsOf: repeatElement(UInt8(ascii: "."), count: p + 2))
        var m = mantissa
        for i in stride(from: start + p + 1, to: start + 1, by: -1) {
            out[i] = UInt8(ascii: "0") + UInt8(m % 10)
            m /= 10
        }
        out[start] = UInt8(ascii: "0") + UInt8(m)
        out.append(UInt8(ascii: "e"))
        out.append(UInt8(ascii: e < 0 ? "-" : "+"))
        let magnitude = Swift.abs(e)
        if magnitude < 10 { out.append(UInt8(ascii: "0")) }
        appendInteger(magnitude, to: &out)
    }
}
