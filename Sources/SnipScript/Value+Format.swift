/// The shortest decimal that reads back as `v`: `0.1`, `3`, `1e-05`, `inf`, `nan`.
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v < 0 ? "-inf" : "inf" }
    if v == v.rounded(), abs(v) < 1e16 {
        if v == 0 { return v.sign == .minus ? "-0" : "0" }
        return String(Int64(v))
    }
    return v.description
}

extension Value {
    /// How the prompt echoes the value (strings quoted) and `print` shows nested values.
    public var repr: String { format(quoted: true) }

    /// How `print` shows the value (a string prints its text).
    public var display: String { format(quoted: false) }

    /// Vectors longer than this are elided in the middle.
    static let elideAfter = 12

    func format(quoted: Bool) -> String {
        switch self {
        case .number(let v): return formatNumber(v)
        case .bool(let b): return b ? "true" : "false"
        case .string(let s): return quoted ? quote(s) : s
        case .nothing: return "nothing"
        case .function(let f):
            switch f {
            case .user(let u): return "<function \(u.name)(\(u.params.map(\.name).joined(separator: ", ")))>"
            case .builtin(let b): return b.isConstant ? "<constant \(b.name)>" : "<built-in \(b.name)>"
            case .native(let n): return "<function \(n.name)>"
            case .expression(let s): return quoted ? "<expression \(s.infix)>" : s.infix
            }
        case .object(let o): return o.summary
        case .list(let items):
            if items.count > Value.elideAfter {
                let head = items.prefix(6).map { $0.repr }.joined(separator: ", ")
                let tail = items.suffix(3).map { $0.repr }.joined(separator: ", ")
                return "[\(head), …, \(tail)] (list of \(items.count))"
            }
            return "[" + items.map { $0.repr }.joined(separator: ", ") + "]"
        case .array(let a): return formatArray(a)
        }
    }

    private func quote(_ s: String) -> String {
        var out = "\""
        for c in s {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.append(c)
            }
        }
        return out + "\""
    }
}

/// `[1, 2.5, 3]`; long vectors as `[1, 2, …, 99] (length 100)`; matrices row by row.
func formatArray(_ a: NDArray) -> String {
    func row(_ values: ArraySlice<Double>) -> String {
        if values.count > Value.elideAfter {
            let head = values.prefix(6).map(formatNumber).joined(separator: ", ")
            let tail = values.suffix(3).map(formatNumber).joined(separator: ", ")
            return "[\(head), …, \(tail)]"
        }
        return "[" + values.map(formatNumber).joined(separator: ", ") + "]"
    }
    if a.isVector {
        let text = row(a.data[...])
        return a.count > Value.elideAfter ? "\(text) (length \(a.count))" : text
    }
    let (r, c) = (a.shape[0], a.shape[1])
    if r == 0 { return "[] (0×\(c) matrix)" }
    var rowTexts: [String] = []
    let shown = r > Value.elideAfter ? Array(0..<6) + [-1] + Array(r - 3..<r) : Array(0..<r)
    for i in shown {
        if i < 0 { rowTexts.append("…"); continue }
        rowTexts.append(row(a.data[i * c..<(i + 1) * c]))
    }
    let oneLine = "[" + rowTexts.joined(separator: ", ") + "]"
    let text = oneLine.count <= 72 ? oneLine : "[" + rowTexts.joined(separator: ",\n ") + "]"
    return r > Value.elideAfter || c > Value.elideAfter ? "\(text) (\(r)×\(c) matrix)" : text
}
