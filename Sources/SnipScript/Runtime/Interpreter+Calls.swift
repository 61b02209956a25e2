/// The arguments of one call, as evaluated, with where each was written.
public struct CallArguments {
    var positional: [Value]
    var keywords: [(String, Value)]
    var positionalRanges: [SourceRange]
    var keywordRanges: [String: SourceRange]
    /// The whole call.
    var range: SourceRange

    /// Positional arguments only, all reported at `range`.
    init(_ values: [Value], at range: SourceRange) {
        positional = values
        keywords = []
        positionalRanges = Array(repeating: range, count: values.count)
        keywordRanges = [:]
        self.range = range
    }

    init(positional: [Value], keywords: [(String, Value)], positionalRanges: [SourceRange],
         keywordRanges: [String: SourceRange], range: SourceRange) {
        self.positional = positional
        self.keywords = keywords
        self.positionalRanges = positionalRanges
        self.keywordRanges = keywordRanges
        self.range = range
    }
}

extension Interpreter {
    /// Calls `f` with plain positional arguments (used by built-ins such as `integrate`).
    func call(_ f: Function, _ values: [Value], at range: SourceRange) throws -> Value {
        try call(f, CallArguments(values, at: range))
    }

    /// Calls `f` with numbers and expects a number back.
    func callNumber(_ f: Function, _ x: Double, at range: SourceRange) throws -> Double {
        let v = try call(f, [.number(x)], at: range)
        guard case .number(let y) = v else {
            throw Diagnostic(.type, "'\(f.name)' returned a \(v.typeName), expected a number", at: range)
        }
        return y
    }

    /// Calls `f` on every element of `xs` (as one vectorised call when it can) and returns the
    /// results, one per element.
    func callOnSamples(_ f: Function, _ xs: [Double], at range: SourceRange) throws -> [Double] {
        let v = try call(f, [.array(NDArray(vector: xs))], at: range)
        switch v {
        case .array(let a) where a.isVector && a.count == xs.count: return a.data
        case .number(let y): return Array(repeating: y, count: xs.count)
        default:
            throw Diagnostic(.type, "'\(f.name)' returned a \(v.typeName) for a vector of \(xs.count) "
                + "points, expected a vector of the same length", at: range)
        }
    }

    func call(_ f: Function, _ args: CallArguments) throws -> Value {
        try tick(args.range)
        switch f {
        case .builtin(let b):
            if b.isConstant {
                throw Diagnostic(.type, "'\(b.name)' is a constant, not a function", at: args.range)
            }
            let bound = try b.bind(args)
            return try b.body(self, bound)
        case .native(let n):
            guard args.keywords.isEmpty, args.positional.count == n.arity else {
                throw Diagnostic(.arity, "'\(n.name)' takes \(n.arity) argument\(n.arity == 1 ? "" : "s"), "
                    + "got \(args.positional.count + args.keywords.count)", at: args.range)
            }
            return try n.body(self, args.positional, args.range)
        case .user(let u):
            return try callUser(u, args)
        case .expression(let s):
            guard args.keywords.isEmpty else {
                throw Diagnostic(.arity, "an expression takes no keyword arguments", at: args.keywordRanges.values.first ?? args.range)
            }
            return try s.call(args.positional, at: args.range)
        }
    }

    private func callUser(_ u: UserFunction, _ args: CallArguments) throws -> Value {
        let env = Environment(parent: u.closure)
        let params = u.params
        if args.positional.count > params.count {
            throw Diagnostic(.arity, "'\(u.name)' takes \(describeArity(params)), got \(args.positional.count)",
                             at: args.range)
        }
        for (p, v) in zip(params, args.positional) { env.values[p.name] = v }
        for (label, v) in args.keywords {
            guard params.contains(where: { $0.name == label }) else {
                throw Diagnostic(.arity, "'\(u.name)' has no parameter '\(label)'", at: args.keywordRanges[label] ?? args.range)
            }
            if env.values[label] != nil {
                throw Diagnostic(.arity, "argument '\(label)' given twice", at: args.keywordRanges[label] ?? args.range)
            }
            env.values[label] = v
        }
        for p in params where env.values[p.name] == nil {
            guard let d = p.defaultValue else {
                throw Diagnostic(.arity, "'\(u.name)' is missing the argument '\(p.name)' "
                    + "(it takes \(describeArity(params)))", at: args.range)
            }
            env.values[p.name] = try evaluate(d, u.closure)
        }
        guard callDepth < maxCallDepth else {
            throw Diagnostic(.limit, "too many nested calls (more than \(maxCallDepth)); is the recursion endless?",
                             at: args.range)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        do {
            switch u.body {
            case .expression(let e):
                return try evaluate(e, env)
            case .block(let statements):
                switch try execBlock(statements, env) {
                case .normal: return .nothing
                case .returned(let v, _): return v
                case .breakLoop(let r): throw Diagnostic(.syntax, "'break' outside a loop", at: r)
                case .continueLoop(let r): throw Diagnostic(.syntax, "'continue' outside a loop", at: r)
                }
            }
        } catch var d as Diagnostic {
            if d.kind == .condition, let mapped = try mapElementwise(u, args) { return mapped }
            if d.kind != .interrupted {
                d.addNote(Diagnostic.Note(message: "in '\(u.name)', called from here", range: args.range))
            }
            throw d
        }
    }

    /// Applies a function whose control flow needs scalars element by element when it was given
    /// vectors: `fn f(x) { if x > 0 { … } }` then `f(linspace(-1, 1, 5))` is a vector.
    private func mapElementwise(_ u: UserFunction, _ args: CallArguments) throws -> Value? {
        let arrays = args.positional.compactMap { if case .array(let a) = $0 { return a } else { return nil } }
        guard let first = arrays.first, arrays.allSatisfy({ $0.shape == first.shape }) else { return nil }
        var results: [Double] = []
        results.reserveCapacity(first.count)
        for k in 0..<first.count {
            var a = args
            a.positional = args.positional.map { if case .array(let arr) = $0 { return .number(arr.data[k]) } else { return $0 } }
            let v = try callUser(u, a)
            guard case .number(let y) = v else { return nil }
            results.append(y)
        }
        return .array(NDArray(shape: first.shape, data: results))
    }

    private func describeArity(_ params: [Parameter]) -> String {
        let required = params.filter { $0.defaultValue == nil }.count
        let s = params.count == 1 ? "" : "s"
        if required == params.count { return "\(params.count) argument\(s)" }
        return "\(required) to \(params.count) arguments"
    }
}
