/// One entry of the built-in registry: its name, parameters (with defaults), documentation and
/// implementation. `help`, tab completion, arity checks and docs/LANGUAGE.md all read it.
public final class Builtin: Sendable {
    /// A parameter: required, optional (nil when left out) or with a default value.
    public struct Param: Sendable {
        public enum Default: Sendable {
            case required
            case optional
            case value(Value)
        }

        public let name: String
        public let `default`: Default

        public static func req(_ name: String) -> Param { Param(name: name, default: .required) }
        public static func opt(_ name: String) -> Param { Param(name: name, default: .optional) }
        public static func def(_ name: String, _ v: Value) -> Param { Param(name: name, default: .value(v)) }
    }

    /// Where `help()` and the docs list the built-in.
    public enum Category: String, CaseIterable, Sendable {
        case constants = "Constants"
        case math = "Elementwise math"
        case arrays = "Vectors and matrices"
        case statistics = "Reductions and statistics"
        case calculus = "Calculus"
        case language = "Values and printing"
        case files = "Files"
        case plots = "Plots"
        case expressions = "SNIP expressions"
        case data = "SNIP data and properties"
        case models = "SNIP models"
    }

    public let name: String
    public let category: Category
    public let params: [Param]
    /// The name extra positional arguments are collected under (`print(values…)`), if any.
    public let variadic: String?
    /// One line first, then details.
    public let doc: String
    /// The value, for constants (`pi`).
    public let constant: Value?
    let body: @Sendable (Interpreter, BoundArguments) throws -> Value
    /// The file that defines it (`SnipScript/Builtins+Arrays.swift`): categories match files.
    public let sourceFile: String

    init(_ name: String, _ category: Category, _ params: [Param] = [], variadic: String? = nil,
         doc: String, sourceFile: String = #fileID,
         body: @escaping @Sendable (Interpreter, BoundArguments) throws -> Value) {
        self.sourceFile = sourceFile
        self.name = name
        self.category = category
        self.params = params
        self.variadic = variadic
        self.doc = doc
        self.constant = nil
        self.body = body
    }

    init(constant name: String, _ value: Double, doc: String, sourceFile: String = #fileID) {
        self.sourceFile = sourceFile
        self.name = name
        self.category = .constants
        self.params = []
        self.variadic = nil
        self.doc = doc
        self.constant = .number(value)
        self.body = { _, _ in .nothing }
    }

    public var isConstant: Bool { constant != nil }

    /// `linspace(a, b, n=100)`.
    public var signature: String {
        if isConstant { return name }
        var parts: [String] = params.map { p in
            switch p.default {
            case .required: return p.name
            case .optional: return "\(p.name)=nothing"
            case .value(let v): return "\(p.name)=\(v.repr)"
            }
        }
        if let variadic { parts.insert("\(variadic)…", at: min(parts.count, leadingRequired)) }
        return "\(name)(\(parts.joined(separator: ", ")))"
    }

    private var leadingRequired: Int { params.prefix { if case .required = $0.default { true } else { false } }.count }

    /// Matches call arguments to parameters, checking their number and names.
    func bind(_ args: CallArguments) throws -> BoundArguments {
        var values = [Value?](repeating: nil, count: params.count)
        var ranges = [SourceRange?](repeating: nil, count: params.count)
        var rest: [Value] = []
        var restRanges: [SourceRange] = []
        // With a variadic, the leading required parameters come first, then the rest; the
        // remaining parameters are keyword-only.
        let positionalSlots = variadic == nil ? params.count : leadingRequired
        for (k, v) in args.positional.enumerated() {
            if k < positionalSlots {
                values[k] = v
                ranges[k] = args.positionalRanges[k]
            } else if variadic != nil {
                rest.append(v)
                restRanges.append(args.positionalRanges[k])
            } else {
                throw Diagnostic(.arity, "'\(name)' takes at most \(params.count) argument"
                    + (params.count == 1 ? "" : "s") + ", got \(args.positional.count) (\(signature))",
                    at: args.positionalRanges[k])
            }
        }
        for (label, v) in args.keywords {
            let r = args.keywordRanges[label] ?? args.range
            guard let k = params.firstIndex(where: { $0.name == label }) else {
                throw Diagnostic(.arity, "'\(name)' has no parameter '\(label)' (\(signature))", at: r)
            }
            if values[k] != nil { throw Diagnostic(.arity, "argument '\(label)' given twice", at: r) }
            values[k] = v
            ranges[k] = r
        }
        for (k, p) in params.enumerated() where values[k] == nil {
            switch p.default {
            case .required:
                throw Diagnostic(.arity, "'\(name)' is missing the argument '\(p.name)' (\(signature))",
                                 at: args.range)
            case .optional: break
            case .value(let v): values[k] = v
            }
        }
        return BoundArguments(builtin: self, values: values, ranges: ranges, rest: rest,
                              restRanges: restRanges, range: args.range)
    }
}

/// A built-in's arguments after binding, with typed accessors that report type errors at the
/// argument.
public struct BoundArguments {
    let builtin: Builtin
    let values: [Value?]
    let ranges: [SourceRange?]
    /// Extra positional arguments (for variadic built-ins).
    let rest: [Value]
    let restRanges: [SourceRange]
    /// The whole call.
    let range: SourceRange

    /// The position of parameter `name`; a name the built-in does not declare is a programmer
    /// error (BuiltinRegistryTests checks every implementation against its parameters).
    private func slot(_ name: String) -> Int {
        guard let index = builtin.params.firstIndex(where: { $0.name == name }) else {
            preconditionFailure("built-in '\(builtin.name)' reads an undeclared argument '\(name)'")
        }
        return index
    }

    /// Where argument `name` was written (the call if it was left out).
    func range(_ name: String) -> SourceRange { ranges[slot(name)] ?? range }

    /// The argument, or nil when an optional one was left out (or given as `nothing`).
    func value(_ name: String) -> Value? {
        let v = values[slot(name)]
        if case .nothing? = v { return nil }
        return v
    }

    func typeError(_ name: String, _ expected: String) -> Diagnostic {
        let got = value(name)?.typeName ?? "nothing"
        return Diagnostic(.type, "'\(builtin.name)': argument '\(name)' must be \(expected), not a \(got)",
                          at: range(name))
    }

    func number(_ name: String) throws -> Double {
        guard case .number(let x)? = value(name) else { throw typeError(name, "a number") }
        return x
    }

    func optionalNumber(_ name: String) throws -> Double? {
        guard value(name) != nil else { return nil }
        return try number(name)
    }

    /// A whole number within `range`, for sizes and counts.
    func int(_ name: String, min lo: Int = 0, max hi: Int = NDArray.maxElements) throws -> Int {
        let x = try number(name)
        guard x.isFinite, x == x.rounded() else {
            throw Diagnostic(.value, "'\(builtin.name)': argument '\(name)' must be a whole number, "
                + "not \(formatNumber(x))", at: range(name))
        }
        guard x >= Double(lo) else {
            throw Diagnostic(.value, "'\(builtin.name)': argument '\(name)' must be at least \(lo), "
                + "not \(formatNumber(x))", at: range(name))
        }
        guard x <= Double(hi) else {
            throw Diagnostic(.limit, "'\(builtin.name)': argument '\(name)' is too large: \(formatNumber(x)) "
                + "(the limit is \(hi))", at: range(name))
        }
        return Int(x)
    }

    func string(_ name: String) throws -> String {
        guard case .string(let s)? = value(name) else { throw typeError(name, "a string") }
        return s
    }

    func optionalString(_ name: String) throws -> String? {
        guard value(name) != nil else { return nil }
        return try string(name)
    }

    func bool(_ name: String) throws -> Bool {
        guard case .bool(let b)? = value(name) else { throw typeError(name, "a bool") }
        return b
    }

    func function(_ name: String) throws -> Function {
        guard case .function(let f)? = value(name) else { throw typeError(name, "a function") }
        return f
    }

    /// A vector or matrix (a number counts as a vector of one).
    func array(_ name: String) throws -> NDArray {
        switch value(name) {
        case .array(let a)?: return a
        case .number(let x)?: return NDArray(vector: [x])
        case .list(let items)? where items.allSatisfy({ if case .number = $0 { true } else { false } }):
            return NDArray(vector: items.map { if case .number(let x) = $0 { x } else { 0 } })
        default: throw typeError(name, "a vector or matrix")
        }
    }

    /// A vector (a number counts as a vector of one).
    func vector(_ name: String) throws -> [Double] {
        let a = try array(name)
        guard a.isVector else {
            throw Diagnostic(.shape, "'\(builtin.name)': argument '\(name)' must be a vector, not a "
                + "\(a.rows)×\(a.columns) matrix", at: range(name))
        }
        return a.data
    }
}
