/// One evaluated subscript.
enum Subscript {
    case single(Double, SourceRange)
    /// A vector of positions: `v[[0, 2]]`.
    case many([Double], SourceRange)
    case slice(Double?, Double?, SourceRange)
    /// A field name: `run["loss"]`.
    case key(String, SourceRange)

    var range: SourceRange {
        switch self {
        case .single(_, let r), .many(_, let r), .slice(_, _, let r), .key(_, let r): return r
        }
    }
}

extension Interpreter {
    func resolve(_ items: [IndexItem], _ env: Environment) throws -> [Subscript] {
        try items.map { item in
            switch item {
            case .at(let e):
                let v = try evaluate(e, env)
                switch v {
                case .number(let x): return .single(x, e.range)
                case .array(let a) where a.isVector: return .many(a.data, e.range)
                case .string(let s): return .key(s, e.range)
                default: throw Diagnostic(.type, "an index must be a number, not a \(v.typeName)", at: e.range)
                }
            case .slice(let lo, let hi, let r):
                func bound(_ e: Expr?) throws -> Double? {
                    guard let e else { return nil }
                    let v = try evaluate(e, env)
                    guard case .number(let x) = v else {
                        throw Diagnostic(.type, "a slice bound must be a number, not a \(v.typeName)", at: e.range)
                    }
                    return x
                }
                return .slice(try bound(lo), try bound(hi), r)
            }
        }
    }

    /// A position in `0..<count` from a (possibly negative) index.
    func position(_ x: Double, count: Int, _ r: SourceRange, what: String) throws -> Int {
        guard x.isFinite, x == x.rounded(), abs(x) < 1e15 else {
            throw Diagnostic(.index, "an index must be a whole number, not \(formatNumber(x))", at: r)
        }
        let i = Int(x)
        let k = i < 0 ? i + count : i
        guard k >= 0 && k < count else {
            throw Diagnostic(.index, "index \(i) is out of range for \(what) of length \(count)", at: r)
        }
        return k
    }

    /// The positions a subscript selects along an axis of length `count`; `isScalar` when it was a
    /// single index (the axis is dropped).
    func positions(_ s: Subscript, count: Int, what: String) throws -> (positions: [Int], isScalar: Bool) {
        switch s {
        case .single(let x, let r): return ([try position(x, count: count, r, what: what)], true)
        case .many(let xs, let r): return (try xs.map { try position($0, count: count, r, what: what) }, false)
        case .key(let k, let r):
            throw Diagnostic(.index, "\(what) is indexed by numbers, not by the name \"\(k)\"", at: r)
        case .slice(let lo, let hi, let r):
            func clamp(_ b: Double?, _ fallback: Int) throws -> Int {
                guard let b else { return fallback }
                guard b.isFinite || b.isInfinite, !b.isNaN, b == b.rounded() || b.isInfinite else {
                    throw Diagnostic(.index, "a slice bound must be a whole number, not \(formatNumber(b))", at: r)
                }
                let v = max(-Double(count), min(Double(count), b))
                let i = Int(v)
                return i < 0 ? i + count : i
            }
            let start = try clamp(lo, 0)
            let end = try clamp(hi, count)
            return (start < end ? Array(start..<end) : [], false)
        }
    }

    func index(_ base: Value, _ subs: [Subscript], _ r: SourceRange) throws -> Value {
        switch base {
        case .array(let a) where a.isVector:
            guard subs.count == 1 else {
                throw Diagnostic(.index, "a vector takes one index, got \(subs.count)", at: r)
            }
            let (p, scalar) = try positions(subs[0], count: a.count, what: "a vector")
            return scalar ? .number(a.data[p[0]]) : .array(NDArray(vector: p.map { a.data[$0] }))
        case .array(let a):
            guard subs.count <= 2 else {
                throw Diagnostic(.index, "a matrix takes one or two indices, got \(subs.count)", at: r)
            }
            let (rows, rowScalar) = try positions(subs[0], count: a.rows, what: "the rows of a matrix")
            let (cols, colScalar) = subs.count == 2
                ? try positions(subs[1], count: a.columns, what: "the columns of a matrix")
                : (Array(0..<a.columns), false)
            var data: [Double] = []
            data.reserveCapacity(rows.count * cols.count)
            for i in rows { for j in cols { data.append(a.data[i * a.columns + j]) } }
            switch (rowScalar, colScalar) {
            case (true, true): return .number(data[0])
            case (true, false), (false, true): return .array(NDArray(vector: data))
            case (false, false): return .array(NDArray(shape: [rows.count, cols.count], data: data))
            }
        case .list(let items):
            guard subs.count == 1 else { throw Diagnostic(.index, "a list takes one index", at: r) }
            let (p, scalar) = try positions(subs[0], count: items.count, what: "a list")
            return scalar ? items[p[0]] : .list(p.map { items[$0] })
        case .string(let s):
            guard subs.count == 1 else { throw Diagnostic(.index, "a string takes one index", at: r) }
            let chars = Array(s)
            let (p, _) = try positions(subs[0], count: chars.count, what: "a string")
            return .string(String(p.map { chars[$0] }))
        case .object(let o):
            guard subs.count == 1 else { throw Diagnostic(.index, "a \(o.typeName) takes one index", at: r) }
            if case .key(let k, let kr) = subs[0] {
                guard let v = o.field(k) else {
                    let names = o.fieldNames
                    throw Diagnostic(.index, "a \(o.typeName) has no field \"\(k)\""
                        + (names.isEmpty ? "" : " (it has " + names.map { "\"\($0)\"" }.joined(separator: ", ") + ")"), at: kr)
                }
                return v
            }
            guard let count = o.elementCount else {
                throw Diagnostic(.index, "a \(o.typeName) is indexed by field names"
                    + (o.fieldNames.isEmpty ? "" : " (\(o.fieldNames.map { "\"\($0)\"" }.joined(separator: ", ")))"), at: r)
            }
            let (p, scalar) = try positions(subs[0], count: count, what: "a \(o.typeName)")
            if scalar { return o.element(at: p[0]) }
            return try o.subset(p) ?? Value.checkedList(p.map { o.element(at: $0) }, at: r)
        default:
            throw Diagnostic(.type, "a \(base.typeName) cannot be indexed", at: r)
        }
    }

    /// `name[subs] = value`: the new value of `name`.
    func assignIndex(_ old: Value, _ items: [IndexItem], _ value: Value, _ env: Environment,
                     _ r: SourceRange) throws -> Value {
        let subs = try resolve(items, env)
        switch old {
        case .array(var a):
            let rowsSel: [Int], colsSel: [Int]
            if a.isVector {
                guard subs.count == 1 else { throw Diagnostic(.index, "a vector takes one index", at: r) }
                rowsSel = [0]
                colsSel = try positions(subs[0], count: a.count, what: "a vector").positions
            } else {
                guard subs.count <= 2 else { throw Diagnostic(.index, "a matrix takes one or two indices", at: r) }
                rowsSel = try positions(subs[0], count: a.rows, what: "the rows of a matrix").positions
                colsSel = subs.count == 2
                    ? try positions(subs[1], count: a.columns, what: "the columns of a matrix").positions
                    : Array(0..<a.columns)
            }
            let n = rowsSel.count * colsSel.count
            let source: [Double]
            switch value {
            case .number(let x): source = Array(repeating: x, count: n)
            case .array(let v) where v.count == n: source = v.data
            default:
                throw Diagnostic(.shape, "cannot store a \(value.typeName)\(value.lengthNote) in \(n) element"
                    + (n == 1 ? "" : "s"), at: r)
            }
            var k = 0
            for i in rowsSel {
                for j in colsSel {
                    a.data[i * a.columns + j] = source[k]
                    k += 1
                }
            }
            return .array(a)
        case .list(var items):
            guard subs.count == 1, case .single(let x, let sr) = subs[0] else {
                throw Diagnostic(.index, "assign to one list element at a time", at: r)
            }
            items[try position(x, count: items.count, sr, what: "a list")] = value
            return try Value.checkedList(items, at: r)
        default:
            throw Diagnostic(.type, "cannot assign into a \(old.typeName)", at: r)
        }
    }
}

extension Value {
    /// " of length n" for arrays, "" otherwise (for messages).
    var lengthNote: String {
        if case .array(let a) = self { return " of \(a.count) element" + (a.count == 1 ? "" : "s") }
        return ""
    }
}
