import Testing

import SnipScript

/// Functions and the scopes holding them refer to each other; the interpreter frees them when
/// it goes away or is reset (LeakSanitizer found every run's functions and syntax leaked).
@Suite struct CapturedScopesTests {
    /// Runs `program` in a fresh interpreter and returns weak references to the function
    /// values `names` and the interpreter.
    private func functions(_ names: [String], after program: String)
        -> (functions: [WeakFunction], interpreter: Interpreter)
    {
        let interpreter = Interpreter(output: { _ in })
        let outcome = interpreter.run(Source(name: "<test>", text: program))
        guard case .ok = outcome else {
            Issue.record("program failed: \(outcome)")
            return ([], interpreter)
        }
        let found = names.compactMap { name -> WeakFunction? in
            guard case .function(.user(let f)) = interpreter.variable(name) else {
                Issue.record("\(name) is not a function")
                return nil
            }
            return WeakFunction(f)
        }
        return (found, interpreter)
    }

    @Test func functionsAreFreedWithTheInterpreter() {
        var (found, interpreter): ([WeakFunction], Interpreter?) = functions(
            ["f", "g", "adder"],
            after: """
                f(x) = 2 * x
                g = x -> f(x) + 1
                fn make(n) {
                    inner(y) = y + n
                    return inner
                }
                adder = make(3)
                """)
        #expect(found.count == 3)
        #expect(found.allSatisfy { $0.function != nil })
        interpreter = nil
        _ = interpreter
        for f in found { #expect(f.function == nil, "\(f.name) outlived its interpreter") }
    }

    @Test func resetFreesTheFunctions() {
        let (found, interpreter) = functions(["f"], after: "f(x) = x + 1\nh = f")
        #expect(found.first?.function != nil)
        interpreter.reset()
        #expect(found.first?.function == nil)
        // the interpreter still works after the reset
        #expect(interpreter.variable("h") == nil)
        guard case .ok = interpreter.run(Source(name: "<test>", text: "k(x) = x\nz = k(4)")) else {
            Issue.record("program after reset failed")
            return
        }
        #expect(number(interpreter.variable("z")) == 4)
    }

    @Test func closuresMadeInALoopWork() {
        let interpreter = Interpreter(output: { _ in })
        let program = """
            fn make(n) { return y -> y + n }
            total = 0
            for i in 1..5001 { total = total + make(i)(1) }
            """
        guard case .ok = interpreter.run(Source(name: "<test>", text: program)) else {
            Issue.record("program failed")
            return
        }
        #expect(number(interpreter.variable("total")) == 12_507_500)
    }
}

/// The number in `value`, if it is one.
private func number(_ value: Value?) -> Double? {
    if case .number(let x)? = value { return x }
    return nil
}

/// A weak reference to a function written in the language.
struct WeakFunction {
    weak var function: UserFunction?
    let name: String
    init(_ function: UserFunction) {
        self.function = function
        self.name = function.name
    }
}
