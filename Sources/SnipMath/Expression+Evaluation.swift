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
    final class Arena {
        var base: UnsafeMutablePointer<Double>
        var capacity: Int
        var free: [Int] = []
        var used: Int

        init(slots: Int, count: Int) {
            capacity = Swift.max(slots, 1)
            base = .allocate(capacity: capacity * Swift.max(count, 1))
            used = 0
        }

        deinit { base.deallocate() }
    }

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

    init(
        _ tree: FlatExpression, columns: [[Double]], count n: Int, raising: Bool = false,
        stopsAtNaN: Bool = false
    ) throws(EvaluationError) {
        guard columns.allSatisfy({ $0.count == n }) else { throw .raggedPoints }
        self.tree = tree
        dimension = columns.count
        count = n
        self.raising = raising
        self.stopsAtNaN = stopsAtNaN
        arena = Arena(slots: columns.count + 8, count: n)
        arena.used = columns.count
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
    func allocate() -> Int {
        if let s = arena.free.popLast() { return s }
        if arena.used == arena.capacity {
            let newCapacity = arena.capacity * 2
            let n = Swift.max(count, 1)
            let newBase = UnsafeMutablePointer<Double>.allocate(capacity: newCapacity * n)
            newBase.update(from: arena.base, count: arena.used * n)
            arena.base.deallocate()
            arena.base = newBase
            arena.capacity = newCapacity
        }
        arena.used += 1
        return arena.used - 1
    }

    /// Gives an operand's slot back once nothing reads it (columns stay).
    func release(_ operand: Operand) {
        if case .slot(let s) = operand { arena.free.append(s) }
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

    /// A new slot of NaN.
    func nans() -> Operand {
        let s = allocate()
        pointer(s).update(repeating: .nan, count: count)
        return .slot(s)
    }

    /// The elementwise binary operations.
    enum Kernel {
        case add, sub, mul, div, pow
    }

    /// `kernel` over the elements of two operands, into a new slot; a scalar is read with
    /// stride 0 instead of being expanded. (One explicit loop per kernel: passing the operator
    /// as a closure left a call per element.)
    func combine(_ a: Operand, _ b: Operand, _ kernel: Kernel) -> Int {
        let s = allocate()
        let r = pointer(s)
        let n = count
        var scalars = (0.0, 0.0)
        return withUnsafeMutablePointer(to: &scalars) { scalars in
            let first = UnsafeMutableRawPointer(scalars).assumingMemoryBound(to: Double.self)
            var x = first
            var y = first + 1
            var sx = 1
            var sy = 1
            switch a {
            case .scalar(let v):
                x.pointee = v
                sx = 0
            default: x = pointer(a)
            }
            switch b {
            case .scalar(let v):
                y.pointee = v
                sy = 0
            default: y = pointer(b)
            }
            switch kernel {
            case .add: for k in 0..<n { r[k] = x[k &* sx] + y[k &* sy] }
            case .sub: for k in 0..<n { r[k] = x[k &* sx] - y[k &* sy] }
            case .mul: for k in 0..<n { r[k] = x[k &* sx] * y[k &* sy] }
            case .div: for k in 0..<n { r[k] = x[k &* sx] / y[k &* sy] }
            case .pow: for k in 0..<n { r[k] = Foundation.pow(x[k &* sx], y[k &* sy]) }
            }
            return s
        }
    }

    /// `f` over the elements of an operand, into a new slot.
    @inline(__always)
    func map(_ a: Operand, _ f: (Double) -> Double) -> Int {
        let s = allocate()
        let r = pointer(s)
        let n = count
        switch a {
        case .scalar(let x):
            let v = f(x)
            for k in 0..<n { r[k] = v }
        default:
            let x = pointer(a)
            for k in 0..<n { r[k] = f(x[k]) }
        }
        return s
    }

    /// Whether every value is finite with a magnitude of at least 2^-1021 (twice the smallest
    /// normal). No operator raises a flag for such a result (every rule in
    /// `FloatingPointFlags+Operations` needs a NaN, infinite, zero or tiny result), so the
    /// per-element flag rules can be skipped.
    @inline(__always)
    func allOrdinary(_ slot: Int) -> Bool {
        // On the biased exponent e: e + 2046 has bit 11 set unless e is 0 or 1 (zero,
        // subnormal, the first binade of normals), e + 1 has it set only when e = 2047
        // (infinite, NaN). Reductions with AND and OR, without branches, in vectors.
        var all: UInt64 = 0xFFFF
        var any: UInt64 = 0
        let values = UnsafeRawPointer(pointer(slot)).assumingMemoryBound(to: UInt64.self)
        for k in 0..<count {
            let e = (values[k] >> 52) & 0x7FF
            all &= e &+ 2046
            any |= e &+ 1
        }
        return all & 0x800 != 0 && any & 0x800 == 0
    }

    /// Writes NaN where `condition` holds, into the view's column or the owned slot.
    mutating func mask(_ operand: inout Operand, where condition: (Double) -> Bool) {
        switch operand {
        case .column, .slot:
            let values = pointer(operand)
            for k in 0..<count where condition(values[k]) { values[k] = .nan }
        case .scalar(let v):
            if condition(v) { operand = .scalar(.nan) }
        }
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

    /// Whether a slot holds a NaN.
    func hasNaN(_ slot: Int) -> Bool {
        let r = pointer(slot)
        var any = false
        for k in 0..<count { any = any || r[k].isNaN }
        return any
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
            mask(&denominator) { $0 == 0 }
            let numerator: Operand
            switch try evaluate(left) {
            case .ok(let o): numerator = o
            case .rejected: return .rejected
            case .raised(let e):
                caught.append(e)  // the numerator is evaluated inside div's `try`
                release(denominator)
                return .ok(nans())
            }
            return guarded(binary: numerator, denominator, "divide", .div) {
                FloatingPointFlags.quotient($0, $1, $2)
            }
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
            let result = combine(a, b, op == .add ? .add : .sub)
            if raising && !allOrdinary(result) {
                if stopsAtNaN && hasNaN(result) { return .rejected }
                var flags: FloatingPointFlags = []
                let r = pointer(result)
                for k in 0..<count { flags.formUnion(.additive(value(a, k), value(b, k), r[k])) }
                if let e = flags.exception(in: op == .add ? "add" : "subtract") {
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
            return guarded(binary: a, b, "multiply", .mul) { FloatingPointFlags.product($0, $1, $2) }
        case .pow:
            return guarded(binary: a, b, "power", .pow) {
                FloatingPointFlags.power($0, $1, $2)
            }
        case .div:
            preconditionFailure("handled above")
        }
    }

    /// An operator inside the reference's `try`: a raise gives an all-NaN array (and is
    /// recorded in ``caught``). Consumes both operands.
    @inline(__always)
    private mutating func guarded(
        binary a: Operand, _ b: Operand, _ name: String, _ kernel: Kernel,
        flags: (Double, Double, Double) -> FloatingPointFlags
    ) -> Outcome {
        let result = combine(a, b, kernel)
        defer {
            release(a)
            release(b)
        }
        if raising && !allOrdinary(result) {
            if stopsAtNaN && hasNaN(result) { return .rejected }
            var raised: FloatingPointFlags = []
            let r = pointer(result)
            for k in 0..<count { raised.formUnion(flags(value(a, k), value(b, k), r[k])) }
            if let e = raised.exception(in: name) {
                if stopsAtNaN { return .rejected }
                caught.append(e)
                pointer(result).update(repeating: .nan, count: count)
            }
        }
        return .ok(.slot(result))
    }

    /// A unary operator inside the reference's `try`. Consumes its operand.
    @inline(__always)
    private mutating func guarded(
        unary x: Operand, _ name: String, _ f: (Double) -> Double,
        flags: (Double, Double) -> FloatingPointFlags
    ) -> Outcome {
        let result = map(x, f)
        defer { release(x) }
        if raising && !allOrdinary(result) {
            if stopsAtNaN && hasNaN(result) { return .rejected }
            var raised: FloatingPointFlags = []
            let r = pointer(result)
            for k in 0..<count { raised.formUnion(flags(value(x, k), r[k])) }
            if let e = raised.exception(in: name) {
                if stopsAtNaN { return .rejected }
                caught.append(e)
                pointer(result).update(repeating: .nan, count: count)
            }
        }
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
        switch op {
        case .abs:
            defer { release(operand) }
            return .ok(.slot(map(operand) { Swift.abs($0) }))
        case .inv:
            mask(&operand) { $0 == 0 }
            return guarded(unary: operand, "divide", { 1 / $0 }) {
                FloatingPointFlags.quotient(1, $0, $1)
            }
        case .log:
            mask(&operand) { $0 <= 0 }
            return guarded(unary: operand, "log", Foundation.log) { _, _ in [] }
        case .sqrt:
            mask(&operand) { $0 < 0 }
            return guarded(unary: operand, "sqrt", { $0.squareRoot() }) { _, _ in [] }
        case .pow2:
            return guarded(unary: operand, "square", { $0 * $0 }) {
                FloatingPointFlags.product($0, $0, $1)
            }
        case .pow3:
            return guarded(unary: operand, "power", { Foundation.pow($0, 3) }) {
                FloatingPointFlags.power($0, 3, $1)
            }
        case .exp:
            return guarded(unary: operand, "exp", Foundation.exp) {
                FloatingPointFlags.exponential($0, $1)
            }
        case .sin:
            return guarded(unary: operand, "sin", Foundation.sin) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        case .cos:
            return guarded(unary: operand, "cos", Foundation.cos) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: false)
            }
        case .tan:
            return guarded(unary: operand, "tan", Foundation.tan) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        case .arcsin:
            return guarded(unary: operand, "arcsin", Foundation.asin) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        case .arccos:
            return guarded(unary: operand, "arccos", Foundation.acos) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: false)
            }
        case .arctan:
            return guarded(unary: operand, "arctan", Foundation.atan) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        }
    }
}
