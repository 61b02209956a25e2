import Foundation

/// Python's float text conventions, which the reference's files and prefixes follow.
enum PythonFloat {
    /// Python's `repr(float)` / `str(float)`: shortest round-trip digits, fixed notation for
    /// decimal exponents in [-4, 16), otherwise `d.ddde±XX`.
    static func repr(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, exponent) = shortestDigitBytes(x)
        // value = d1.d2... × 10^exponent
        var out: [UInt8] = []
        out.reserveCapacity(digits.count + 8)
        if negative { out.append(UInt8(ascii: "-")) }
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 {
                out.append(UInt8(ascii: "0"))
                out.append(UInt8(ascii: "."))
                for _ in 0..<(-exponent - 1) { out.append(UInt8(ascii: "0")) }
                out.append(contentsOf: digits)
            } else if digits.count <= exponent + 1 {
                out.append(contentsOf: digits)
                for _ in 0..<(exponent + 1 - digits.count) { out.append(UInt8(ascii: "0")) }
                out.append(UInt8(ascii: "."))
                out.append(UInt8(ascii: "0"))
            } else {
                out.append(contentsOf: digits[..<(exponent + 1)])
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[(exponent + 1)...])
            }
        } else {
            out.append(digits[0])
            if digits.count > 1 {
                out.append(UInt8(ascii: "."))
                out.append(contentsOf: digits[1...])
            }
            out.append(UInt8(ascii: "e"))
            out.append(UInt8(ascii: exponent < 0 ? "-" : "+"))
            let e = Swift.abs(exponent)
            if e < 10 { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: String(e).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The shortest round-trip significant digits of a finite non-zero `x` and its decimal
    /// exponent (value = d1.d2d3… × 10^exponent), from Swift's shortest `description`.
    static func shortestDigits(_ x: Double) -> (negative: Bool, digits: String, exponent: Int) {
        let (negative, digits, exponent) = shortestDigitBytes(x)
        return (negative, String(decoding: digits, as: UTF8.self), exponent)
    }

    /// ``shortestDigits(_:)`` with the digits as ASCII bytes.
    private static func shortestDigitBytes(_ x: Double)
        -> (negative: Bool, digits: [UInt8], exponent: Int)
    {
        // `description` is `[-]ddd.ddd` or `[-]d.ddde±XX`.
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        var pointPosition: Int? = nil  // digits before the decimal point
        var exponent = 0
        var text = Swift.abs(x).description
        text.withUTF8 { bytes in
            var i = 0
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ".") {
                    pointPosition = digits.count
                } else if b == UInt8(ascii: "e") || b == UInt8(ascii: "E") {
                    exponent = Int(String(decoding: bytes[(i + 1)...], as: UTF8.self))!
                    break
                } else {
                    digits.append(b)
                }
                i += 1
            }
        }
        var point = pointPosition ?? digits.count
        var leadingZeros = 0
        while leadingZeros < digits.count - 1 && digits[leadingZeros] == UInt8(ascii: "0") {
            leadingZeros += 1
        }
        digits.removeFirst(leadingZeros)
        point -= leadingZeros
        while digits.count > 1 && digits.last == UInt8(ascii: "0") { digits.removeLast() }
        return (x < 0, digits, exponent + point - 1)
    }

    /// C `printf("%.{precision}e", x)`, with Python's spelling of NaN and infinities.
    static func formatE(_ x: Double, precision: Int) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        var buffer = [CChar](repeating: 0, count: 64)
        let format = "%.\(precision)e"
        let count = withVaList([x]) { args in
            buffer.withUnsafeMutableBufferPointer { vsnprintf($0.baseAddress, 64, format, args) }
        }
        precondition(count > 0 && count < 64, "formatE: unexpected snprintf result")
        return String(decoding: buffer[0..<Int(count)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Python's `text.lstrip("-").isdigit()` for texts that parse as floats: `-?[0-9]+`.
    static func isIntegerLiteral(_ text: String) -> Bool {
        var body = Substring(text)
        while body.first == "-" { body = body.dropFirst() }
        return !body.isEmpty && body.utf8.allSatisfy { $0 >= 48 && $0 <= 57 }
    }

    /// Python's `float(text)` for the literals expression files use: an optional sign, decimal
    /// digits with an optional point and exponent, or `inf`/`infinity`/`nan` (any case).
    static func parse(_ text: String) -> Double? {
        var text = text
        let valid: Bool? = text.withUTF8 { bytes in
            var i = 0
            if i < bytes.count, bytes[i] == 43 || bytes[i] == 45 { i += 1 }  // + -
            // inf, infinity, nan in any case: let the scan below fail and check here.
            let rest = bytes.count - i
            if rest == 3 || rest == 8 {
                var word = ""
                for k in i..<bytes.count { word.unicodeScalars.append(Unicode.Scalar(bytes[k] | 0x20)) }
                if word == "inf" || word == "infinity" || word == "nan" { return nil }
            }
            // digits [. digits] [e [+-] digits], at least one mantissa digit
            func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }
            var mantissaDigits = 0
            while i < bytes.count, isDigit(bytes[i]) {
                i += 1
                mantissaDigits += 1
            }
            if i < bytes.count, bytes[i] == 46 {
                i += 1
                while i < bytes.count, isDigit(bytes[i]) {
                    i += 1
                    mantissaDigits += 1
                }
            }
            guard mantissaDigits > 0 else { return false }
            if i < bytes.count, bytes[i] == 101 || bytes[i] == 69 {
                i += 1
                if i < bytes.count, bytes[i] == 43 || bytes[i] == 45 { i += 1 }
                var expDigits = 0
                while i < bytes.count, isDigit(bytes[i]) {
                    i += 1
                    expDigits += 1
                }
                guard expDigits > 0 else { return false }
            }
            return i == bytes.count
        }
        switch valid {
        case true?: return Double(text)
        case false?: return nil
        case nil:
            // inf / infinity / nan with an optional sign
            let negative = text.first == "-"
            let word = text.drop { $0 == "+" || $0 == "-" }.lowercased()
            if word == "nan" { return .nan }
            return negative ? -.infinity : .infinity
        }
    }
}

extension PythonFloat {
    /// C `pow`, as Python's float power uses it.
    static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}
