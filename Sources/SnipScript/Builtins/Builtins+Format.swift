import Foundation

/// Formatted text: Python's `format` mini-language and C's `printf`.
extension Builtins {
    static let formatting: [Builtin] = [
        Builtin("format", .language, [.req("template")], variadic: "values", doc: """
            The template with each {} replaced by the next value, as Python's str.format: \
            format("{:.3f} {:>8}", pi, "x") is "3.142        x". A field is {[index][:spec]}, spec \
            [[fill]align][sign][0][width][,][.precision][type], align < > ^, type f e g d % s \
            ({} alone prints as print does); {{ and }} are braces. A vector formats element by element.
            """) { _, a in
            .string(try formatTemplate(try a.string("template"), a.rest, at: a.range("template")))
        },
        Builtin("sprintf", .language, [.req("template")], variadic: "values", doc: """
            The template with each %-conversion replaced by the next value, as C's printf: \
            sprintf("%5.2f|%-4d|%s", pi, 7, "x") is " 3.14|7   |x". Conversions d i f F e E g G x o \
            s and %%, with flags - + 0 space # and a width and precision.
            """) { _, a in
            .string(try printfTemplate(try a.string("template"), a.rest, at: a.range("template")))
        },
    ]

    // MARK: format

    static func formatTemplate(_ template: String, _ values: [Value], at range: SourceRange) throws -> String {
        var out = ""
        var chars = Array(template)[...]
        var next = 0
        func fail(_ why: String) -> Diagnostic { Diagnostic(.value, "format: \(why)", at: range) }
        while let c = chars.popFirst() {
            if c == "}" {
                guard chars.first == "}" else { throw fail("a single '}' (write '}}' for a brace)") }
                chars.removeFirst()
                out.append("}")
                continue
            }
            guard c == "{" else { out.append(c); continue }
            if chars.first == "{" {
                chars.removeFirst()
                out.append("{")
                continue
            }
            guard let close = chars.firstIndex(of: "}") else { throw fail("a '{' is never closed") }
            let field = String(chars[chars.startIndex..<close])
            chars = chars[(close + 1)...]
            let parts = field.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let indexText = parts.first.map(String.init) ?? ""
            let spec = parts.count > 1 ? String(parts[1]) : ""
            let k: Int
            if indexText.isEmpty {
                k = next
                next += 1
            } else {
                guard let i = Int(indexText), i >= 0 else { throw fail("'{\(field)}': the field must be a position") }
                k = i
            }
            guard k < values.count else {
                throw fail("the template asks for value \(k + 1), but \(values.count) \(values.count == 1 ? "is" : "are") given")
            }
            out += try formatValue(values[k], FormatSpec(spec, fail: fail), fail: fail)
        }
        return out
    }

    /// A parsed `[[fill]align][sign][0][width][,][.precision][type]`.
    struct FormatSpec {
        var fill: Character = " "
        var align: Character?
        var sign: Character = "-"
        var width = 0
        var grouping = false
        var precision: Int?
        var type: Character?

        init(_ text: String, fail: (String) -> Diagnostic) throws {
            var s = Array(text)[...]
            if s.count >= 2, "<>^".contains(s[s.startIndex + 1]) {
                fill = s.removeFirst()
                align = s.removeFirst()
            } else if let f = s.first, "<>^".contains(f) {
                align = s.removeFirst()
            }
            if let f = s.first, "+- ".contains(f) { sign = s.removeFirst() }
            if s.first == "0" {
                s.removeFirst()
                fill = "0"
                if align == nil { align = "=" }
            }
            var digits = ""
            while let d = s.first, d.isASCII, d.isNumber { digits.append(s.removeFirst()) }
            width = Int(digits) ?? 0
            if s.first == "," { grouping = true; s.removeFirst() }
            if s.first == "." {
                s.removeFirst()
                var p = ""
                while let d = s.first, d.isASCII, d.isNumber { p.append(s.removeFirst()) }
                guard let value = Int(p) else { throw fail("'.\(p)': a precision must be a number") }
                precision = min(value, 100)
            }
            if let t = s.first {
                guard "fFeEgGd%sxob".contains(t) else { throw fail("unknown format type '\(t)'") }
                type = s.removeFirst()
            }
            guard s.isEmpty else { throw fail("cannot read the format spec '\(text)'") }
            guard width <= 1000 else { throw fail("width \(width) is too large") }
        }
    }

    static func formatValue(_ v: Value, _ spec: FormatSpec, fail: (String) -> Diagnostic) throws -> String {
        switch v {
        case .number(let x):
            return pad(try formatNumber(x, spec, fail: fail), spec, numeric: true)
        case .array(let a):
            var inner = spec
            inner.width = 0
            let items = try a.data.map { try formatNumber($0, inner, fail: fail) }
            let text: String
            if a.isVector {
                text = "[" + items.joined(separator: ", ") + "]"
            } else {
                let rows = (0..<a.rows).map { "[" + items[$0 * a.columns..<($0 + 1) * a.columns].joined(separator: ", ") + "]" }
                text = "[" + rows.joined(separator: ", ") + "]"
            }
            return pad(text, spec, numeric: false)
        default:
            if let t = spec.type, t != "s" { throw fail("the type '\(t)' needs a number, not a \(v.typeName)") }
            var text = v.display
            if let p = spec.precision, p < text.count { text = String(text.prefix(p)) }
            return pad(text, spec, numeric: false)
        }
    }

    private static func formatNumber(_ x: Double, _ spec: FormatSpec, fail: (String) -> Diagnostic) throws -> String {
        var body: String
        let magnitude = abs(x)
        switch spec.type {
        case nil, "s"?:
            if let p = spec.precision {
                body = String(format: "%.\(p)g", magnitude)
            } else {
                body = SnipScript.formatNumber(magnitude)
            }
        case "f"?, "F"?: body = x.isFinite ? String(format: "%.\(spec.precision ?? 6)f", magnitude) : SnipScript.formatNumber(magnitude)
        case "e"?, "E"?:
            body = x.isFinite ? String(format: "%.\(spec.precision ?? 6)\(spec.type!)", magnitude) : SnipScript.formatNumber(magnitude)
        case "g"?, "G"?:
            body = x.isFinite ? String(format: "%.\(spec.precision ?? 6)\(spec.type!)", magnitude) : SnipScript.formatNumber(magnitude)
        case "%"?:
            body = x.isFinite ? String(format: "%.\(spec.precision ?? 6)f", magnitude * 100) + "%" : SnipScript.formatNumber(magnitude)
        case "d"?, "x"?, "o"?, "b"?:
            guard x.isFinite, x == x.rounded(), magnitude < 9.2e18 else {
                throw fail("'\(spec.type!)' needs a whole number, not \(SnipScript.formatNumber(x))")
            }
            let n = UInt64(magnitude)
            let radix = spec.type == "x" ? 16 : spec.type == "o" ? 8 : spec.type == "b" ? 2 : 10
            body = String(n, radix: radix)
        default: body = SnipScript.formatNumber(magnitude)
        }
        if spec.grouping { body = groupThousands(body) }
        let negative = x < 0 || (x == 0 && x.sign == .minus && spec.type != "d")
        let signText = negative ? "-" : spec.sign == "+" ? "+" : spec.sign == " " ? " " : ""
        if x.isNaN { return body }
        return signText + body
    }

    private static func groupThousands(_ s: String) -> String {
        let digits = s.prefix { $0.isNumber }
        guard digits.count > 3 else { return s }
        var grouped = ""
        for (k, d) in digits.enumerated() {
            if k > 0 && (digits.count - k) % 3 == 0 { grouped.append(",") }
            grouped.append(d)
        }
        return grouped + s.dropFirst(digits.count)
    }

    private static func pad(_ text: String, _ spec: FormatSpec, numeric: Bool) -> String {
        let n = text.count
        guard spec.width > n else { return text }
        let fill = String(repeating: spec.fill, count: spec.width - n)
        switch spec.align ?? (numeric ? ">" : "<") {
        case "<": return text + fill
        case "^":
            let left = (spec.width - n) / 2
            return String(repeating: spec.fill, count: left) + text
                + String(repeating: spec.fill, count: spec.width - n - left)
        case "=":
            // zero padding goes between the sign and the digits
            if let first = text.first, "+- ".contains(first) { return String(first) + fill + text.dropFirst() }
            return fill + text
        default: return fill + text
        }
    }

    // MARK: printf

    static func printfTemplate(_ template: String, _ values: [Value], at range: SourceRange) throws -> String {
        var out = ""
        var chars = Array(template)[...]
        var next = 0
        func fail(_ why: String) -> Diagnostic { Diagnostic(.value, "sprintf: \(why)", at: range) }
        while let c = chars.popFirst() {
            guard c == "%" else { out.append(c); continue }
            var flags = ""
            while let f = chars.first, "-+ 0#".contains(f) { flags.append(chars.removeFirst()) }
            var width = ""
            while let d = chars.first, d.isASCII, d.isNumber { width.append(chars.removeFirst()) }
            var precision: String?
            if chars.first == "." {
                chars.removeFirst()
                var p = ""
                while let d = chars.first, d.isASCII, d.isNumber { p.append(chars.removeFirst()) }
                precision = p.isEmpty ? "0" : p
            }
            guard let conversion = chars.popFirst() else { throw fail("the template ends inside a '%' conversion") }
            if conversion == "%" { out.append("%"); continue }
            guard (Int(width) ?? 0) <= 1000, (Int(precision ?? "0") ?? 0) <= 100 else { throw fail("width or precision too large") }
            guard next < values.count else {
                throw fail("the template has more conversions than the \(values.count) value\(values.count == 1 ? "" : "s") given")
            }
            let v = values[next]
            next += 1
            let spec = "%" + flags + width + (precision.map { "." + $0 } ?? "")
            switch conversion {
            case "d", "i", "x", "X", "o":
                guard case .number(let x) = v, x.isFinite, x == x.rounded(), abs(x) < 9.2e18 else {
                    throw fail("'%\(conversion)' needs a whole number, not \(v.typeName == "number" ? v.repr : "a " + v.typeName)")
                }
                let c = conversion == "i" ? "d" : String(conversion)
                out += String(format: spec + "ll" + c, Int64(x))
            case "f", "F", "e", "E", "g", "G":
                guard case .number(let x) = v else { throw fail("'%\(conversion)' needs a number, not a \(v.typeName)") }
                out += String(format: spec + String(conversion), x)
            case "s":
                var text = v.display
                if let p = precision.flatMap(Int.init), p < text.count { text = String(text.prefix(p)) }
                let w = Int(width) ?? 0
                if text.count < w {
                    let fill = String(repeating: " ", count: w - text.count)
                    text = flags.contains("-") ? text + fill : fill + text
                }
                out += text
            default:
                throw fail("unknown conversion '%\(conversion)'")
            }
        }
        guard next == values.count else {
            throw fail("\(values.count) values given but the template uses \(next)")
        }
        return out
    }
}
