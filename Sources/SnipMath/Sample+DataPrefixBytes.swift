import Foundation

/// The `data.prefix` line written straight into bytes: the same text as
/// ``Sample/dataPrefixLine(precision:)`` (which stays as the plain reference implementation and
/// is what the tests compare against), without building a `String` per number.
extension Sample {
    /// Appends the sample's line (without the newline) to `out`.
    public func appendDataPrefixLine(to out: inout [UInt8], precision: Int = 3) {
        let buffer = ByteBuffer(capacity: 4096 + y.count * (info.inputDimension + 1) * 24)
        appendDataPrefixLine(to: buffer, precision: precision)
        out.append(contentsOf: buffer.bytes)
    }

    /// Appends the sample's line (without the newline) to `buffer`.
    func appendDataPrefixLine(to buffer: ByteBuffer, precision: Int) {
        let d = x.first?.count ?? 0
        DataPrefixLine.append(
            info: info, pointCount: x.count, dimension: d, x: { x[$0][$1] }, y: y, tree: tree,
            skeletonTokens: skeletonTokens, targetProperty: targetProperty, precision: precision,
            to: buffer)
    }
}

extension AcceptedAttempt {
    /// Appends the sample's line (without the newline), reading the points from the columns.
    func appendDataPrefixLine(
        to buffer: ByteBuffer, precision: Int, targetProperty: Double?, skeletonTree: Bool
    ) {
        DataPrefixLine.append(
            info: info, pointCount: y.count, dimension: columns.count,
            x: { columns[$1][$0] }, y: y, tree: skeletonTree ? tree.skeleton : tree,
            skeletonTokens: skeletonTokens, targetProperty: targetProperty,
            precision: precision, to: buffer)
    }
}

/// The writer behind both line paths.
enum DataPrefixLine {
    @inline(__always)
    static func append(
        info: SampleInfo, pointCount n: Int, dimension d: Int, x: (Int, Int) -> Double,
        y: [Double], tree: Expression, skeletonTokens: [String], targetProperty: Double?,
        precision: Int, to out: ByteBuffer
    ) {
        out.append("{")
        for (key, value) in zip(SampleInfo.keys, info.values) {
            out.append(UInt8(ascii: "\""))
            out.append(key)
            out.append("\": \"")
            ByteText.appendInteger(value, to: out)
            out.append("\", ")
        }
        // A number takes at most precision + 8 bytes (`-d.ddde-308`), and 4 more of quotes and
        // separators.
        let numberRoom = precision + 12
        out.append("\"x_to_fit\": [")
        for i in 0..<n {
            out.reserve(4 + d * numberRoom)
            if i > 0 {
                out.put(UInt8(ascii: ","))
                out.put(UInt8(ascii: " "))
            }
            out.put(UInt8(ascii: "["))
            for k in 0..<d {
                if k > 0 {
                    out.put(UInt8(ascii: ","))
                    out.put(UInt8(ascii: " "))
                }
                out.put(UInt8(ascii: "\""))
                ByteText.appendFormatE(x(i, k), precision: precision, to: out)
                out.put(UInt8(ascii: "\""))
            }
            out.put(UInt8(ascii: "]"))
        }
        out.append("], \"y_to_fit\": [")
        for i in 0..<n {
            out.reserve(6 + numberRoom)
            if i > 0 {
                out.put(UInt8(ascii: ","))
                out.put(UInt8(ascii: " "))
            }
            out.put(UInt8(ascii: "["))
            out.put(UInt8(ascii: "\""))
            ByteText.appendFormatE(y[i], precision: precision, to: out)
            out.put(UInt8(ascii: "\""))
            out.put(UInt8(ascii: "]"))
        }
        out.append("], \"tree\": ")
        ByteText.appendJSONString(tree.prefix, to: out)
        out.append(", \"skeleton_tree_encoded\": [")
        for (i, token) in skeletonTokens.enumerated() {
            if i > 0 { out.append(", ") }
            ByteText.appendJSONString(token, to: out)
        }
        out.append("]")
        if let t = targetProperty {
            out.append(", \"target_property\": ")
            out.append(JSONText.number(t))
        }
        out.append("}")
    }
}

/// Number and string spellings written directly as bytes.
enum ByteText {
    /// `10^k` for k in 0…22, all exact doubles.
    static let powersOfTen: [Double] = (0...22).map { PythonFloat.pow(10, Double($0)) }

    /// `10^k` for k in 0…18.
    static let integerPowersOfTen: [Int] = (0...18).map { k in (0..<k).reduce(1) { r, _ in r * 10 } }

    /// A decimal integer.
    static func appendInteger(_ value: Int, to out: ByteBuffer) {
        out.reserve(21)
        if value < 0 { out.put(UInt8(ascii: "-")) }
        let v = value.magnitude
        var divisor: UInt = 1
        while divisor <= v / 10 { divisor *= 10 }
        while divisor > 0 {
            out.put(UInt8(ascii: "0") + UInt8((v / divisor) % 10))
            divisor /= 10
        }
    }

    /// A JSON string as Python's `json.dumps` writes it (printable ASCII is copied as is).
    static func appendJSONString(_ s: String, to out: ByteBuffer) {
        let plain = s.utf8.allSatisfy { $0 >= 0x20 && $0 <= 0x7E && $0 != 0x22 && $0 != 0x5C }
        guard plain else { return out.append(JSONText.string(s)) }
        out.append(UInt8(ascii: "\""))
        out.append(s)
        out.append(UInt8(ascii: "\""))
    }

    /// C `printf("%.{precision}e", x)` (Python's `%` formatting gives the same text).
    ///
    /// Fast path: scale |x| by one exact power of ten so that the wanted mantissa m =
    /// round(|x|·10^k) has `precision` + 1 digits; that scaling rounds once, so its error is
    /// below 2^-53 relative (< 1e-9 absolute for precision ≤ 6). Whenever the scaled value lies
    /// within 1e-6 of a rounding tie, or x is zero, not finite, or needs |k| > 22, the C library
    /// formats it instead, so the text is always printf's.
    static func appendFormatE(_ x: Double, precision p: Int, to out: ByteBuffer) {
        let a = Swift.abs(x)
        let biased = Int(truncatingIfNeeded: a.bitPattern >> 52)
        // Zero, subnormals, infinities and NaN, and precisions outside 1...6 go to printf.
        guard biased > 0, biased < 0x7FF, p >= 1, p <= 6 else {
            return out.append(PythonFloat.formatE(x, precision: p))
        }
        // floor(log10 a): from the binary exponent (1233 / 4096 ≈ log10 2, the shift floors),
        // which gives it or one less, then one comparison.
        var e = ((biased - 1023) * 1233) >> 12
        guard e >= p - 23, e <= p + 21 else {
            return out.append(PythonFloat.formatE(x, precision: p))
        }
        if a >= decimalThresholds[e + 1 - thresholdOffset] { e += 1 }
        let low = p == 3 ? 1000 : integerPowersOfTen[p]
        let high = low * 10  // mantissas lie in [low, high)
        var mantissa = 0
        var settled = false
        for _ in 0..<3 {
            let k = p - e
            guard k >= -22 && k <= 22 else { break }
            let v = k >= 0 ? a * powersOfTen[k] : a / powersOfTen[-k]
            // 0 < v < 10^8 here, so truncation is the floor (no libm call on baseline x86-64).
            let whole = Int(v)
            let fraction = v - Double(whole)
            guard Swift.abs(fraction - 0.5) > 1e-6 else { break }
            let m = fraction > 0.5 ? whole + 1 : whole
            if m < low {
                e -= 1  // the threshold was a rounded power of ten; try one decade lower
            } else if m > high {
                e += 1
            } else {
                if m == high {  // rounds up into the next decade: 9.9996 → 1.000e+01
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
            return out.append(PythonFloat.formatE(x, precision: p))
        }
        // -d.ddde+XXX at most
        out.reserve(p + 8)
        if x < 0 { out.put(UInt8(ascii: "-")) }
        // d.ddd: the first digit, the point, then the other p digits, filled from the right.
        let start = out.base + out.count
        var m = mantissa
        for i in stride(from: p + 1, to: 1, by: -1) {
            start[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: m % 10)
            m /= 10
        }
        start[0] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: m)
        start[1] = UInt8(ascii: ".")
        out.skip(p + 2)
        out.put(UInt8(ascii: "e"))
        out.put(UInt8(ascii: e < 0 ? "-" : "+"))
        // at least two exponent digits (|e| < 100 here)
        let magnitude = Swift.abs(e)
        out.put(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude / 10))
        out.put(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10))
    }

    /// The first exponent of ``decimalThresholds``.
    static let thresholdOffset = -30

    /// `10^n` rounded to a double, for n in −30…30 (exact for n ≥ 0).
    static let decimalThresholds: [Double] = (-30...30).map { Double("1e\($0)")! }
}
