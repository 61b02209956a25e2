/// One evaluated subscript.
enum Subscript {
    case single(Double, SourceRange)
    /// A vector of positions: `v[[0, 2]]`.
    case many([Double], SourceRange)
    /// A mask (a comparison's result): selects the elements where it is 1, `v[v > 6]`.
    case mask(NDArray, SourceRange)
    /// `v[a:b]` or `v[a:b:step]`.
    case slice(Double?, Double?, Double?, SourceRange)
    /// A field name: `run["loss"]`.
    case key(String, SourceRange)

    var range: SourceRange {
        switch self {
        case .single(_, let r), .many(_, let r), .mask(_, let r), .slice(_, _, _, let r), .key(_, let r):
            return r
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
                case .array(let a) where a.isMask: return .mask(a, e.range)
                case .array(let a) where a.isVector: return .many(a.data, e.range)
                case .string(let s): return .key(s, e.range)
                default: throw Diagnostic(.type, "an index must be a number, not a \(v.typeName)", at: e.range)
                }
            case .slice(let lo, let hi, let step, let r):
                func bound(_ e: Expr?) throws -> Double? {
                    guard let e else { return nil }
                    let v = try evaluate(e, env)
                    guard case .number(let x) = v else {
                        throw Diagnostic(.type, "a slice bound must be a number, not a \(v.typeName)", at: e.range)
                    }
                    return x
                }
                return .slice(try bound(lo), try bound(hi), try bound(step), r)
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
        case .mask(let m, let r):
            guard m.isVector, m.count == count else {
                throw Diagnostic(.index, "a mask of \(m.count) values cannot select from \(what) of length \(count)",
                                 at: r)
            }
            return (m.data.indices.filter { m.data[$0] != 0 }, false)
        case .key(let k, let r):
            throw Diagnostic(.index, "\(what) is indexed by numbers, not by the name \"\(k)\"", at: r)
        case .slice(let lo, let hi, let stepValue, let r):
            for b in [lo, hi, stepValue] {
                if let b, b.isNaN || (b.isFinite && b != b.rounded()) {
                    throw Diagnostic(.index, "a slice bound must be a whole number, not \(formatNumber(b))", at: r)
                }
            }
            let step = stepValue ?? 1
            guard step != 0, step.isFinite, abs(step) < 1e15 else {
                throw Diagnostic(.index, "a slice step must be a whole number other than 0", at: r)
            }
            // As in Python: bounds count from the end when negative and are clamped; with a
            // negative step the defaults are the last element and one before the first.
            func clamp(_ b: Double?, _ fallback: Int) -> Int {
                guard let b else { return fallback }
                var i = Int(max(-Double(count) - 1, min(Double(count), b)))
                if i < 0 { i += count }
                return step > 0 ? max(0, min(count, i)) : max(-1, min(count - 1, i))
            }
            let s = Int(step)
            let start = clamp(lo, s > 0 ? 0 : count - 1)
            let end = clamp(hi, s > 0 ? count : -1)
            return (Array(stride(from: start, to: end, by: s)), false)
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
            if subs.count == 1, case .mask(let m, let mr) = subs[0], !m.isVector {
                let selected = try maskPositions(m, a, mr)
                return .array(NDArray(vector: selected.map { a.data[$0] }))
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

    /// `name[subs] = value`, in place. Every check is made first; then the variable is taken out
    /// of its scope while it changes, so that its storage is not shared and one element costs
    /// O(1) (copy-on-write copies only when another variable holds the same vector). Assigning
    /// in a function to a variable of an enclosing scope makes a local copy, as `=` does.
    func assignIndex(_ name: String, _ subs: [Subscript], _ value: Value, _ env: Environment,
                     _ r: SourceRange) throws {
        let isLocal = env.values[name] != nil
        // every check first, on a borrowed value (the plan holds no reference to it) …
        let plan = try planAssignment(isLocal ? env.values[name] : env.lookup(name), name, subs, value, r)
        // … then the value is moved out of its scope, changed while unshared, and put back
        var taken = isLocal ? env.values.removeValue(forKey: name)! : env.lookup(name)!
        switch plan {
        case .elements(let positions):
            guard case .array(var a) = taken else { return }
            taken = .nothing
            store(value, into: &a, at: positions)
            env.values[name] = .array(a)
        case .listElement(let k):
            guard case .list(var list) = taken else { return }
            taken = .nothing
            list[k] = value
            env.values[name] = .list(list)
        case .replace(let newValue):
            env.values[name] = newValue
        }
    }

    /// What an indexed assignment will do.
    private enum AssignmentPlan {
        /// Store into these row-major positions of an array.
        case elements([Int])
        /// Store into element k of a list.
        case listElement(Int)
        /// Replace the variable by this (checked) value.
        case replace(Value)
    }

    private func planAssignment(_ current: Value?, _ name: String, _ subs: [Subscript], _ value: Value,
                                _ r: SourceRange) throws -> AssignmentPlan {
        switch current {
        case nil:
            throw Diagnostic(.name, "undefined variable '\(name)'", at: r)
        case .array(let a)?:
            let positions = try elementPositions(a, subs, r)
            try checkStorable(value, count: positions.count, r)
            return .elements(positions)
        case .list(let items)?:
            guard subs.count == 1, case .single(let x, let sr) = subs[0] else {
                throw Diagnostic(.index, "assign to one list element at a time", at: r)
            }
            let k = try position(x, count: items.count, sr, what: "a list")
            guard case .list = value else { return .listElement(k) }
            // a list stored inside can make the value too large or too deep: check a copy
            var copy = items
            copy[k] = value
            return .replace(try Value.checkedList(copy, at: r))
        case let other?:
            throw Diagnostic(.type, "cannot assign into a \(other.typeName)", at: r)
        }
    }

    /// The row-major positions of `a` that `subs` select for an assignment.
    func elementPositions(_ a: NDArray, _ subs: [Subscript], _ r: SourceRange) throws -> [Int] {
        if !a.isVector, subs.count == 1, case .mask(let m, let mr) = subs[0], !m.isVector {
            return try maskPositions(m, a, mr)
        }
        if a.isVector {
            guard subs.count == 1 else { throw Diagnostic(.index, "a vector takes one index", at: r) }
            return try positions(subs[0], count: a.count, what: "a vector").positions
        }
        guard subs.count <= 2 else { throw Diagnostic(.index, "a matrix takes one or two indices", at: r) }
        let rows = try positions(subs[0], count: a.rows, what: "the rows of a matrix").positions
        let cols = subs.count == 2
            ? try positions(subs[1], count: a.columns, what: "the columns of a matrix").positions
            : Array(0..<a.columns)
        var out: [Int] = []
        out.reserveCapacity(rows.count * cols.count)
        for i in rows { for j in cols { out.append(i * a.columns + j) } }
        return out
    }
}

extension Interpreter {
    /// The row-major positions a matrix-shaped mask selects from `a`.
    func maskPositions(_ m: NDArray, _ a: NDArray, _ r: SourceRange) throws -> [Int] {
        guard m.shape == a.shape else {
            throw Diagnostic(.index, "a \(describe(m.shape)) mask cannot select from a \(describe(a.shape)) matrix", at: r)
        }
        return m.data.indices.filter { m.data[$0] != 0 }
    }

    /// Checks that `value` can fill `count` elements: a number, or an array of `count` elements.
    func checkStorable(_ value: Value, count n: Int, _ r: SourceRange) throws {
        switch value {
        case .number: return
        case .array(let v) where v.count == n: return
        default:
            throw Diagnostic(.shape, "cannot store a \(value.typeName)\(value.lengthNote) in \(n) element"
                + (n == 1 ? "" : "s"), at: r)
        }
    }

    /// Stores a number (in every position) or an array of as many elements (checked by
    /// `checkStorable`) at `positions` of `a`.
    func store(_ value: Value, into a: inout NDArray, at positions: [Int]) {
        switch value {
        case .number(let x):
            for p in positions { a.data[p] = x }
        case .array(let v):
            for (k, p) in positions.enumerated() { a.data[p] = v.data[k] }
        default: return
        }
        if a.isMask { a.isMask = positions.allSatisfy { a.data[$0] == 0 || a.data[$0] == 1 } }
    }
}

extension Value {
    /// " of length n" for arrays, "" otherwise (for messages).
    var lengthNote: String {
        if case .array(let a) = self { return " of \(a.count) element" + (a.count == 1 ? "" : "s") }
        return ""
    }
}
