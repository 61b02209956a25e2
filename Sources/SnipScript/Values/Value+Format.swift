import Foundation
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

/// How an element of a vector or matrix prints: whole numbers exactly, others with at most 8
/// significant digits (as numpy prints arrays), so that `[0.1 + 0.2, 2/3]` shows as
/// `[0.3, 0.66666667]`. `print(x)` of a number, `str` and files keep every digit.
func formatElement(_ x: Double) -> String {
    if !x.isFinite || (x == x.rounded() && abs(x) < 1e16) { return formatNumber(x) }
    let short = String(format: "%.8g", x)
    return formatNumber(Double(short) ?? x)
}

/// `[1, 2.5, 3]`; long vectors as `[1, 2, …, 99] (length 100)`; matrices one line when short,
/// else one row per line with the columns aligned, and elided rows and columns (`…`) when large.
func formatArray(_ a: NDArray, width lineWidth: Int = terminalColumns) -> String {
    func row(_ values: ArraySlice<Double>) -> String {
        if values.count > Value.elideAfter {
            let head = values.prefix(6).map(formatElement).joined(separator: ", ")
            let tail = values.suffix(3).map(formatElement).joined(separator: ", ")
            return "[\(head), …, \(tail)]"
        }
        return "[" + values.map(formatElement).joined(separator: ", ") + "]"
    }
    if a.isVector {
        let text = row(a.data[...])
        return a.count > Value.elideAfter ? "\(text) (length \(a.count))" : text
    }
    let (r, c) = (a.shape[0], a.shape[1])
    if r == 0 || c == 0 { return "[] (\(r)×\(c) matrix)" }
    let shownRows = r > Value.elideAfter ? Array(0..<6) + [-1] + Array(r - 3..<r) : Array(0..<r)
    var shownColumns = c > Value.elideAfter ? Array(0..<6) + [-1] + Array(c - 3..<c) : Array(0..<c)
    let cells = shownRows.map { i in
        shownColumns.map { j in i < 0 || j < 0 ? "…" : formatElement(a.data[i * c + j]) }
    }
    let oneLine = "[" + cells.map { "[" + $0.joined(separator: ", ") + "]" }.joined(separator: ", ") + "]"
    let elided = r > Value.elideAfter || c > Value.elideAfter
    if oneLine.count <= 72 && !elided { return oneLine }
    // aligned: every element right-aligned to the widest, rows on their own lines
    let width = cells.joined().map(\.count).max() ?? 1
    // fewer columns while a row is wider than the line (keeping the first and last ones)
    var keep = shownColumns.count
    while keep > 3 && 3 + keep * (width + 2) > lineWidth { keep -= 1 }
    var columnIndex = Array(shownColumns.indices)
    if keep < shownColumns.count {
        let head = (keep - 1) / 2 + (keep - 1) % 2, tail = (keep - 1) / 2
        columnIndex = Array(0..<head) + [-1] + Array(shownColumns.count - tail..<shownColumns.count)
        shownColumns = columnIndex.map { $0 < 0 ? -1 : shownColumns[$0] }
    }
    let lines = shownRows.enumerated().map { k, i -> String in
        let items = columnIndex.map { q -> String in
            let text = i < 0 || q < 0 || shownColumns.isEmpty ? "…" : cells[k][q]
            return String(repeating: " ", count: max(0, width - text.count)) + text
        }
        return "[" + items.joined(separator: ", ") + "]"
    }
    let text = "[" + lines.joined(separator: ",\n ") + "]"
    return elided || columnIndex.contains(-1) ? "\(text) (\(r)×\(c) matrix)" : text
}

/// A constant's text for display: at most 15 significant digits, in the shortest form that
/// keeps them (`63.400000000000006` → `63.4`; `3`, `1e-05` and `0.1` unchanged).
func displayConstant(_ text: String) -> String {
    guard let value = Double(text), value.isFinite, !(value == value.rounded() && abs(value) < 1e15) else {
        return text
    }
    return formatNumber(Double(String(format: "%.15g", value)) ?? value)
}

/// The width matrices are wrapped to: the terminal's columns when standard output is one
/// (read once), else `COLUMNS` when set, else 80 (so files and pipes print the same everywhere).
let terminalColumns: Int = {
    var size = winsize()
    if isatty(STDOUT_FILENO) == 1, ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col >= 20 {
        return Int(size.ws_col)
    }
    if let text = ProcessInfo.processInfo.environment["COLUMNS"], let n = Int(text), n >= 20, n <= 1000 { return n }
    return 80
}()
