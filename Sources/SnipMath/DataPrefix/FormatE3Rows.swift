/// Rows of numbers in C's `%.3e`, the precision of every `data.prefix` file, written a few wide
/// stores per number: `["1.234e+00", "-5.678e-09"], ["9.000e+100", …]`.
///
/// How a number is found exact: |x| is scaled by one power of ten from a table, 10^k rounded to
/// a double, so that v = |x|·10^k lies in [1000, 10000]: two roundings, so v is within
/// 3·10^-12 of the exact product, far inside the 1e-6 band around a rounding tie (kkkk.5) in
/// which the C library formats the number instead. Outside that band the four digits are
/// round(v), whatever the two roundings did. The decade comes from the binary exponent
/// (1233 / 4096 ≈ log10 2: the exact floor(log10 |x|), one less, or, for negative exponents,
/// one more), corrected by one comparison with the rounded power of ten and by v itself.
/// Zero, subnormals, |x| below about 1e-305, infinities and NaN meet a factor 10^k ≥ 10^309
/// (+∞ in the table) or are themselves not finite, so v is not finite and fails the band test:
/// printf formats them too, without a check of their own on the fast path.
///
/// The bytes are little-endian packed words: `d.ddd` from a digit-pair table, `e±XX` or
/// `e±XXX` from a table by exponent, then the separator, each one unaligned 8-byte store; a
/// minus sign is stored always and kept by advancing one byte. Every store may write up to 8
/// bytes past the text it is for; later stores or the reserved slack take them.
extension DataPrefixLine {
    /// The separator after a number that ends its row: `"], ["` (6 bytes, little-endian).
    static let rowSeparator: UInt64 = 0x22_5B_20_2C_5D_22
    /// The separator after a number inside its row: `", "` (4 bytes, little-endian).
    static let numberSeparator: UInt64 = 0x22_20_2C_22

    /// Appends `count` rows of `width` numbers, `values` row-major ([count][width]), as
    /// `["a", "b"], ["c", "d"]` in `%.3e`; nothing when there are no rows.
    @inline(__always)
    static func appendRowsE3(
        _ values: UnsafeBufferPointer<Double>, count: Int, width: Int, tables: FormatETables,
        to out: ByteBuffer
    ) {
        precondition(values.count >= count * width, "fewer values than rows need")
        guard width > 0, count > 0, let source = values.baseAddress else {
            for i in 0..<(width == 0 ? count : 0) {  // rows without numbers
                if i > 0 { out.append(", ") }
                out.append("[]")
            }
            return
        }
        // `["` once; per number at most 11 bytes of text and 6 of separator; the last store
        // reaches 8 bytes past its separator.
        out.reserve(2 + count * width * 17 + 8)
        let start = out.base + out.count
        start[0] = UInt8(ascii: "[")
        start[1] = UInt8(ascii: "\"")
        var p = start + 2
        if width == 1 {  // the common case, and y
            // Runs of numbers without a call in the loop (so that its constants stay in
            // registers), each ended by one that printf formats.
            var x = source
            let end = source + count
            while x < end {
                while x < end {
                    guard let next = tables.writeE3(
                        x.pointee, separator: rowSeparator, separatorCount: 6, at: p)
                    else { break }
                    p = next
                    x += 1
                }
                if x < end {
                    p = tables.writeE3Slowly(
                        x.pointee, separator: rowSeparator, separatorCount: 6, at: p)
                    x += 1
                }
            }
        } else {
            var x = source
            for _ in 0..<count {
                for _ in 1..<width {
                    p =
                        tables.writeE3(x[0], separator: numberSeparator, separatorCount: 4, at: p)
                        ?? tables.writeE3Slowly(
                            x[0], separator: numberSeparator, separatorCount: 4, at: p)
                    x += 1
                }
                p =
                    tables.writeE3(x[0], separator: rowSeparator, separatorCount: 6, at: p)
                    ?? tables.writeE3Slowly(x[0], separator: rowSeparator, separatorCount: 6, at: p)
                x += 1
            }
        }
        out.skip(p - 4 - start)  // the last row keeps `"]` of its separator
    }
}

extension FormatETables {
    /// `1.5·2^52`: adding it to 0 ≤ v < 2^51 rounds v to an integer held in the low bits.
    static var roundingBias: Double { 6_755_399_441_055_744 }
    /// The largest |v − round(v)| the fast path accepts: outside 1e-6 of a tie.
    static var tieMargin: Double { 0.5 - 1e-6 }

    /// The four significant digits of `%.3e` of |x| as an integer 1000…9999 and the decimal
    /// exponent (|x| ≈ mantissa · 10^(e − 3)); nil when printf must decide (near a rounding tie,
    /// zero, subnormals, infinities, NaN).
    @inline(__always)
    func fourDigits(_ x: Double) -> (mantissa: Int, exponent: Int)? {
        let bits = x.bitPattern
        let a = Double(bitPattern: bits & 0x7FFF_FFFF_FFFF_FFFF)
        var e = decadeGuess(Int(truncatingIfNeeded: bits &>> 52))
        if a >= scale(e &+ 1) { e &+= 1 }
        var v = a * fourDigitScale(e)
        if !(v >= 1000) {  // the decade was one too high (or v is NaN, which stays NaN)
            e &-= 1
            v = a * fourDigitScale(e)
        }
        // round(v) lands in the low bits of v + 1.5·2^52; v − round(v) is exact. Not finite
        // v (see the top of this file) fails the comparison.
        let shifted = v + Self.roundingBias
        guard Swift.abs(v - (shifted - Self.roundingBias)) < Self.tieMargin else { return nil }
        var mantissa = Int(truncatingIfNeeded: shifted.bitPattern & 0xFFFF_FFFF)
        if mantissa >= 10_000 {  // 9.9996 → 1.000e+01
            guard mantissa == 10_000 else { return nil }
            mantissa = 1000
            e &+= 1
        }
        return (mantissa, e)
    }

    /// Writes `%.3e` of `x` and then `separator` (its low `separatorCount` bytes) at `p`, and
    /// returns the end of the separator; or returns nil when printf must format `x`
    /// (``writeE3Slowly(_:separator:separatorCount:at:)``). `p` needs room for 17 bytes and 8
    /// of slack.
    @inline(__always)
    func writeE3(
        _ x: Double, separator: UInt64, separatorCount: Int, at p: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8>? {
        guard let (mantissa, e) = fourDigits(x) else { return nil }
        let bits = x.bitPattern
        let high = (mantissa &* 5243) &>> 19  // mantissa / 100, exact below 43,699
        let low = mantissa &- high &* 100
        let digits = pointedPair(high) | shiftedPair(low)  // d.ddd
        let exponentText = exponent(e)  // e±XX or e±XXX, and a length in the top byte
        p[0] = UInt8(ascii: "-")
        let text = p + Int(truncatingIfNeeded: bits &>> 63)  // past the sign if negative
        UnsafeMutableRawPointer(text).storeBytes(of: digits, as: UInt64.self)
        UnsafeMutableRawPointer(text + 5).storeBytes(of: exponentText, as: UInt64.self)
        // The text, exponent included, and a row's separator end at text + exponentText >> 56.
        let end = text + Int(truncatingIfNeeded: exponentText &>> 56) - (6 - separatorCount)
        UnsafeMutableRawPointer(end - separatorCount).storeBytes(of: separator, as: UInt64.self)
        return end
    }

    /// ``writeE3(_:separator:separatorCount:at:)`` by printf; it never fails.
    @inline(never)
    func writeE3Slowly(
        _ x: Double, separator: UInt64, separatorCount: Int, at p: UnsafeMutablePointer<UInt8>
    ) -> UnsafeMutablePointer<UInt8> {
        let end = p + ByteText.writeFormatE3Slowly(x, to: p)
        UnsafeMutableRawPointer(end).storeBytes(of: separator, as: UInt64.self)
        return end + separatorCount
    }
}

/// The tables of ``FormatETables/writeE3(_:separator:separatorCount:at:)``, made once in one
/// block and read through one pointer at fixed offsets (a `static let` array would be checked
/// for initialisation and bounds on every number, and a pointer per table would crowd the
/// registers of the writing loop).
struct FormatETables: @unchecked Sendable {
    /// The block: ``scale(_:)``, ``fourDigitScale(_:)``, ``exponent(_:)``, ``shiftedPair(_:)``,
    /// ``pointedPair(_:)``, ``decadeGuess(_:)`` in turn.
    private let base: UnsafeRawPointer

    // The layout, as computed constants so that the loads fold them into their addresses.
    private static var scaleRange: ClosedRange<Int> { -325...312 }
    private static var decadeRange: ClosedRange<Int> { -310...310 }
    private static var exponentRange: ClosedRange<Int> { -330...330 }
    private static var scaleZero: Int { 8 * 325 }  // the offset of 10^0
    private static var fourDigitScaleZero: Int { 8 * 638 + 8 * 310 }  // that of decade 0
    private static var exponentZero: Int { 8 * (638 + 621) + 8 * 330 }  // that of e+00
    private static var shiftedPairOffset: Int { 8 * (638 + 621 + 661) }
    private static var pointedPairOffset: Int { shiftedPairOffset + 8 * 100 }
    private static var decadeGuessOffset: Int { pointedPairOffset + 8 * 100 }
    private static var size: Int { decadeGuessOffset + 2 * 4096 }

    /// 10^k rounded to a double (exact for 0…22), for k in −325…312: +∞ from 309 on.
    @inline(__always)
    func scale(_ k: Int) -> Double {
        base.load(fromByteOffset: Self.scaleZero + k &* 8, as: Double.self)
    }

    /// 10^(3 − e) rounded to a double, for e in −310…310: the factor that brings a number of
    /// decade e to 1000…9999; +∞ from e = −306 down.
    @inline(__always)
    func fourDigitScale(_ e: Int) -> Double {
        base.load(fromByteOffset: Self.fourDigitScaleZero + e &* 8, as: Double.self)
    }

    /// For e in −330…330, the bytes of `e±XX` (or `e±XXX`), little-endian, and in the top byte
    /// the length of a number's text with this exponent, 5 + 4 (or 5), plus 6 for the separator
    /// after a row, `"], ["`.
    @inline(__always)
    func exponent(_ e: Int) -> UInt64 {
        base.load(fromByteOffset: Self.exponentZero + e &* 8, as: UInt64.self)
    }

    /// The ASCII digits of 0…99 as two bytes, tens first in memory, moved up by three bytes (to
    /// follow ``pointedPair(_:)``).
    @inline(__always)
    func shiftedPair(_ i: Int) -> UInt64 {
        base.load(fromByteOffset: Self.shiftedPairOffset + i &* 8, as: UInt64.self)
    }

    /// The digits of 10…99 as `d.d` (three bytes, little-endian): the start of a mantissa.
    @inline(__always)
    func pointedPair(_ i: Int) -> UInt64 {
        base.load(fromByteOffset: Self.pointedPairOffset + i &* 8, as: UInt64.self)
    }

    /// The guess at floor(log10 |x|) from the top 12 bits of x (sign and biased exponent b):
    /// ⌊(b − 1023)·1233 / 4096⌋ (1233 / 4096 ≈ log10 2), which is the floor, one less, or, for
    /// negative exponents, one more.
    @inline(__always)
    func decadeGuess(_ top: Int) -> Int {
        Int(base.load(fromByteOffset: Self.decadeGuessOffset + top &* 2, as: Int16.self))
    }

    /// ``scale(_:)`` while the block is being made.
    private static func scale(_ k: Int, in block: UnsafeMutableRawPointer) -> Double {
        block.load(fromByteOffset: scaleZero + 8 * k, as: Double.self)
    }

    /// The tables.
    static let shared = FormatETables()

    private init() {
        let block = UnsafeMutableRawPointer.allocate(byteCount: Self.size, alignment: 16)
        precondition(
            Self.scaleRange.count == 638 && Self.decadeRange.count == 621
                && Self.exponentRange.count == 661
                && Self.scaleZero == 8 * -Self.scaleRange.lowerBound
                && Self.fourDigitScaleZero == 8 * (638 - Self.decadeRange.lowerBound)
                && Self.exponentZero == 8 * (638 + 621 - Self.exponentRange.lowerBound),
            "FormatETables layout")
        for k in Self.scaleRange {
            let value = k > 308 ? Double.infinity : Double("1e\(k)")!
            block.storeBytes(of: value, toByteOffset: Self.scaleZero + 8 * k, as: Double.self)
        }
        for e in Self.decadeRange {
            let k = 3 - e  // within the scales but for 313, +∞ like them from 309 on
            let value = k > 308 ? Double.infinity : Self.scale(k, in: block)
            block.storeBytes(
                of: value, toByteOffset: Self.fourDigitScaleZero + 8 * e, as: Double.self)
        }
        for e in Self.exponentRange {
            // e, the sign, then two or three digits
            let magnitude = UInt64(Swift.abs(e))
            var word = UInt64(UInt8(ascii: "e")) | UInt64(UInt8(ascii: e < 0 ? "-" : "+")) << 8
            var count: UInt64 = 4
            if magnitude >= 100 {
                word |= (48 + magnitude / 100) << 16
                count = 5
            }
            word |= (48 + magnitude / 10 % 10) << (8 * (count - 2))
            word |= (48 + magnitude % 10) << (8 * (count - 1))
            block.storeBytes(
                of: word | (5 + count + 6) << 56, toByteOffset: Self.exponentZero + 8 * e,
                as: UInt64.self)
        }
        for i in 0..<100 {
            let tens = UInt64(48 + i / 10)
            let units = UInt64(48 + i % 10)
            block.storeBytes(
                of: (tens | units << 8) << 24, toByteOffset: Self.shiftedPairOffset + 8 * i,
                as: UInt64.self)
            block.storeBytes(
                of: tens | UInt64(UInt8(ascii: ".")) << 8 | units << 16,
                toByteOffset: Self.pointedPairOffset + 8 * i, as: UInt64.self)
        }
        for top in 0..<4096 {
            let guess = Int16((((top & 0x7FF) - 1023) * 1233) >> 12)
            block.storeBytes(
                of: guess, toByteOffset: Self.decadeGuessOffset + 2 * top, as: Int16.self)
        }
        base = UnsafeRawPointer(block)
    }
}
