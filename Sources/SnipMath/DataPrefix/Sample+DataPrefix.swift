/// The `data.prefix` line format of the reference's exporter (`Trainer.export_data`).
///
/// One JSON object per line, keys in this order: the info fields as strings
/// (`"n_input_points": "200"`, …), `x_to_fit` ([n][d]) and `y_to_fit` ([n][1]) as
/// `%.{precision}e` strings, `tree` (the prefix string), `skeleton_tree_encoded` (a token list)
/// and, for property data, `target_property` (a number). Python's `json.dumps` layout: `", "`
/// and `": "` separators, non-ASCII escaped, floats as `repr`.
extension Sample {
    /// The sample's line (without the newline), as the reference writes it.
    public func dataPrefixLine(precision: Int = 3) -> String {
        var out = "{"
        for (key, value) in zip(SampleInfo.keys, info.values) {
            out += JSONText.string(key) + ": " + JSONText.string(String(value)) + ", "
        }
        out += "\"x_to_fit\": ["
        for (r, row) in x.enumerated() {
            if r > 0 { out += ", " }
            out += "["
            out += row.map { "\"" + PythonFloat.formatE($0, precision: precision) + "\"" }
                .joined(separator: ", ")
            out += "]"
        }
        out += "], \"y_to_fit\": ["
        out += y.map { "[\"" + PythonFloat.formatE($0, precision: precision) + "\"]" }
            .joined(separator: ", ")
        out += "], \"tree\": " + JSONText.string(tree.prefix)
        out += ", \"skeleton_tree_encoded\": ["
        out += skeletonTokens.map(JSONText.string).joined(separator: ", ") + "]"
        if let t = targetProperty { out += ", \"target_property\": " + JSONText.number(t) }
        return out + "}"
    }

    /// Parses one line; the error's `reason` says what is wrong (its file and line are left for
    /// the caller).
    public init(dataPrefixLine line: String) throws(DataPrefixError) {
        func fail(_ reason: String) -> DataPrefixError {
            DataPrefixError(file: "", line: 0, reason: reason)
        }
        let json: JSONValue
        do {
            json = try JSONValue(parsing: line)
        } catch {
            throw fail("invalid JSON at \(error)")
        }
        guard case .object = json else { throw fail("not a JSON object") }
        var infoValues: [Int] = []
        for key in SampleInfo.keys {
            guard let value = json[key] else { throw fail("missing key '\(key)'") }
            guard let text = value.stringValue, let int = Int(text) else {
                throw fail("'\(key)' is not an integer string")
            }
            infoValues.append(int)
        }
        func floatMatrix(_ key: String) throws(DataPrefixError) -> [[Double]] {
            guard let rows = json[key]?.arrayValue else { throw fail("missing list '\(key)'") }
            var out: [[Double]] = []
            out.reserveCapacity(rows.count)
            for (r, row) in rows.enumerated() {
                guard let cells = row.arrayValue else { throw fail("\(key)[\(r)] is not a list") }
                var values: [Double] = []
                values.reserveCapacity(cells.count)
                for (c, cell) in cells.enumerated() {
                    guard let v = cell.stringValue.flatMap(PythonFloat.parse) ?? cell.doubleValue
                    else { throw fail("\(key)[\(r)][\(c)] is not a number string") }
                    values.append(v)
                }
                if let first = out.first, first.count != values.count {
                    throw fail("\(key)[\(r)] has \(values.count) values, row 0 has \(first.count)")
                }
                out.append(values)
            }
            return out
        }
        let x = try floatMatrix("x_to_fit")
        let yRows = try floatMatrix("y_to_fit")
        guard yRows.allSatisfy({ $0.count == 1 }) else {
            throw fail("y_to_fit rows must hold one value (d_out = 1)")
        }
        guard x.count == yRows.count else {
            throw fail("x_to_fit has \(x.count) rows, y_to_fit \(yRows.count)")
        }
        guard let firstPoint = x.first else { throw fail("the sample has no points (x_to_fit is empty)") }
        guard !firstPoint.isEmpty else { throw fail("the points have no inputs (x_to_fit rows are empty)") }
        guard infoValues[0] == x.count else {
            throw fail("n_input_points is \(infoValues[0]) but x_to_fit holds \(x.count) points")
        }
        guard infoValues[3] == firstPoint.count else {
            throw fail("d_in is \(infoValues[3]) but the points have \(firstPoint.count) inputs")
        }
        guard let prefix = json["tree"]?.stringValue else { throw fail("missing string 'tree'") }
        let tree: Expression
        do {
            tree = try Expression(prefix: prefix)
        } catch {
            throw fail("tree: \(error)")
        }
        guard let tokenValues = json["skeleton_tree_encoded"]?.arrayValue else {
            throw fail("missing list 'skeleton_tree_encoded'")
        }
        var tokens: [String] = []
        for t in tokenValues {
            guard let s = t.stringValue else {
                throw fail("skeleton_tree_encoded holds a non-string")
            }
            tokens.append(s)
        }
        var target: Double? = nil
        if let t = json["target_property"] {
            guard let d = t.doubleValue else { throw fail("target_property is not a number") }
            target = d
        }
        self.init(
            tree: tree, x: x, y: yRows.map { $0[0] }, info: SampleInfo(values: infoValues),
            skeletonTokens: tokens, targetProperty: target)
    }
}

/// Python `json.dumps` spellings of strings and floats.
enum JSONText {
    /// A JSON string with `ensure_ascii` escaping.
    static func string(_ s: String) -> String {
        var out = "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                // `ensure_ascii`: everything outside " "..."~" becomes \uXXXX (UTF-16).
                if u.value < 0x20 || u.value > 0x7E {
                    if u.value > 0xFFFF {
                        let v = u.value - 0x10000
                        out += hex4(0xD800 + (v >> 10)) + hex4(0xDC00 + (v & 0x3FF))
                    } else {
                        out += hex4(u.value)
                    }
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    private static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return "\\u" + String(repeating: "0", count: 4 - h.count) + h
    }

    /// A float as `json.dumps` writes it (`repr`, `NaN`, `Infinity`, `-Infinity`).
    static func number(_ d: Double) -> String {
        if d.isNaN { return "NaN" }
        if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
        return PythonFloat.repr(d)
    }
}
