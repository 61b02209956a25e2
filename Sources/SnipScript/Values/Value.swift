/// A value of the language.
///
/// Numbers are float64. Vectors and matrices are `NDArray`s: float64 storage, so `sum`,
/// `integrate` and friends keep float64 precision; they become float32 `Tensor`s only at the
/// boundary to the tensor library (see `NDArray.tensor`).
public enum Value: Sendable {
    case number(Double)
    case bool(Bool)
    case string(String)
    /// A vector (rank 1) or a matrix (rank 2).
    case array(NDArray)
    /// A list of any values: `["a", 1, [2, 3]]`.
    case list([Value])
    case function(Function)
    /// A dataset, model, predictor, training run or record (see ``ScriptObject``).
    case object(any ScriptObject)
    case nothing

    /// The name `type(x)` returns.
    public var typeName: String {
        switch self {
        case .number: return "number"
        case .bool: return "bool"
        case .string: return "string"
        case .array(let a): return a.shape.count == 1 ? "vector" : "matrix"
        case .list: return "list"
        case .function(.expression): return "expression"
        case .function: return "function"
        case .object(let o): return o.typeName
        case .nothing: return "nothing"
        }
    }
}

extension Value {
    /// The deepest nesting of lists allowed.
    static let maxNesting = 64
    /// The most lists one value may contain, counting a shared list each time it appears (so
    /// `l = [l, l]` cannot double forever). Printing, comparing and freeing a value are then
    /// bounded in time and stack.
    static let maxListNodes = 10_000

    /// Whether the lists inside the value stay within `maxNesting` levels and `maxListNodes`.
    func listsAreBounded() -> Bool {
        var budget = Value.maxListNodes
        func visit(_ v: Value, _ depth: Int) -> Bool {
            guard case .list(let items) = v else { return true }
            budget -= 1
            if budget < 0 || depth > Value.maxNesting { return false }
            for item in items {
                if case .list = item, !visit(item, depth + 1) { return false }
            }
            return true
        }
        return visit(self, 1)
    }

    /// A list of `items`, checking its length, nesting depth and size.
    static func checkedList(_ items: [Value], at range: SourceRange?) throws -> Value {
        try NDArray.checkSize([items.count], at: range)
        let v = Value.list(items)
        guard v.listsAreBounded() else {
            throw Diagnostic(.limit, "list too large or nested too deeply (the limits are \(maxNesting) "
                + "levels and \(maxListNodes) lists inside one value)", at: range)
        }
        return v
    }
}

/// A function value: a user function (`f(x) = …`, `fn`, a lambda) or a built-in.
public enum Function: Sendable {
    case user(UserFunction)
    case builtin(Builtin)
    /// A built-in with some arguments already bound (such as the derivative `diff(f)`).
    case native(NativeFunction)
    /// A SNIP expression, called with one value per variable.
    case expression(SymbolicFunction)

    /// The name shown in messages and echoes.
    public var name: String {
        switch self {
        case .user(let f): return f.name
        case .builtin(let b): return b.name
        case .native(let n): return n.name
        case .expression(let s): return s.infix
        }
    }
}

/// A function written in the language, with the scope it was defined in.
public final class UserFunction: Sendable {
    public let name: String
    public let params: [Parameter]
    public let body: FunctionBody
    /// The scope the function sees (its definition's scope).
    let closure: Environment
    public let range: SourceRange

    init(name: String, params: [Parameter], body: FunctionBody, closure: Environment, range: SourceRange) {
        self.name = name
        self.params = params
        self.body = body
        self.closure = closure
        self.range = range
    }
}

/// A function implemented in Swift that is a value made at run time (not in the registry).
public final class NativeFunction: Sendable {
    public let name: String
    public let arity: Int
    let body: @Sendable (Interpreter, [Value], SourceRange) throws -> Value

    init(name: String, arity: Int,
         body: @escaping @Sendable (Interpreter, [Value], SourceRange) throws -> Value) {
        self.name = name
        self.arity = arity
        self.body = body
    }
}
