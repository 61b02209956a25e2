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
        let n = x.count
        let d = x.first?.count ?? 0
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(n * d, 1)) { rows in
            for (i, point) in x.enumerated() {
                precondition(point.count == d, "points of unequal dimension")
                for k in 0..<d { rows[i * d + k] = point[k] }
            }
            y.withUnsafeBufferPointer { y in
                DataPrefixLine.append(
                    info: info, x: UnsafeBufferPointer(rows), pointCount: n, dimension: d, y: y,
                    tree: { ByteText.appendJSONString(tree.prefix, to: $0) },
                    skeletonTokens: { DataPrefixLine.appendTokens(skeletonTokens, to: $0) },
                    targetProperty: targetProperty, precision: precision, to: buffer)
            }
        }
    }
}

extension AcceptedAttempt {
    /// Appends the sample's line (without the newline), reading the points from the columns.
    func appendDataPrefixLine(
        to buffer: ByteBuffer, precision: Int, targetProperty: Double?, skeletonTree: Bool
    ) {
        let simple = otherSkeletonTokens == nil
        withPointRows { x in
            y.withUnsafeBufferPointer { y in
                DataPrefixLine.append(
                    info: info, x: x, pointCount: y.count, dimension: columns.count, y: y,
                    tree: { out in
                        if skeletonTree && !simple {
                            return ByteText.appendJSONString(tree.skeleton.prefix, to: out)
                        }
                        out.append(UInt8(ascii: "\""))
                        flat.appendTokens(
                            to: out, skeleton: skeletonTree, separator: ",", quote: false)
                        out.append(UInt8(ascii: "\""))
                    },
                    skeletonTokens: { out in
                        if let tokens = otherSkeletonTokens {
                            DataPrefixLine.appendTokens(tokens, to: out)
                        } else {
                            flat.appendTokens(to: out, skeleton: true, separator: ", ", quote: true)
                        }
                    },
                    targetProperty: targetProperty, precision: precision, to: buffer)
            }
        }
    }

    /// Calls `body` with the points as rows, [n][d] row-major: the column itself when d = 1.
    private func withPointRows(_ body: (UnsafeBufferPointer<Double>) -> Void) {
        let n = y.count
        let d = columns.count
        for column in columns { precondition(column.count >= n, "a column shorter than y") }
        if d == 1 { return columns[0].withUnsafeBufferPointer(body) }
        withUnsafeTemporaryAllocation(of: Double.self, capacity: Swift.max(n * d, 1)) { rows in
            for (k, column) in columns.enumerated() {
                column.withUnsafeBufferPointer { column in
                    for i in 0..<n { rows[i &* d &+ k] = column[i] }
                }
            }
            body(UnsafeBufferPointer(rows))
        }
    }
}

/// The writer behind both line paths.
enum DataPrefixLine {
    /// Appends a line: the info fields, `x` ([pointCount][dimension], row-major) and `y` as
    /// rows, the tree and the skeleton's tokens (written by the callers' closures) and the
    /// target property if any.
    @inline(__always)
    static func append(
        info: SampleInfo, x: UnsafeBufferPointer<Double>, pointCount n: Int, dimension d: Int,
        y: UnsafeBufferPointer<Double>, tree: (ByteBuffer) -> Void,
        skeletonTokens: (ByteBuffer) -> Void, targetProperty: Double?, precision: Int,
        to out: ByteBuffer
    ) {
        // The info fields in the order of `SampleInfo.keys`, each value a JSON string, spelled
        // out (a loop over the keys and `info.values` costs 1.2 % of `snip generate`); the
        // byte-line tests compare this writer with the plain one, which loops over the keys.
        out.append("{\"n_input_points\": \"")
        ByteText.appendInteger(info.inputPointCount, to: out)
        out.append("\", \"n_unary_ops\": \"")
        ByteText.appendInteger(info.unaryOperatorCount, to: out)
        out.append("\", \"n_binary_ops\": \"")
        ByteText.appendInteger(info.binaryOperatorCount, to: out)
        out.append("\", \"d_in\": \"")
        ByteText.appendInteger(info.inputDimension, to: out)
        out.append("\", \"d_out\": \"")
        ByteText.appendInteger(info.outputDimension, to: out)
        out.append("\", \"input_distribution_type\": \"")
        ByteText.appendInteger(info.inputDistributionType, to: out)
        out.append("\", \"n_centroids\": \"")
        ByteText.appendInteger(info.centroidCount, to: out)
        out.append("\", \"x_to_fit\": [")
        if precision == 3 {
            let tables = FormatETables.shared
            appendRowsE3(x, count: n, width: d, tables: tables, to: out)
            out.append("], \"y_to_fit\": [")
            appendRowsE3(y, count: y.count, width: 1, tables: tables, to: out)
        } else {
            appendRows(x, count: n, width: d, precision: precision, to: out)
            out.append("], \"y_to_fit\": [")
            appendRows(y, count: y.count, width: 1, precision: precision, to: out)
        }
        out.append("], \"tree\": ")
        tree(out)
        out.append(", \"skeleton_tree_encoded\": [")
        skeletonTokens(out)
        out.append("]")
        if let t = targetProperty {
            out.append(", \"target_property\": ")
            out.append(JSONText.number(t))
        }
        out.append("}")
    }

    /// ``appendRowsE3(_:count:width:tables:to:)`` in `%.{precision}e`.
    static func appendRows(
        _ values: UnsafeBufferPointer<Double>, count: Int, width: Int, precision: Int,
        to out: ByteBuffer
    ) {
        precondition(values.count >= count * width, "fewer values than rows need")
        // A number takes at most precision + 8 bytes (`-d.ddde-308`), and 4 more of quotes and
        // separators.
        let numberRoom = precision + 12
        for i in 0..<count {
            out.reserve(4 + width * numberRoom)
            if i > 0 {
                out.put(UInt8(ascii: ","))
                out.put(UInt8(ascii: " "))
            }
            out.put(UInt8(ascii: "["))
            for k in 0..<width {
                if k > 0 {
                    out.put(UInt8(ascii: ","))
                    out.put(UInt8(ascii: " "))
                }
                out.put(UInt8(ascii: "\""))
                ByteText.appendFormatE(values[i * width + k], precision: precision, to: out)
                out.put(UInt8(ascii: "\""))
            }
            out.put(UInt8(ascii: "]"))
        }
    }
}

extension DataPrefixLine {
    /// The tokens as JSON strings separated by `, `.
    static func appendTokens(_ tokens: [String], to out: ByteBuffer) {
        for (i, token) in tokens.enumerated() {
            if i > 0 { out.append(", ") }
            ByteText.appendJSONString(token, to: out)
        }
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
        out.reserve(20)
        if value < 0 { out.put(UInt8(ascii: "-")) }
        var v = value.magnitude
        var digits = 1
        var rest = v / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        // Filled from the last digit.
        let start = out.base + out.count
        var i = digits
        repeat {
            i -= 1
            start[i] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: v % 10)
            v /= 10
        } while i > 0
        out.skip(digits)
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

    /// Writes `%.3e` of `x` by printf at `start` (room for 11 bytes, which any double's text
    /// fits) and returns the byte count.
    @inline(never)
    static func writeFormatE3Slowly(_ x: Double, to start: UnsafeMutablePointer<UInt8>) -> Int {
        var text = PythonFloat.formatE(x, precision: 3)
        return text.withUTF8 { bytes in
            precondition(bytes.count <= 11, "%.3e longer than 11 bytes")
            start.update(from: bytes.baseAddress!, count: bytes.count)
            return bytes.count
        }
    }

    /// The first exponent of ``decimalThresholds``.
    static let thresholdOffset = -30

    /// `10^n` rounded to a double, for n in −30…30 (exact for n ≥ 0).
    static let decimalThresholds: [Double] = (-30...30).map { Double("1e\($0)")! }
}
