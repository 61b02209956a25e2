import Foundation
import SnipPlot
import SnipSystem
import SnipTensor

/// Runs programs: holds the global scope, the random generator, where output goes and how plots
/// are shown. One interpreter serves a whole REPL session, script or notebook.
public final class Interpreter {
    /// The global scope.
    var globals = Environment()
    /// The scopes captured by the functions this interpreter made (emptied by `reset` and
    /// `deinit` to free the function–scope cycles).
    var capturedScopes = CapturedScopes()
    /// Receives everything the program prints (text ends with a newline).
    public var output: (String) -> Void
    /// The random generator behind `rand`, `randn` (reseeded by `seed(n)`).
    var rng = SeededGenerator(seed: 0)
    /// Where plots without `file=` go.
    public var plotMode: PlotMode = .terminal(width: 80, height: 24)
    /// Plots made during the current notebook cell (images), in order.
    public var plotImages: [PlotImage] = []
    /// The arguments after the script name (`snip run f.snip a b` → `args == ["a", "b"]`).
    public var scriptArguments: [String] = [] {
        didSet { globals.values["args"] = .list(scriptArguments.map { .string($0) }) }
    }
    /// Stops a run after this many loop iterations and calls (for the fuzz test); nil: no limit.
    public var stepLimit: Int?
    var steps = 0
    /// The deepest chain of calls allowed (deeper recursion is an error, not a crash; the stack
    /// check below stops anything deeper that would not fit).
    public var maxCallDepth = 10_000
    var callDepth = 0
    /// The lowest stack address evaluation may reach on the running thread (see `LargeStack`).
    var stackFloor: UInt = 0
    /// The most stack, in bytes, one run may use (nil: all of the large stack but a reserve).
    /// Tests set a small budget to reach the "nested too deeply" error cheaply.
    public var stackBudget: Int?
    /// How many `include`s are running inside each other.
    var includeDepth = 0
    /// Whether programs may read and write files (`read_csv`, `write_csv`, `plot(file=…)`).
    public var allowsFiles = true
    /// Whether plots are drawn (when false, `plot` checks its arguments and draws nothing).
    public var allowsPlots = true
    /// The directory relative file names are resolved against (nil: the working directory).
    public var baseDirectory: String?
    /// The environment variables `env` reads (the process's by default).
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Shows the progress of long built-ins (`pretrain`, `fit_property`, `dataset`, …): called
    /// with one line of status text, and with nil when the work is done. nil: no progress shown.
    public var progress: ((String?) -> Void)?
    /// The plotting session (gnuplot), started on first use.
    lazy var plotter = PlotSession()
    /// The last plot drawn (`add=true` draws on it).
    var lastPlot: PlotSpec?
    /// The figure `subplots` is filling, if any.
    var figure: PendingFigure?

    /// What happened to a run.
    public enum Outcome {
        case ok
        case syntaxErrors([Diagnostic])
        case runtimeError(Diagnostic)
        /// The program called `exit(status)`.
        case exited(Int32)
    }

    /// An interpreter printing through `output` (standard output by default).
    public init(output: @escaping (String) -> Void = writeStandardOutput) {
        self.output = output
        globals.values["args"] = .list([])
    }

    deinit { capturedScopes.release() }

    /// Forgets all variables and functions (`:reset`).
    public func reset() {
        capturedScopes.release()
        globals = Environment()
        globals.values["args"] = .list(scriptArguments.map { .string($0) })
        rng = SeededGenerator(seed: 0)
    }

    /// The names of the user's variables and functions, sorted.
    public var variableNames: [String] { globals.values.keys.sorted() }

    /// The value of a global variable.
    public func variable(_ name: String) -> Value? { globals.values[name] }

    /// Sets a global variable.
    public func setVariable(_ name: String, _ value: Value) { globals.values[name] = value }

    /// Parses and runs `source`. With `echo`, expression statements not ending in `;` print their
    /// value (as at the prompt) and set `ans`.
    /// Runs on a thread with a large stack (`LargeStack`), so deep input ends in an error.
    @discardableResult
    public func run(_ source: Source, echo: Bool = false) -> Outcome {
        LargeStack.run {
            switch Parser.parse(source) {
            case .success(let program): return executeHere(program, echo: echo)
            case .failure(let e): return .syntaxErrors(e.all)
            }
        }
    }

    /// Runs parsed statements at the top level (on a thread with a large stack).
    public func execute(_ program: [Stmt], echo: Bool = false) -> Outcome {
        LargeStack.run { executeHere(program, echo: echo) }
    }

    private func executeHere(_ program: [Stmt], echo: Bool) -> Outcome {
        steps = 0
        callDepth = 0
        stackFloor = LargeStack.floor
        if let budget = stackBudget {
            let top = currentStackAddress()
            stackFloor = max(stackFloor, top > UInt(budget) ? top - UInt(budget) : 0)
        }
        do {
            for statement in program {
                if case .expression(let e, let wantsEcho) = statement {
                    let v = try evaluate(e, globals)
                    if case .nothing = v { continue }
                    globals.values["ans"] = v
                    if echo && wantsEcho { output(v.repr + "\n") }
                    continue
                }
                switch try exec(statement, globals) {
                case .normal: break
                case .breakLoop(let r): throw Diagnostic(.syntax, "'break' outside a loop", at: r)
                case .continueLoop(let r): throw Diagnostic(.syntax, "'continue' outside a loop", at: r)
                case .returned(_, let r): throw Diagnostic(.syntax, "'return' outside a function", at: r)
                }
            }
            return .ok
        } catch let d as Diagnostic {
            return .runtimeError(d)
        } catch let request as ExitRequest {
            return .exited(request.status)
        } catch {
            return .runtimeError(Diagnostic(.value, describeSystemError(error), at: nil))
        }
    }

    // MARK: - Statements

    enum Flow {
        case normal
        case breakLoop(SourceRange)
        case continueLoop(SourceRange)
        case returned(Value, SourceRange)
    }

    func execBlock(_ statements: [Stmt], _ env: Environment) throws -> Flow {
        for s in statements {
            let flow = try exec(s, env)
            if case .normal = flow { continue }
            return flow
        }
        return .normal
    }

    /// Counts a step and honours Ctrl-C and the step limit.
    func tick(_ range: SourceRange) throws {
        if Interrupt.isPending { throw Diagnostic(.interrupted, "interrupted", at: range) }
        steps += 1
        if let limit = stepLimit, steps > limit {
            throw Diagnostic(.limit, "step limit of \(limit) reached", at: range)
        }
    }

    /// Stops evaluation before the stack runs out (deep nesting or recursion).
    @inline(__always)
    func checkStack(_ range: SourceRange) throws {
        if currentStackAddress() < stackFloor {
            throw Diagnostic(.limit, "nested too deeply: the program's nesting or recursion does not fit "
                + "on the stack", at: range)
        }
    }

    func exec(_ statement: Stmt, _ env: Environment) throws -> Flow {
        try checkStack(statement.range)
        switch statement {
        case .expression(let e, _):
            _ = try evaluate(e, env)
            return .normal
        case .assign(let target, let valueExpr, _):
            let value = try evaluate(valueExpr, env)
            switch target {
            case .name(let n, _):
                // any name may be assigned: a variable named like a built-in (`e = 0.5`) hides it
                env.values[n] = value
            case .index(let n, let items, let r):
                let subs = try resolve(items, env)
                try assignIndex(n, subs, value, env, r)
            }
            return .normal
        case .function(let name, let params, let body, let r):
            env.values[name] = makeFunction(name, params, body, closure: env, range: r)
            return .normal
        case .ifElse(let condition, let then, let otherwise, _):
            if try truth(condition, env) {
                return try execBlock(then, env)
            } else if let otherwise {
                return try execBlock(otherwise, env)
            }
            return .normal
        case .whileLoop(let condition, let body, let r):
            while try truth(condition, env) {
                try tick(r)
                switch try execBlock(body, env) {
                case .breakLoop: return .normal
                case .returned(let v, let rr): return .returned(v, rr)
                case .normal, .continueLoop: continue
                }
            }
            return .normal
        case .forIn(let variable, let sequenceExpr, let body, let r):
            if case .range(let fromExpr, let toExpr, let rr) = sequenceExpr {
                // a..b in a loop is counted, not made: no vector, no length limit
                let (from, to) = try rangeEnds(try evaluate(fromExpr, env), try evaluate(toExpr, env), rr)
                var k = 0.0
                while from + k < to {
                    try tick(r)
                    env.values[variable] = .number(from + k)
                    k += 1
                    switch try execBlock(body, env) {
                    case .breakLoop: return .normal
                    case .returned(let v, let rr): return .returned(v, rr)
                    case .normal, .continueLoop: continue
                    }
                }
                return .normal
            }
            let sequence = try evaluate(sequenceExpr, env)
            let count: Int
            switch sequence {
            case .array(let a): count = a.isVector ? a.count : a.rows
            case .list(let items): count = items.count
            case .string(let s): count = s.count
            case .object(let o) where o.elementCount != nil: count = o.elementCount!
            default:
                throw Diagnostic(.type, "cannot loop over a \(sequence.typeName)", at: sequenceExpr.range)
            }
            let characters = { if case .string(let s) = sequence { return Array(s) } else { return [] } }()
            for k in 0..<count {
                try tick(r)
                let item: Value
                switch sequence {
                case .array(let a):
                    item = a.isVector ? .number(a.data[k])
                        : .array(NDArray(vector: Array(a.data[k * a.columns..<(k + 1) * a.columns])))
                case .list(let items): item = items[k]
                case .object(let o): item = o.element(at: k)
                default: item = .string(String(characters[k]))
                }
                env.values[variable] = item
                switch try execBlock(body, env) {
                case .breakLoop: return .normal
                case .returned(let v, let rr): return .returned(v, rr)
                case .normal, .continueLoop: continue
                }
            }
            return .normal
        case .unpack(let names, let valueExpr, let r):
            let value = try evaluate(valueExpr, env)
            let items: [Value]
            switch value {
            case .list(let l): items = l
            case .array(let a) where a.isVector: items = a.data.map { .number($0) }
            case .array(let a):
                items = (0..<a.rows).map { .array(NDArray(vector: Array(a.data[$0 * a.columns..<($0 + 1) * a.columns]))) }
            default:
                throw Diagnostic(.type, "cannot unpack a \(value.typeName) into \(names.count) names", at: valueExpr.range)
            }
            guard items.count == names.count else {
                throw Diagnostic(.shape, "cannot unpack \(items.count) value\(items.count == 1 ? "" : "s") into "
                    + "\(names.count) names", at: r)
            }
            for ((n, _), v) in zip(names, items) { env.values[n] = v }
            return .normal
        case .tryCatch(let body, let name, let handler, _):
            do {
                return try execBlock(body, env)
            } catch let d as Diagnostic where d.kind != .interrupted {
                if let name { env.values[name] = .object(errorRecord(d)) }
                return try execBlock(handler, env)
            }
        case .breakLoop(let r): return .breakLoop(r)
        case .continueLoop(let r): return .continueLoop(r)
        case .returnValue(let e, let r):
            return .returned(try e.map { try evaluate($0, env) } ?? .nothing, r)
        }
    }

    /// `push(name, items…)`: appends in place (the variable is moved out of its scope while it
    /// grows, so its storage is not copied).
    private func push(_ items: [Value], to name: String, _ env: Environment, at range: SourceRange) throws {
        let isLocal = env.values[name] != nil
        guard var value = isLocal ? env.values.removeValue(forKey: name) : env.lookup(name) else {
            throw Diagnostic(.name, "undefined variable '\(name)'", at: range)
        }
        defer { env.values[name] = value }
        try Builtins.appendItems(items, to: &value, at: range)
    }

    /// The value `catch err` binds: a record of the error.
    func errorRecord(_ d: Diagnostic) -> Record {
        var fields: [(String, Value)] = [("message", .string(d.message)), ("kind", .string(d.kind.rawValue))]
        if let r = d.range {
            let (line, column) = r.source.lineColumn(of: r.start)
            fields += [("file", .string(r.source.name)), ("line", .number(Double(line))),
                       ("column", .number(Double(column)))]
        }
        return Record("error", fields)
    }

    /// Evaluates a condition, which must be one bool.
    func truth(_ e: Expr, _ env: Environment) throws -> Bool {
        try truthValue(try evaluate(e, env), e)
    }

    /// A condition's value, which must be one bool.
    func truthValue(_ v: Value, _ e: Expr) throws -> Bool {
        switch v {
        case .bool(let b): return b
        case .array(let a):
            throw Diagnostic(.condition, "the condition is a \(v.typeName) of \(a.count) values, not a bool; "
                + "use all(…) or any(…)", at: e.range)
        default:
            throw Diagnostic(.type, "the condition must be a bool, not a \(v.typeName)", at: e.range)
        }
    }

    // MARK: - Expressions

    func evaluate(_ expr: Expr, _ env: Environment) throws -> Value {
        try checkStack(expr.range)
        switch expr {
        case .number(let v, _): return .number(v)
        case .string(let s, _): return .string(s)
        case .bool(let b, _): return .bool(b)
        case .nothing: return .nothing
        case .name(let n, let r):
            if let v = env.lookup(n) { return v }
            if let b = Builtins.registry[n] { return b.constant ?? .function(.builtin(b)) }
            throw Diagnostic(.name, "undefined name '\(n)'" + suggestion(for: n, env), at: r)
        case .list(let items, let r):
            return try makeList(try items.map { try evaluate($0, env) }, r)
        case .unary(let op, let operand, let r):
            return try unary(op, try evaluate(operand, env), r)
        case .binary(let op, let lhs, let rhs, let opRange, _):
            let a = try evaluate(lhs, env)
            let b = try evaluate(rhs, env)
            return try binary(op, a, b, opRange)
        case .logical(let op, let lhs, let rhs, let r):
            let left = try evaluate(lhs, env)
            if case .array(let x) = left, x.isMask {
                // masks combine element by element: v[(v > 1) and (v < 4)]
                let right = try evaluate(rhs, env)
                guard case .array(let y) = right, y.isMask else {
                    throw Diagnostic(.type, "'\(op)' combines a mask with another mask, not with a \(right.typeName)",
                                     at: rhs.range)
                }
                var out = try broadcast(left, right, r) { op == .and ? ($0 != 0 && $1 != 0 ? 1 : 0) : ($0 != 0 || $1 != 0 ? 1 : 0) }
                out.isMask = true
                return .array(out)
            }
            let a = try truthValue(left, lhs)
            if op == .and && !a { return .bool(false) }
            if op == .or && a { return .bool(true) }
            return .bool(try truth(rhs, env))
        case .range(let from, let to, let r):
            return try makeRange(try evaluate(from, env), try evaluate(to, env), r)
        case .call(let calleeExpr, let args, let r):
            let callee = try evaluate(calleeExpr, env)
            guard case .function(let f) = callee else {
                throw Diagnostic(.type, "a \(callee.typeName) is not a function", at: calleeExpr.range)
            }
            // push(v, x): v is a variable, grown in place
            if case .function(.builtin(let b)) = callee, b.name == "push", let first = args.first,
               first.label == nil, case .name(let n, let nr) = first.value {
                var items: [Value] = []
                for a in args.dropFirst() {
                    if a.label != nil { throw Diagnostic(.arity, "'push' takes no keyword arguments", at: a.range) }
                    items.append(try evaluate(a.value, env))
                }
                try push(items, to: n, env, at: nr)
                return .nothing
            }
            // help(pi), help(while): the name itself, not its value.
            if case .function(.builtin(let b)) = callee, b.name == "help", args.count == 1,
               args[0].label == nil, case .name(let n, let nr) = args[0].value {
                return try call(f, CallArguments([.string(n)], at: nr))
            }
            var positional: [Value] = []
            var keywords: [(String, Value)] = []
            var ranges: [String: SourceRange] = [:]
            var positionalRanges: [SourceRange] = []
            for a in args {
                let v = try evaluate(a.value, env)
                if let label = a.label {
                    keywords.append((label, v))
                    ranges[label] = a.range
                } else {
                    positional.append(v)
                    positionalRanges.append(a.range)
                }
            }
            return try call(f, CallArguments(positional: positional, keywords: keywords,
                                             positionalRanges: positionalRanges, keywordRanges: ranges,
                                             range: r))
        case .index(let baseExpr, let items, let r):
            let base = try evaluate(baseExpr, env)
            return try index(base, try resolve(items, env), r)
        case .lambda(let params, let body, let r):
            return makeFunction("lambda", params, .expression(body), closure: env, range: r)
        }
    }

    /// A function written in the language, closing over `closure` (recorded in
    /// `capturedScopes`).
    func makeFunction(
        _ name: String, _ params: [Parameter], _ body: FunctionBody, closure: Environment,
        range: SourceRange
    ) -> Value {
        capturedScopes.insert(closure)
        return .function(.user(UserFunction(
            name: name, params: params, body: body, closure: closure, range: range)))
    }

    private func suggestion(for name: String, _ env: Environment) -> String {
        let candidates = Array(Builtins.registry.keys) + globals.values.keys.map { $0 }
        let limit = name.count > 3 ? 2 : 1
        let close = candidates.map { (editDistance($0, name), $0) }.filter { $0.0 <= limit }
            .sorted { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return close.isEmpty ? "" : " (did you mean '\(close[0].1)'?)"
    }

    private func makeList(_ items: [Value], _ r: SourceRange) throws -> Value {
        if items.isEmpty { return .array(NDArray(vector: [])) }
        if items.allSatisfy({ if case .number = $0 { return true } else { return false } }) {
            return .array(NDArray(vector: items.map { if case .number(let v) = $0 { return v } else { return 0 } }))
        }
        // Rows of equal length make a matrix.
        let rows: [[Double]] = items.compactMap {
            if case .array(let a) = $0, a.isVector { return a.data } else { return nil }
        }
        if rows.count == items.count, let n = rows.first?.count, rows.allSatisfy({ $0.count == n }), n > 0 {
            try NDArray.checkSize([rows.count, n], at: r)
            return .array(NDArray(shape: [rows.count, n], data: rows.flatMap { $0 }))
        }
        return try Value.checkedList(items, at: r)
    }

    /// The ends of `a..b`: two finite numbers.
    private func rangeEnds(_ a: Value, _ b: Value, _ r: SourceRange) throws -> (Double, Double) {
        guard case .number(let from) = a, case .number(let to) = b else {
            throw Diagnostic(.type, "a range needs two numbers, not \(a.typeName) and \(b.typeName)", at: r)
        }
        guard from.isFinite && to.isFinite else { throw Diagnostic(.domain, "a range needs finite ends", at: r) }
        guard abs(from) < 9e15 else {
            throw Diagnostic(.domain, "a range must start below 2^53 (whole steps are exact only there)", at: r)
        }
        return (from, to)
    }

    private func makeRange(_ a: Value, _ b: Value, _ r: SourceRange) throws -> Value {
        let (from, to) = try rangeEnds(a, b, r)
        let n = max(0, (to - from).rounded(.up))
        guard n <= Double(NDArray.maxElements) else {
            throw Diagnostic(.limit, "range too long: \(formatNumber(n)) elements (the limit is \(NDArray.maxElements))", at: r)
        }
        let count = Int(n)
        return .array(NDArray(vector: (0..<count).map { from + Double($0) }))
    }
}

/// Thrown by `exit(status)`: ends the program (not caught by `try`).
struct ExitRequest: Error {
    let status: Int32
}

/// The Levenshtein distance between two short names (for "did you mean").
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a), y = Array(b)
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    for i in 1...x.count {
        var current = [i] + Array(repeating: 0, count: y.count)
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        previous = current
    }
    return previous[y.count]
}
