import Foundation

/// Python's float text conventions, which the reference's files and prefixes follow.
enum PythonFloat {
    /// Python's `repr(float)` / `str(float)`: shortest round-trip digits, fixed notation for
    /// decimal exponents in [-4, 16), otherwise `d.ddde±XX`.
    static func repr(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x < 0 ? "-inf" : "inf" }
        if x == 0 { return x.sign == .minus ? "-0.0" : "0.0" }
        let (negative, digits, exponent) = shortestDigits(x)
        // value = 0.d1d2... × 10^(exponent + 1), i.e. d1.d2... × 10^exponent
        var out = negative ? "-" : ""
        if exponent >= -4 && exponent < 16 {
            if exponent < 0 {
                out += "0." + String(repeating: "0", count: -exponent - 1) + digits
            } else if digits.count <= exponent + 1 {
                out += digits + String(repeating: "0", count: exponent + 1 - digits.count) + ".0"
            } else {
                let cut = digits.index(digits.startIndex, offsetBy: exponent + 1)
                out += digits[..<cut] + "." + digits[cut...]
            }
        } else {
            out += String(digits.first!)
            if digits.count > 1 { out += "." + digits.dropFirst() }
            let e = Swift.abs(exponent)
            out += (exponent < 0 ? "e-" : "e+") + (e < 10 ? "0\(e)" : "\(e)")
        }
        return out
    }

    /// The shortest round-trip significant digits of a finite non-zero `x` and its decimal
    /// exponent (value = d1.d2d3… × 10^exponent), from Swift's shortest `description`.
    static func shortestDigits(_ x: Double) -> (negative: Bool, digits: String, exponent: Int) {
        var text = Swift.abs(x).description
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(text[text.index(after: e)...])!
            text = String(text[..<e])
        }
        var intPart = text
        var fracPart = ""
        if let dot = text.firstIndex(of: ".") {
            intPart = String(text[..<dot])
            fracPart = String(text[text.index(after: dot)...])
        }
        var all = Array(intPart + fracPart)
        var pointPos = intPart.count  // digits before the decimal point
        while all.count > 1 && all.first == "0" {
            all.removeFirst()
            pointPos -= 1
        }
        while all.count > 1 && all.last == "0" { all.removeLast() }
        return (x < 0, String(all), exponent + pointPos - 1)
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
