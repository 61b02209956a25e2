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
            info: info, pointCount: x.count, dimension: d, x: { x[$0][$1] }, y: y,
            tree: { ByteText.appendJSONString(tree.prefix, to: $0) },
            skeletonTokens: { DataPrefixLine.appendTokens(skeletonTokens, to: $0) },
            targetProperty: targetProperty, precision: precision, to: buffer)
    }
}

extension AcceptedAttempt {
    /// Appends the sample's line (without the newline), reading the points from the columns.
    func appendDataPrefixLine(
        to buffer: ByteBuffer, precision: Int, targetProperty: Double?, skeletonTree: Bool
    ) {
        let simple = otherSkeletonTokens == nil
        DataPrefixLine.append(
            info: info, pointCount: y.count, dimension: columns.count,
            x: { columns[$1][$0] }, y: y,
            tree: { out in
                if skeletonTree && !simple {
                    return ByteText.appendJSONString(tree.skeleton.prefix, to: out)
                }
                out.append(UInt8(ascii: "\""))
                flat.appendTokens(to: out, skeleton: skeletonTree, separator: ",", quote: false)
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

/// The writer behind both line paths.
enum DataPrefixLine {
    @inline(__always)
    static func append(
        info: SampleInfo, pointCount n: Int, dimension d: Int, x: (Int, Int) -> Double,
        y: [Double], tree: (ByteBuffer) -> Void, skeletonTokens: (ByteBuffer) -> Void,
        targetProperty: Double?, precision: Int, to out: ByteBuffer
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
        let tables = FormatETables.shared
        if precision == 3 {
            appendPointsE3(pointCount: n, dimension: d, x: x, y: y, tables: tables, to: out)
        } else {
            appendPoints(
                pointCount: n, dimension: d, x: x, y: y, precision: precision,
                numberRoom: numberRoom, to: out)
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

    /// ``appendPoints(pointCount:dimension:x:y:precision:numberRoom:to:)`` for `%.3e`: room
    /// for all numbers reserved once and written through one local pointer.
    @inline(__always)
    static func appendPointsE3(
        pointCount n: Int, dimension d: Int, x: (Int, Int) -> Double, y: [Double],
        tables: FormatETables, to out: ByteBuffer
    ) {
        let comma = UInt8(ascii: ",")
        let space = UInt8(ascii: " ")
        let quote = UInt8(ascii: "\"")
        /// `count` rows of `width` numbers: `["a", "b"], ["c", "d"]` (y is rows of one number).
        func rows(count: Int, width: Int, _ value: (Int, Int) -> Double) {
            withUnsafeTemporaryAllocation(of: Int.self, capacity: Swift.max(count * width, 1)) { parts in
                // First the arithmetic of every number, then the bytes.
                for i in 0..<count {
                    for k in 0..<width { parts[i * width + k] = ByteText.partsE3(value(i, k), tables: tables) }
                }
                // A point: `, [` and `]`, and per number at most 11 bytes, its quotes and `, `.
                out.reserve(count * (4 + 15 * width))
                var p = out.base + out.count
                let begin = p
                for i in 0..<count {
                    if i > 0 {
                        p[0] = comma
                        p[1] = space
                        p += 2
                    }
                    p[0] = UInt8(ascii: "[")
                    p += 1
                    for k in 0..<width {
                        if k > 0 {
                            p[0] = comma
                            p[1] = space
                            p += 2
                        }
                        p[0] = quote
                        let number = parts[i * width + k]
                        p +=
                            1
                            + (number != 0
                                ? ByteText.writePartsE3(number, tables: tables, to: p + 1)
                                : ByteText.writeFormatE3Slowly(value(i, k), to: p + 1))
                        p[0] = quote
                        p += 1
                    }
                    p[0] = UInt8(ascii: "]")
                    p += 1
                }
                out.skip(p - begin)
            }
        }
        out.append("\"x_to_fit\": [")
        rows(count: n, width: d, x)
        out.append("], \"y_to_fit\": [")
        rows(count: n, width: 1) { i, _ in y[i] }
    }
}

extension DataPrefixLine {
    /// The points (`"x_to_fit": [...], "y_to_fit": [...`) in `%.{precision}e`.
    static func appendPoints(
        pointCount n: Int, dimension d: Int, x: (Int, Int) -> Double, y: [Double],
        precision: Int, numberRoom: Int, to out: ByteBuffer
    ) {
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

    /// C `printf("%.3e", x)`, the precision of every `data.prefix` file; the same text as
    /// ``appendFormatE(_:precision:to:)`` but about twice as fast.
    ///
    /// |x| is scaled by one power of ten from a table, 10^k rounded to a double for any k the
    /// result needs, so that v = |x|·10^k lies in [1000, 10000): two roundings, so v is within
    /// 3·10^-12 of the exact product, far inside the 1e-6 band around a rounding tie in which
    /// the C library formats the value instead. The decade comes from the binary exponent
    /// (1233 / 4096 ≈ log10 2: the exact floor(log10 |x|), one less, or, for negative
    /// exponents, one more), corrected by one comparison and by v itself. Zero, subnormals,
    /// |x| below about 1e-305, infinities and NaN go to printf.
    @inline(__always)
    static func appendFormatE3(_ x: Double, tables: FormatETables, to out: ByteBuffer) {
        out.reserve(11)  // -d.ddde+XXX at most
        let written = formatE3(x, tables: tables, to: out.base + out.count)
        if written == 0 {
            out.append(PythonFloat.formatE(x, precision: 3))
        } else {
            out.skip(written)
        }
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

    /// Writes `%.3e` of `x` at `start` (room for 11 bytes) and returns the byte count, or
    /// returns 0 without writing when printf must format it (see ``appendFormatE3``).
    @inline(__always)
    static func formatE3(_ x: Double, tables: FormatETables, to start: UnsafeMutablePointer<UInt8>)
        -> Int
    {
        let parts = partsE3(x, tables: tables)
        return parts == 0 ? 0 : writePartsE3(parts, tables: tables, to: start)
    }

    /// What `%.3e` of `x` writes, packed in an integer: the four digits (1000…9999), the
    /// decimal exponent + 512 in bits 16…25 and the sign in bit 31; or 0 when printf must
    /// format `x` (see ``appendFormatE3``). Splitting the arithmetic from the writing lets the
    /// arithmetic of many numbers overlap (no number waits for the length of the one before).
    @inline(__always)
    static func partsE3(_ x: Double, tables: FormatETables) -> Int {
        let bits = x.bitPattern
        let biased = Int(truncatingIfNeeded: (bits >> 52) & 0x7FF)
        guard biased > 0, biased < 0x7FF else { return 0 }
        let a = Double(bitPattern: bits & 0x7FFF_FFFF_FFFF_FFFF)
        let scales = tables.scales
        var e = ((biased - 1023) * 1233) >> 12
        if a >= scales[e + 1] { e += 1 }
        var k = 3 - e
        guard k < FormatETables.largestScale else { return 0 }
        var v = a * scales[k]
        if v < 1000 {  // the estimate was one decade high
            e -= 1
            k += 1
            guard k < FormatETables.largestScale else { return 0 }
            v = a * scales[k]
        }
        // 1000 ≤ v < 10001 here, so truncation is the floor and the subtraction is exact.
        var mantissa = Int(v)
        let fraction = v - Double(mantissa)
        guard Swift.abs(fraction - 0.5) > 1e-6 else { return 0 }
        if fraction > 0.5 { mantissa += 1 }
        if mantissa >= 10_000 {  // 9.9996 → 1.000e+01
            guard mantissa == 10_000 else { return 0 }
            mantissa = 1000
            e += 1
        }
        return mantissa | (e + 512) << 16 | Int(truncatingIfNeeded: bits >> 63) << 31
    }

    /// Writes the text of non-zero ``partsE3(_:tables:)`` at `start` (room for 11 bytes) and
    /// returns the byte count.
    @inline(__always)
    static func writePartsE3(
        _ parts: Int, tables: FormatETables, to start: UnsafeMutablePointer<UInt8>
    ) -> Int {
        let mantissa = parts & 0xFFFF
        let e = ((parts >> 16) & 0x3FF) - 512
        let pairs = tables.pairs
        var n = 0
        if parts >> 31 != 0 {
            start[0] = UInt8(ascii: "-")
            n = 1
        }
        // d.ddd from two digit pairs
        let high = pairs[mantissa / 100]
        start[n] = UInt8(truncatingIfNeeded: high)
        start[n + 1] = UInt8(ascii: ".")
        start[n + 2] = UInt8(truncatingIfNeeded: high >> 8)
        UnsafeMutableRawPointer(start + n + 3).storeBytes(
            of: pairs[mantissa % 100], as: UInt16.self)
        start[n + 5] = UInt8(ascii: "e")
        start[n + 6] = UInt8(ascii: e < 0 ? "-" : "+")
        let magnitude = Swift.abs(e)  // at least two digits
        if magnitude < 100 {
            UnsafeMutableRawPointer(start + n + 7).storeBytes(of: pairs[magnitude], as: UInt16.self)
            return n + 9
        }
        start[n + 7] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude / 100)
        UnsafeMutableRawPointer(start + n + 8).storeBytes(
            of: pairs[magnitude % 100], as: UInt16.self)
        return n + 10
    }

    /// The first exponent of ``decimalThresholds``.
    static let thresholdOffset = -30

    /// `10^n` rounded to a double, for n in −30…30 (exact for n ≥ 0).
    static let decimalThresholds: [Double] = (-30...30).map { Double("1e\($0)")! }
}

/// The tables of ``ByteText/formatE3(_:tables:to:)``, made once and read through pointers (a
/// `static let` array would be checked for initialisation and bounds on every number).
struct FormatETables: @unchecked Sendable {
    /// `scales[k]` is 10^k rounded to a double (exact for 0…22), for k in −325…308 (the table
    /// starts at `scales - 325`).
    let scales: UnsafePointer<Double>
    /// The ASCII digits of 0…99 as two bytes, tens first in memory (little-endian).
    let pairs: UnsafePointer<UInt16>

    /// One more than the largest k with a finite 10^k.
    static let largestScale = 309
    private static let smallestScale = -325

    static let shared = FormatETables()

    private init() {
        let count = Self.largestScale - Self.smallestScale
        let table = UnsafeMutablePointer<Double>.allocate(capacity: count)
        for k in Self.smallestScale..<Self.largestScale {
            table[k - Self.smallestScale] = Double("1e\(k)")!
        }
        scales = UnsafePointer(table - Self.smallestScale)
        let digits = UnsafeMutablePointer<UInt16>.allocate(capacity: 100)
        for i in 0..<100 {
            digits[i] = UInt16(48 + i / 10) | UInt16(48 + i % 10) << 8  // little-endian bytes
        }
        pairs = UnsafePointer(digits)
    }
}
