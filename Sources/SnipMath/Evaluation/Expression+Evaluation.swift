import Foundation

/// Vectorised float64 evaluation with the reference's NaN rules.
///
/// The reference (`Node.val`) evaluates over all points at once with numpy and has rules worth
/// knowing:
/// - `div` and `inv` turn a zero denominator into NaN, `log` an argument `<= 0`, `sqrt` an
///   argument `< 0`; `rand` is 0; everything else is IEEE (`arcsin(2)` is NaN).
/// - Those replacements are written **in place into the child's array**. For a bare `x_i` child
///   that array is a view of (a copy of) the input matrix, so the NaN is seen by every other use
///   of `x_i` in the same evaluation that reads it later, including operands already evaluated
///   but not yet combined (`add,x_0,log,x_0` is NaN wherever `x_0 <= 0`). `div` evaluates its
///   denominator before its numerator. This evaluator reproduces that aliasing exactly.
/// - Under `np.seterr(all='raise')` (``evaluateRaising(columns:)``), an operator wrapped in the
///   reference's `try` (`mul`, `pow`, `div`, `inv`, `log`, `sqrt`, `pow2`, `pow3`, and the numpy
///   functions `exp sin cos tan arcsin arccos arctan`, which also catch errors from their
///   argument, as does `div` for its numerator) returns an all-NaN array when it would raise;
///   `add`, `sub` and `abs` are unguarded and make the whole evaluation raise.
extension Expression {
    /// Evaluates on points given as columns ([d][n]) in `workspace`'s memory; returns n values
    /// (IEEE results), the same as ``evaluate(columns:)``.
    public func evaluate(columns: [[Double]], in workspace: EvaluationWorkspace) throws(EvaluationError) -> [Double] {
        try withValues(columns: columns, in: workspace) { Array($0) }
    }

    /// Evaluates on points given as columns ([d][n]) in `workspace`'s memory and hands the n
    /// values (those of ``evaluate(columns:)``) to `body` where they lie, without copying them
    /// out: for callers that only read them (a copy of a few hundred KB is fresh pages too).
    /// The buffer is valid only inside `body`.
    public func withValues<Result>(
        columns: [[Double]], in workspace: EvaluationWorkspace, _ body: (UnsafeBufferPointer<Double>) -> Result
    ) throws(EvaluationError) -> Result {
        var evaluator = try Evaluator(
            FlatExpression(self), columns: columns, count: columns.first?.count ?? 0, arena: workspace.arena)
        switch try evaluator.evaluate() {
        case .ok(let operand): return evaluator.withValues(operand, body)
        case .raised(let e): preconditionFailure("IEEE evaluation raised \(e)")
        case .rejected: preconditionFailure("stopsAtNaN is off")
        }
    }

    /// Evaluates on `points` given as rows ([n][d]); returns n values (IEEE results).
    /// No points give no values.
    public func evaluate(rows points: [[Double]]) throws(EvaluationError) -> [Double] {
        if points.isEmpty { return [] }
        var evaluator = try Evaluator(
            FlatExpression(self), columns: try Self.columns(of: points), count: points.count)
        switch try evaluator.evaluate() {
        case .ok(let operand): return evaluator.read(operand)
        case .raised(let e): preconditionFailure("IEEE evaluation raised \(e)")
        case .rejected: preconditionFailure("stopsAtNaN is off")
        }
    }

    /// Evaluates on points given as columns ([d][n]); returns n values (IEEE results).
    public func evaluate(columns: [[Double]]) throws(EvaluationError) -> [Double] {
        var evaluator = try Evaluator(
            FlatExpression(self), columns: columns, count: columns.first?.count ?? 0)
        switch try evaluator.evaluate() {
        case .ok(let operand): return evaluator.read(operand)
        case .raised(let e): preconditionFailure("IEEE evaluation raised \(e)")
        case .rejected: preconditionFailure("stopsAtNaN is off")
        }
    }

    /// Evaluates on rows ([n][d]) as the reference does under `np.seterr(all='raise')`.
    public func evaluateRaising(rows points: [[Double]]) throws(EvaluationError)
        -> RaisingEvaluation
    {
        var evaluator = try Evaluator(
            FlatExpression(self), columns: try Self.columns(of: points), count: points.count,
            raising: true)
        return try evaluator.raisingResult()
    }

    /// Evaluates on columns ([d][n]) as the reference does under `np.seterr(all='raise')`.
    public func evaluateRaising(columns: [[Double]]) throws(EvaluationError) -> RaisingEvaluation {
        var evaluator = try Evaluator(
            FlatExpression(self), columns: columns, count: columns.first?.count ?? 0,
            raising: true)
        return try evaluator.raisingResult()
    }

    static func columns(of rows: [[Double]]) throws(EvaluationError) -> [[Double]] {
        guard let d = rows.first?.count else { return [] }
        var columns = [[Double]](repeating: [Double](repeating: 0, count: rows.count), count: d)
        for (r, row) in rows.enumerated() {
            guard row.count == d else { throw .raggedPoints }
            for c in 0..<d { columns[c][r] = row[c] }
        }
        return columns
    }
}

/// The working state of one evaluation: a private copy of the input columns that guarded
/// operators may write NaN into, as numpy does through views, and the intermediate arrays, all
/// in one block of `count`-value slots (slot i < d is column i) that are reused as soon as the
/// operator reading them is done, so an evaluation makes one allocation instead of one per node.
struct Evaluator {
    /// A value during evaluation: a live view of an input column, an owned slot, or a
    /// constant leaf's value (the same at every point; numpy's array of it, unshared).
    enum Operand {
        case column(Int)
        case slot(Int)
        case scalar(Double)
    }

    enum Outcome {
        case ok(Operand)
        case raised(FloatingPointException)
        /// Some value became NaN or some operator raised, so the generator will reject the
        /// attempt whatever follows (only with ``stopsAtNaN``; see there).
        case rejected
    }

    /// The slots' memory.
    let arena: Arena
    /// The expression.
    let tree: FlatExpression
    let dimension: Int
    let count: Int
    let raising: Bool
    /// Stop as soon as a result holds a NaN or an operator raises (``Outcome/rejected``).
    ///
    /// For the generator's trees (operators `add sub mul div` and the unary ones) a NaN at a
    /// point stays NaN up to the root, and a raise either fails the evaluation or fills an
    /// array with NaN, so such an attempt is rejected (`generation error` or `exception
    /// FloatingPointError`) whatever the rest of the tree does. Which of the two it is needs the
    /// whole evaluation, so this is only for callers that do not report the reason.
    let stopsAtNaN: Bool
    /// Exceptions the reference's guards turned into NaN arrays, in evaluation order.
    var caught: [FloatingPointException] = []

    /// An evaluation of `tree` on `columns` ([d][n], each of `count` values); see ``stopsAtNaN``.
    init(
        _ tree: FlatExpression, columns: [[Double]], count n: Int, raising: Bool = false,
        stopsAtNaN: Bool = false
    ) throws(EvaluationError) {
        try self.init(
            tree, columns: columns, count: n, raising: raising, stopsAtNaN: stopsAtNaN,
            arena: Arena(slots: columns.count + 8, count: n))
    }

    /// An evaluation that works in `arena`, reset for it, instead of a new block: for callers
    /// that evaluate tree after tree. Read the result before the arena's next evaluation.
    init(
        _ tree: FlatExpression, columns: [[Double]], count n: Int, raising: Bool = false,
        stopsAtNaN: Bool = false, arena: Arena
    ) throws(EvaluationError) {
        guard columns.allSatisfy({ $0.count == n }) else { throw .raggedPoints }
        self.tree = tree
        dimension = columns.count
        count = n
        self.raising = raising
        self.stopsAtNaN = stopsAtNaN
        self.arena = arena
        arena.reset(slots: columns.count + 8, count: n, reserved: columns.count)
        for (i, column) in columns.enumerated() {
            column.withUnsafeBufferPointer { c in
                if let source = c.baseAddress { (arena.base + i * n).update(from: source, count: n) }
            }
        }
    }

    mutating func raisingResult() throws(EvaluationError) -> RaisingEvaluation {
        switch try evaluate() {
        case .ok(let operand): return .values(read(operand), caught: caught)
        case .raised(let x): return .raised(x, caught: caught)
        case .rejected: preconditionFailure("stopsAtNaN is off")
        }
    }

    /// Evaluates the whole tree.
    mutating func evaluate() throws(EvaluationError) -> Outcome { try evaluate(tree.start) }

    /// A free slot (its values are garbage). Growing moves the block: take pointers after this.
    @inline(__always)
    func allocate() -> Int { arena.allocate() }

    /// Gives an operand's slot back once nothing reads it (columns stay).
    @inline(__always)
    func release(_ operand: Operand) {
        if case .slot(let s) = operand { arena.release(s) }
    }

    @inline(__always)
    func pointer(_ slot: Int) -> UnsafeMutablePointer<Double> { arena.base + slot * count }

    /// The values of a column or slot (not of a scalar).
    @inline(__always)
    func pointer(_ operand: Operand) -> UnsafeMutablePointer<Double> {
        switch operand {
        case .column(let i): return pointer(i)
        case .slot(let s): return pointer(s)
        case .scalar: preconditionFailure("a scalar has no slot")
        }
    }

    /// The value of an operand at point k.
    @inline(__always)
    func value(_ operand: Operand, _ k: Int) -> Double {
        if case .scalar(let v) = operand { return v }
        return pointer(operand)[k]
    }

    /// The current contents of an operand (a column view reads the working copy now).
    func read(_ operand: Operand) -> [Double] {
        if case .scalar(let v) = operand { return [Double](repeating: v, count: count) }
        return Array(UnsafeBufferPointer(start: pointer(operand), count: count))
    }

    /// `body` on the values of a result in the arena (a scalar's written into a slot first).
    func withValues<Result>(_ operand: Operand, _ body: (UnsafeBufferPointer<Double>) -> Result) -> Result {
        if case .scalar(let v) = operand {
            let s = allocate()
            pointer(s).update(repeating: v, count: count)
            return body(UnsafeBufferPointer(start: pointer(s), count: count))
        }
        return body(UnsafeBufferPointer(start: pointer(operand), count: count))
    }

    /// A new slot of NaN.
    func nans() -> Operand {
        let s = allocate()
        pointer(s).update(repeating: .nan, count: count)
        return .slot(s)
    }

    /// Evaluates the subtree at node `index`.
    mutating func evaluate(_ index: Int) throws(EvaluationError) -> Outcome {
        let node = tree.nodes[index]
        switch node.kind {
        case .variable(let i):
            guard i < dimension else {
                throw .variableOutOfRange(index: i, dimension: dimension)
            }
            return .ok(.column(i))
        case .constant:
            return .ok(.scalar(node.value))
        case .placeholder:
            throw .placeholder
        case .unary(let op):
            return try evaluate(op, index + 1)
        case .binary(let op):
            return try evaluate(op, index + 1, Int(node.second))
        }
    }

    /// Python's `float(text)` for a literal: Clinger's exact fast path (at most 15 digits and
    /// 22 decimals: an exact integer divided by an exact power of ten, rounded once) for plain
    /// decimals such as the generator's prefactors, otherwise ``PythonFloat/parse(_:)``.
    static func value(ofLiteral text: String) -> Double {
        var text = text
        let fast: Double? = text.withUTF8 { bytes in
            var i = 0
            let negative = bytes.first == UInt8(ascii: "-")
            if negative { i = 1 }
            var whole: UInt64 = 0
            var digits = 0
            var decimals = 0
            var point = false
            while i < bytes.count {
                let b = bytes[i]
                if b == UInt8(ascii: ".") {
                    if point { return nil }
                    point = true
                } else if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                    whole = whole * 10 + UInt64(b - UInt8(ascii: "0"))
                    digits += 1
                    if point { decimals += 1 }
                    if digits > 15 { return nil }
                } else {
                    return nil
                }
                i += 1
            }
            guard digits > 0, decimals <= 22 else { return nil }
            let magnitude = Double(whole) / ByteText.powersOfTen[decimals]
            return negative ? -magnitude : magnitude
        }
        return fast ?? PythonFloat.parse(text) ?? .nan
    }


    private mutating func evaluate(_ op: BinaryOperator, _ left: Int, _ right: Int)
        throws(EvaluationError) -> Outcome
    {
        if op == .div {
            // The reference evaluates the denominator first, masks it, then the numerator
            // inside its `try`.
            var denominator: Operand
            switch try evaluate(right) {
            case .ok(let o): denominator = o
            case .raised(let x): return .raised(x)
            case .rejected: return .rejected
            }
            mask(&denominator, .zero)
            let numerator: Operand
            switch try evaluate(left) {
            case .ok(let o): numerator = o
            case .rejected: return .rejected
            case .raised(let e):
                caught.append(e)  // the numerator is evaluated inside div's `try`
                release(denominator)
                return .ok(nans())
            }
            return guarded(binary: numerator, denominator, .div)
        }
        let a: Operand
        switch try evaluate(left) {
        case .ok(let o): a = o
        case .raised(let x): return .raised(x)
        case .rejected: return .rejected
        }
        let b: Operand
        switch try evaluate(right) {
        case .ok(let o): b = o
        case .raised(let x):
            release(a)
            return .raised(x)
        case .rejected: return .rejected
        }
        switch op {
        case .add, .sub:
            let (result, ordinary) = combine(a, b, op == .add ? .add : .sub)
            if raising && !ordinary {
                if stopsAtNaN && hasNaN(result) { return .rejected }
                if let e = exception(of: op == .add ? .add : .sub, a, b, result) {
                    if stopsAtNaN { return .rejected }
                    release(a)
                    release(b)
                    release(.slot(result))
                    return .raised(e)
                }
            }
            release(a)
            release(b)
            return .ok(.slot(result))
        case .mul:
            return guarded(binary: a, b, .mul)
        case .pow:
            return guarded(binary: a, b, .pow)
        case .div:
            preconditionFailure("handled above")
        }
    }

    /// numpy's exception for binary `kernel` on `a` and `b` giving the slot `result`, if any
    /// (the per-element flag rules; only needed when some result is not ordinary).
    private func exception(of kernel: Kernel, _ a: Operand, _ b: Operand, _ result: Int)
        -> FloatingPointException?
    {
        var raised: FloatingPointFlags = []
        let r = pointer(result)
        let name: String
        switch kernel {
        case .add, .sub:
            name = kernel == .add ? "add" : "subtract"
            for k in 0..<count { raised.formUnion(.additive(value(a, k), value(b, k), r[k])) }
        case .mul:
            name = "multiply"
            for k in 0..<count { raised.formUnion(.product(value(a, k), value(b, k), r[k])) }
        case .div:
            name = "divide"
            for k in 0..<count { raised.formUnion(.quotient(value(a, k), value(b, k), r[k])) }
        case .pow:
            name = "power"
            for k in 0..<count { raised.formUnion(.power(value(a, k), value(b, k), r[k])) }
        }
        return raised.exception(in: name)
    }

    /// numpy's exception for unary `op` on `x` giving the slot `result`, if any (the
    /// per-element flag rules; only needed when some result is not ordinary).
    private func exception(of op: UnaryOperator, _ x: Operand, _ result: Int)
        -> FloatingPointException?
    {
        var raised: FloatingPointFlags = []
        let r = pointer(result)
        let name: String
        switch op {
        case .abs: return nil
        case .inv:
            name = "divide"
            for k in 0..<count { raised.formUnion(.quotient(1, value(x, k), r[k])) }
        case .log: name = "log"
        case .sqrt: name = "sqrt"
        case .pow2:
            name = "square"
            for k in 0..<count {
                let v = value(x, k)
                raised.formUnion(.product(v, v, r[k]))
            }
        case .pow3:
            name = "power"
            for k in 0..<count { raised.formUnion(.power(value(x, k), 3, r[k])) }
        case .exp:
            name = "exp"
            for k in 0..<count { raised.formUnion(.exponential(value(x, k), r[k])) }
        case .sin, .cos, .tan, .arcsin, .arccos, .arctan:
            name = op.rawValue
            // f(x) ≈ x for a tiny x except for cos and arccos.
            let tinyPassesThrough = op != .cos && op != .arccos
            for k in 0..<count {
                raised.formUnion(
                    .transcendental(value(x, k), r[k], tinyPassesThrough: tinyPassesThrough))
            }
        }
        return raised.exception(in: name)
    }

    /// An operator inside the reference's `try`: a raise gives an all-NaN array (and is
    /// recorded in ``caught``). Consumes both operands.
    private mutating func guarded(binary a: Operand, _ b: Operand, _ kernel: Kernel) -> Outcome {
        let (result, ordinary) = combine(a, b, kernel)
        if raising && !ordinary {
            if stopsAtNaN && hasNaN(result) { return .rejected }
            if let e = exception(of: kernel, a, b, result) {
                if stopsAtNaN { return .rejected }
                caught.append(e)
                pointer(result).update(repeating: .nan, count: count)
            }
        }
        release(a)
        release(b)
        return .ok(.slot(result))
    }

    /// A unary operator inside the reference's `try` (all but `abs`). Consumes its operand.
    private mutating func guarded(unary x: Operand, _ op: UnaryOperator) -> Outcome {
        let (result, ordinary) = map(op, x)
        if raising && !ordinary {
            if stopsAtNaN && hasNaN(result) { return .rejected }
            if let e = exception(of: op, x, result) {
                if stopsAtNaN { return .rejected }
                caught.append(e)
                pointer(result).update(repeating: .nan, count: count)
            }
        }
        release(x)
        return .ok(.slot(result))
    }

    private mutating func evaluate(_ op: UnaryOperator, _ child: Int)
        throws(EvaluationError) -> Outcome
    {
        let outcome = try evaluate(child)
        var operand: Operand
        switch outcome {
        case .ok(let o): operand = o
        case .rejected: return .rejected
        case .raised(let x):
            switch op {
            case .exp, .sin, .cos, .tan, .arcsin, .arccos, .arctan:
                caught.append(x)  // the child's error is caught by the numpy-call `try`
                return .ok(nans())
            default:
                return .raised(x)
            }
        }
        let rule: MaskRule
        switch op {
        case .abs:
            let result = map(.abs, operand).slot
            release(operand)
            return .ok(.slot(result))
        case .inv: rule = .zero
        case .log: rule = .nonPositive
        case .sqrt: rule = .negative
        default: return guarded(unary: operand, op)
        }
        if raising && stopsAtNaN {
            // A NaN written by the mask would stay NaN through `op`: the result is rejected.
            if hits(operand, rule) { return .rejected }
        } else {
            mask(&operand, rule)
        }
        return guarded(unary: operand, op)
    }
}
