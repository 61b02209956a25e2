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
        var evaluator = try Evaluator(columns: try Self.columns(of: points), count: points.count)
        switch try evaluator.evaluate(self) {
        case .ok(let operand): return evaluator.read(operand)
        case .raised(let e): preconditionFailure("IEEE evaluation raised \(e)")
        }
    }

    /// Evaluates on points given as columns ([d][n]); returns n values (IEEE results).
    public func evaluate(columns: [[Double]]) throws(EvaluationError) -> [Double] {
        var evaluator = try Evaluator(columns: columns, count: columns.first?.count ?? 0)
        switch try evaluator.evaluate(self) {
        case .ok(let operand): return evaluator.read(operand)
        case .raised(let e): preconditionFailure("IEEE evaluation raised \(e)")
        }
    }

    /// Evaluates on rows ([n][d]) as the reference does under `np.seterr(all='raise')`.
    public func evaluateRaising(rows points: [[Double]]) throws(EvaluationError)
        -> RaisingEvaluation
    {
        var evaluator = try Evaluator(
            columns: try Self.columns(of: points), count: points.count, raising: true)
        return try evaluator.raisingResult(of: self)
    }

    /// Evaluates on columns ([d][n]) as the reference does under `np.seterr(all='raise')`.
    public func evaluateRaising(columns: [[Double]]) throws(EvaluationError) -> RaisingEvaluation {
        var evaluator = try Evaluator(
            columns: columns, count: columns.first?.count ?? 0, raising: true)
        return try evaluator.raisingResult(of: self)
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
/// operators may write NaN into, as numpy does through views.
struct Evaluator {
    /// A value during evaluation: a live view of an input column, an owned array, or a
    /// constant leaf's value (the same at every point; numpy's array of it, unshared).
    enum Operand {
        case column(Int)
        case array([Double])
        case scalar(Double)
    }

    enum Outcome {
        case ok(Operand)
        case raised(FloatingPointException)
    }

    var columns: [[Double]]
    let count: Int
    let raising: Bool
    /// Exceptions the reference's guards turned into NaN arrays, in evaluation order.
    var caught: [FloatingPointException] = []

    init(columns: [[Double]], count n: Int, raising: Bool = false) throws(EvaluationError) {
        guard columns.allSatisfy({ $0.count == n }) else { throw .raggedPoints }
        self.columns = columns
        self.count = n
        self.raising = raising
    }

    mutating func raisingResult(of e: Expression) throws(EvaluationError) -> RaisingEvaluation {
        switch try evaluate(e) {
        case .ok(let operand): return .values(read(operand), caught: caught)
        case .raised(let x): return .raised(x, caught: caught)
        }
    }

    /// The current contents of an operand (a column view reads the working copy now).
    func read(_ operand: Operand) -> [Double] {
        switch operand {
        case .column(let i): return columns[i]
        case .array(let a): return a
        case .scalar(let v): return [Double](repeating: v, count: count)
        }
    }

    /// `f` over the elements of two operands, into a new array; a scalar is not expanded.
    @inline(__always)
    func combine(_ a: Operand, _ b: Operand, _ f: (Double, Double) -> Double) -> [Double] {
        switch (a, b) {
        case (.scalar(let s), .scalar): return Self.map(read(b)) { f(s, $0) }
        case (.scalar(let s), _): return Self.map(read(b)) { f(s, $0) }
        case (_, .scalar(let s)): return Self.map(read(a)) { f($0, s) }
        default: return Self.map(read(a), read(b), f)
        }
    }

    var nans: [Double] { [Double](repeating: .nan, count: count) }

    /// `f` over the elements of `x` and `y` (equal lengths), into a new array.
    @inline(__always)
    static func map(_ x: [Double], _ y: [Double], _ f: (Double, Double) -> Double) -> [Double] {
        [Double](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                y.withUnsafeBufferPointer { y in
                    for k in 0..<x.count { out[k] = f(x[k], y[k]) }
                }
            }
            initialized = x.count
        }
    }

    /// `f` over the elements of `x`, into a new array.
    @inline(__always)
    static func map(_ x: [Double], _ f: (Double) -> Double) -> [Double] {
        [Double](unsafeUninitializedCapacity: x.count) { out, initialized in
            x.withUnsafeBufferPointer { x in
                for k in 0..<x.count { out[k] = f(x[k]) }
            }
            initialized = x.count
        }
    }

    /// Whether every value is finite with a magnitude above the smallest normal. No operator
    /// raises a flag for such a result (every rule in `FloatingPointFlags+Operations` needs a
    /// NaN, infinite, zero or tiny result), so the per-element flag rules can be skipped.
    @inline(__always)
    static func allOrdinary(_ values: [Double]) -> Bool {
        // |v| in (leastNormal, greatestFinite] as one unsigned range check on the bits of |v|
        // (NaNs lie above), without branches.
        let low = Double.leastNormalMagnitude.bitPattern + 1
        let span = Double.greatestFiniteMagnitude.bitPattern - low
        var outside: UInt64 = 0
        values.withUnsafeBufferPointer { values in
            for v in values {
                let magnitude = v.bitPattern & 0x7FFF_FFFF_FFFF_FFFF
                outside |= (magnitude &- low) > span ? 1 : 0
            }
        }
        return outside == 0
    }

    /// Writes NaN where `condition` holds, into the view's column or the owned array.
    mutating func mask(_ operand: inout Operand, where condition: (Double) -> Bool) {
        switch operand {
        case .column(let i):
            for k in 0..<count where condition(columns[i][k]) { columns[i][k] = .nan }
        case .array(var a):
            operand = .array([])  // release the reference so the mutation is in place
            for k in 0..<a.count where condition(a[k]) { a[k] = .nan }
            operand = .array(a)
        case .scalar(let v):
            if condition(v) { operand = .scalar(.nan) }
        }
    }

    mutating func evaluate(_ e: Expression) throws(EvaluationError) -> Outcome {
        switch e {
        case .leaf(let leaf):
            return .ok(try evaluate(leaf))
        case .unary(let op, let child):
            return try evaluate(op, child)
        case .binary(let op, let left, let right):
            return try evaluate(op, left, right)
        }
    }

    private func evaluate(_ leaf: Leaf) throws(EvaluationError) -> Operand {
        switch leaf {
        case .variable(let i):
            guard i < columns.count else {
                throw .variableOutOfRange(index: i, dimension: columns.count)
            }
            return .column(i)
        case .number(let text):
            return .scalar(Self.value(ofLiteral: text))
        case .constant(let c):
            return .scalar(c.value)
        case .rand:
            return .scalar(0)
        case .placeholder:
            throw .placeholder
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

    private mutating func evaluate(_ op: BinaryOperator, _ left: Expression, _ right: Expression)
        throws(EvaluationError) -> Outcome
    {
        if op == .div {
            // The reference evaluates the denominator first, masks it, then the numerator
            // inside its `try`.
            var denominator: Operand
            switch try evaluate(right) {
            case .ok(let o): denominator = o
            case .raised(let x): return .raised(x)
            }
            mask(&denominator) { $0 == 0 }
            let numerator: Operand
            switch try evaluate(left) {
            case .ok(let o): numerator = o
            case .raised(let e):
                caught.append(e)  // the numerator is evaluated inside div's `try`
                return .ok(.array(nans))
            }
            return guarded(binary: numerator, denominator, "divide", /) {
                FloatingPointFlags.quotient($0, $1, $2)
            }
        }
        let a: Operand
        switch try evaluate(left) {
        case .ok(let o): a = o
        case .raised(let x): return .raised(x)
        }
        let b: Operand
        switch try evaluate(right) {
        case .ok(let o): b = o
        case .raised(let x): return .raised(x)
        }
        switch op {
        case .add, .sub:
            let result = op == .add ? combine(a, b, +) : combine(a, b, -)
            if raising && !Self.allOrdinary(result) {
                let x = read(a)
                let y = read(b)
                var flags: FloatingPointFlags = []
                for k in 0..<count { flags.formUnion(.additive(x[k], y[k], result[k])) }
                if let e = flags.exception(in: op == .add ? "add" : "subtract") {
                    return .raised(e)
                }
            }
            return .ok(.array(result))
        case .mul:
            return guarded(binary: a, b, "multiply", *) { FloatingPointFlags.product($0, $1, $2) }
        case .pow:
            return guarded(binary: a, b, "power", Foundation.pow) {
                FloatingPointFlags.power($0, $1, $2)
            }
        case .div:
            preconditionFailure("handled above")
        }
    }

    /// An operator inside the reference's `try`: a raise gives an all-NaN array (and is
    /// recorded in ``caught``).
    @inline(__always)
    private mutating func guarded(
        binary a: Operand, _ b: Operand, _ name: String, _ f: (Double, Double) -> Double,
        flags: (Double, Double, Double) -> FloatingPointFlags
    ) -> Outcome {
        let result = combine(a, b, f)
        if raising && !Self.allOrdinary(result) {
            let x = read(a)
            let y = read(b)
            var raised: FloatingPointFlags = []
            for k in 0..<count { raised.formUnion(flags(x[k], y[k], result[k])) }
            if let e = raised.exception(in: name) {
                caught.append(e)
                return .ok(.array(nans))
            }
        }
        return .ok(.array(result))
    }

    @inline(__always)
    private mutating func guarded(
        unary x: [Double], _ name: String, _ f: (Double) -> Double,
        flags: (Double, Double) -> FloatingPointFlags
    ) -> Outcome {
        let result = Self.map(x, f)
        if raising && !Self.allOrdinary(result) {
            var raised: FloatingPointFlags = []
            for k in 0..<count { raised.formUnion(flags(x[k], result[k])) }
            if let e = raised.exception(in: name) {
                caught.append(e)
                return .ok(.array(nans))
            }
        }
        return .ok(.array(result))
    }

    private mutating func evaluate(_ op: UnaryOperator, _ child: Expression)
        throws(EvaluationError) -> Outcome
    {
        let outcome = try evaluate(child)
        var operand: Operand
        switch outcome {
        case .ok(let o): operand = o
        case .raised(let x):
            switch op {
            case .exp, .sin, .cos, .tan, .arcsin, .arccos, .arctan:
                caught.append(x)  // the child's error is caught by the numpy-call `try`
                return .ok(.array(nans))
            default:
                return .raised(x)
            }
        }
        switch op {
        case .abs:
            return .ok(.array(read(operand).map { Swift.abs($0) }))
        case .inv:
            mask(&operand) { $0 == 0 }
            return guarded(unary: read(operand), "divide", { 1 / $0 }) {
                FloatingPointFlags.quotient(1, $0, $1)
            }
        case .log:
            mask(&operand) { $0 <= 0 }
            return guarded(unary: read(operand), "log", Foundation.log) { _, _ in [] }
        case .sqrt:
            mask(&operand) { $0 < 0 }
            return guarded(unary: read(operand), "sqrt", { $0.squareRoot() }) { _, _ in [] }
        case .pow2:
            return guarded(unary: read(operand), "square", { $0 * $0 }) {
                FloatingPointFlags.product($0, $0, $1)
            }
        case .pow3:
            return guarded(unary: read(operand), "power", { Foundation.pow($0, 3) }) {
                FloatingPointFlags.power($0, 3, $1)
            }
        case .exp:
            return guarded(unary: read(operand), "exp", Foundation.exp) {
                FloatingPointFlags.exponential($0, $1)
            }
        case .sin:
            return guarded(unary: read(operand), "sin", Foundation.sin) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        case .cos:
            return guarded(unary: read(operand), "cos", Foundation.cos) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: false)
            }
        case .tan:
            return guarded(unary: read(operand), "tan", Foundation.tan) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        case .arcsin:
            return guarded(unary: read(operand), "arcsin", Foundation.asin) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        case .arccos:
            return guarded(unary: read(operand), "arccos", Foundation.acos) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: false)
            }
        case .arctan:
            return guarded(unary: read(operand), "arctan", Foundation.atan) {
                FloatingPointFlags.transcendental($0, $1, tinyPassesThrough: true)
            }
        }
    }
}
