import Foundation
import SnipScript
import TestSupport
import Testing

/// Random and mutated programs must never crash the process: each one either runs or ends in a
/// diagnostic. A fixed budget (SNIP_FUZZ_BUDGET programs of each kind, default 1500) keeps the
/// run short; the seeds are fixed, so a failure reproduces.
struct FuzzTests {
    static var budget: Int {
        ProcessInfo.processInfo.environment["SNIP_FUZZ_BUDGET"].flatMap { Int($0) } ?? 1500
    }

    /// A small deterministic generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
        mutating func chance(_ p: Double) -> Bool { Double(next() % 10_000) / 10_000 < p }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
    }

    /// Runs one program with limits, as the fuzz test and its failure report do.
    /// How a fuzz program ended: 0 ran, 1 syntax errors, 2 runtime error.
    @discardableResult
    static func runGuarded(_ text: String) -> Int {
        var printed = 0
        let interpreter = Interpreter(output: { printed += $0.count })
        interpreter.stepLimit = 3000
        interpreter.allowsFiles = false
        interpreter.allowsPlots = false
        _ = Parser.needsMoreInput(text)
        switch interpreter.run(Source(name: "fuzz.snip", text: text), echo: true) {
        case .ok, .exited: return 0
        case .syntaxErrors(let all):
            _ = all.map { $0.render(colour: true) }
            return 1
        case .runtimeError(let d):
            _ = d.render()
            return 2
        }
    }

    // MARK: Random programs

    struct Generator {
        var rng: Random
        var depth = 0
        let names = ["x", "y", "v", "m", "f", "g", "s", "l", "i", "ans", "args"]
        let builtins = Builtins.all

        mutating func number() -> String {
            switch rng.int(10) {
            case 0: return rng.pick(["1e308", "-1e308", "1e-320", "inf", "nan", "-0", "1e12", "2^53", "0.5"])
            case 1: return "\(rng.int(2_000_000)) "
            case 2: return "-\(rng.int(5))"
            default: return "\(rng.int(6))" + (rng.chance(0.3) ? ".\(rng.int(100))" : "")
            }
        }

        mutating func expr() -> String {
            depth += 1
            defer { depth -= 1 }
            if depth > 4 { return rng.chance(0.5) ? number() : rng.pick(names) }
            switch rng.int(16) {
            case 0, 1: return number()
            case 2: return rng.pick(names)
            case 3: return "\"" + rng.pick(["", "a", "snip", "\\n", "é"]) + "\""
            case 4: return "[" + (0..<rng.int(4)).map { _ in expr() }.joined(separator: ", ") + "]"
            case 5: return "[[\(expr()), \(expr())], [\(expr()), \(expr())]]"
            case 6: return "(\(expr()) \(rng.pick(["+", "-", "*", "/", "%", "^", "@", "==", "<", ">=", "and", "or", ".."])) \(expr()))"
            case 7: return rng.pick(["-", "not ", "+"]) + expr()
            case 8: return "\(rng.pick(names))[\(expr())]"
            case 9: return "\(rng.pick(names))[\(rng.chance(0.5) ? expr() : ""):\(rng.chance(0.5) ? expr() : "")]"
            case 10: return rng.pick(["x -> \(expr())", "(a, b) -> a * \(expr())", "() -> \(expr())"])
            case 11: return rng.pick(["true", "false", "nothing", "pi", "e"])
            case 12: return "\(rng.pick(["f", "g"]))(\(expr()))"
            default: return call()
            }
        }

        mutating func call() -> String {
            let b = rng.pick(builtins)
            var args = (0..<rng.int(4)).map { _ in expr() }
            if rng.chance(0.3), !b.params.isEmpty {
                let p = rng.pick(b.params)
                args.append("\(p.name)=\(expr())")
            }
            if rng.chance(0.1) { args.append("nosuch=1") }
            return "\(b.name)(\(args.joined(separator: ", ")))"
        }

        mutating func block() -> String {
            "{\n" + (0..<rng.int(3)).map { _ in statement() }.joined(separator: "\n") + "\n}"
        }

        mutating func statement() -> String {
            depth += 1
            defer { depth -= 1 }
            if depth > 3 { return "\(rng.pick(names)) = \(expr())" }
            switch rng.int(12) {
            case 0, 1, 2: return "\(rng.pick(names)) = \(expr())"
            case 3: return "\(rng.pick(["f", "g"]))(x) = \(expr())"
            case 4: return "fn \(rng.pick(["f", "g"]))(x, y=1) \(block())"
            case 5: return "if \(expr()) \(block()) else \(block())"
            case 6: return "for i in \(expr()) \(block())"
            case 7: return "while \(expr()) \(block())"
            case 8: return rng.pick(["break", "continue", "return \(expr())", "return"])
            case 9: return "\(rng.pick(names))[\(expr())] = \(expr())"
            default: return expr() + (rng.chance(0.3) ? ";" : "")
            }
        }

        /// Defines every name the generator uses, so most programs get past name errors.
        static let prelude = "x = 1; y = 2; v = [1, 2, 3]; m = [[1, 2], [3, 4]]; s = \"ab\"; "
            + "l = [1, \"a\"]; f(x) = x; g(x) = x^2; i = 0\n"

        mutating func program() -> String {
            Generator.prelude + (0..<(1 + rng.int(8))).map { _ in statement() }.joined(separator: rng.chance(0.2) ? "; " : "\n")
        }
    }

    @Test func randomProgramsNeverCrash() {
        var generator = Generator(rng: Random(state: 2026))
        let start = Date()
        var outcomes = [0, 0, 0]
        for _ in 0..<Self.budget {
            let program = generator.program()
            outcomes[Self.runGuarded(program)] += 1
            if Date().timeIntervalSince(start) > 120 { break }
        }
        // The generator must reach the evaluator, not just the parser.
        let total = outcomes.reduce(0, +)
        print("random programs: \(total); ran \(outcomes[0]), syntax errors \(outcomes[1]), runtime errors \(outcomes[2])")
        #expect(outcomes[0] + outcomes[2] > total / 2)
        #expect(outcomes[0] > total / 30)
    }

    // MARK: Mutated programs

    static let corpus: [String] = {
        let dir = LanguageFixtures.folder
        return LanguageFixtures.files.compactMap {
            try? String(contentsOfFile: dir.appendingPathComponent($0).path, encoding: .utf8)
        }
    }()

    static let fragments = [
        "(", ")", "[", "]", "{", "}", ",", ";", "\n", "=", "->", "..", "^", "@", "\"", "#", ":", "-",
        "fn", "if", "else", "for", "while", "return", "break", "not", "1e400", "-1", "nan", "[[]]",
        "zeros(1e12)", "ones(1e7)", "x", "é", "\u{0}", "\\", "0..1e9", "f(f)", "[1][2]",
    ]

    @Test func mutatedProgramsNeverCrash() {
        var rng = Random(state: 7)
        var outcomes = [0, 0, 0]
        let start = Date()
        for _ in 0..<Self.budget {
            var bytes = Array(rng.pick(Self.corpus).utf8)
            for _ in 0..<(1 + rng.int(4)) {
                let at = rng.int(bytes.count + 1)
                switch rng.int(5) {
                case 0:
                    let end = min(bytes.count, at + rng.int(20))
                    bytes.removeSubrange(at..<end)
                case 1:
                    bytes.insert(contentsOf: Array(rng.pick(Self.fragments).utf8), at: at)
                case 2:
                    let end = min(bytes.count, at + rng.int(40))
                    bytes.insert(contentsOf: bytes[at..<end], at: min(bytes.count, end))
                case 3:
                    if at < bytes.count { bytes[at] = UInt8(rng.int(256)) }
                default:
                    bytes = Array(bytes.prefix(at))
                }
            }
            outcomes[Self.runGuarded(String(decoding: bytes, as: UTF8.self))] += 1
            if Date().timeIntervalSince(start) > 120 { break }
        }
        print("mutated programs: \(outcomes.reduce(0, +)); ran \(outcomes[0]), syntax errors \(outcomes[1]), runtime errors \(outcomes[2])")
        #expect(outcomes[0] > 0 && outcomes[1] > 0 && outcomes[2] > 0)
    }

    /// Programs aimed at the limits: each must end in a diagnostic (a syntax or runtime error),
    /// not a crash and not a result.
    @Test(arguments: [
        "zeros(1e12)", "ones(1e7, 1e7)", "range(1e15)", "0..1e300", "linspace(0, 1, -1)",
        "x = [1]; while true { x = concat(x, x) }", "s = \"ab\"; while true { s = s + s }",
        "l = [1]; for i in 0..200 { l = [l, l] }", "l = list(); for i in 0..100 { l = list(l) }",
        "f(x) = f(x) + 1; f(1)", "fn g(n) { return g(n) }; g(0)",
        String(repeating: "(", count: 5000) + "1" + String(repeating: ")", count: 5000),
        String(repeating: "[", count: 5000), String(repeating: "-", count: 5000) + "1",
        String(repeating: "not ", count: 5000) + "true", String(repeating: "if true {", count: 3000),
        String(repeating: "2^", count: 5000) + "2", "v = [1, 2]; v[2^63]",
        "reshape([1, 2, 3, 4], -1, -1)", "reshape(ones(4), 1e7, 1e7)",
        "eye(1e9)", "seed(-1)", "seed(1e300)", "integrate(x -> 1 / x, -1, 1)", "roots(x -> x, 1, 0)",
        "[[1, 2], [3]] @ [1]",
        "x = 1; x[0] = 2", "\"abc\"[1e20]", "print(nothing @ 1)", "diff(1)(2)",
    ])
    func limitsAreErrors(_ program: String) {
        #expect(Self.runGuarded(program) != 0, "no diagnostic for \(program.prefix(60))")
    }

    /// Programs at the edge that are fine: each runs to its end.
    @Test(arguments: [
        "v = [1, 2]; v[-1e300:1e300]", "hist([-1e308, 1e308])",
        "m = zeros(2, 0); m @ transpose(m); sum(m, axis=1); m[0]", "help(help)",
    ])
    func edgesThatAreFineRun(_ program: String) {
        #expect(Self.runGuarded(program) == 0, "\(program.prefix(60)) did not run")
    }

    // MARK: Deep and long programs

    /// Random deep and long inputs (operator chains, nested brackets, blocks, calls and unary
    /// operators, long prefix trees, deep recursion): each runs to a result or a diagnostic.
    /// In-process this relies on the interpreter's large stack and its stack check; the
    /// executable is run on a few of them too, where a crash would show as a signal.
    static func deepProgram(_ rng: inout Random) -> String {
        let n = 1 + rng.int(rng.chance(0.3) ? 60_000 : 3_000)
        switch rng.int(9) {
        case 0:
            let ops = ["+", "-", "*", "/", "^", "..", "==", "and", "@", "%"]
            return "x = " + (0..<n).map { _ in rng.pick(["1", "2", "x0", "[1, 2]", "true"]) }
                .joined(separator: " \(rng.pick(ops)) ")
        case 1:
            let open = rng.pick(["(", "[", "f(", "-(", "not (", "[[", "{"])
            let close = open == "[[" ? "]]" : open == "[" ? "]" : open == "{" ? "}" : ")"
            return "f(x) = x\ny = " + String(repeating: open, count: n) + "1" + String(repeating: close, count: n)
        case 2:
            return String(repeating: rng.pick(["if true { ", "while false { ", "for i in 0..1 { ", "fn q() { "]), count: n)
                + "1" + String(repeating: " }", count: n)
        case 3:
            let unary = ["sin", "cos", "exp", "abs", "inv", "pow2"]
            return "f = parse_prefix(\"" + (0..<n).map { _ in rng.pick(unary) }.joined(separator: ",")
                + ",x_0\")\nprint(f(0.5), len(prefix(f)), infix(f) != \"\")"
        case 4:
            return "fn r(k) { if k == 0 { return 0 }\n return 1 + r(k - 1) }\nprint(r(\(n * 3)))"
        case 5:
            return "g(x) = " + Array(repeating: "x", count: n).joined(separator: " * ") + "\nh = expr(g)\nprint(h(1))"
        case 6:
            return "x = " + String(repeating: rng.pick(["-", "+", "not ", "!"]), count: n) + "1"
        case 7:
            return "l = []\nfor i in 0..\(n) { l = [l] }\nprint(len(l))"
        default:
            return "s = \"" + String(repeating: "ab", count: n) + "\"\nv = []\nfor i in 0..\(n) { push(v, i) }\nprint(len(s), len(v), v[::-" + "\(1 + rng.int(5))][0])"
        }
    }

    @Test func deepAndLongProgramsEndInAResultOrADiagnostic() {
        var rng = Random(state: 13)
        var outcomes = [0, 0, 0]
        let start = Date()
        for _ in 0..<max(30, Self.budget / 25) {
            var printed = 0
            let interpreter = Interpreter(output: { printed += $0.count })
            interpreter.stepLimit = 200_000
            interpreter.allowsFiles = false
            interpreter.allowsPlots = false
            // a small stack budget reaches the stack check often, as a large input would
            interpreter.stackBudget = rng.chance(0.5) ? 8 << 20 : nil
            switch interpreter.run(Source(name: "deep.snip", text: Self.deepProgram(&rng)), echo: true) {
            case .ok, .exited: outcomes[0] += 1
            case .syntaxErrors(let all):
                #expect(!all.isEmpty)
                outcomes[1] += 1
            case .runtimeError(let d):
                #expect(d.range != nil, "a runtime error has a position: \(d.message)")
                _ = d.render()
                outcomes[2] += 1
            }
            if Date().timeIntervalSince(start) > 60 { break }
        }
        print("deep programs: ran \(outcomes[0]), syntax errors \(outcomes[1]), runtime errors \(outcomes[2])")
        #expect(outcomes[0] > 0 && outcomes[1] > 0 && outcomes[2] > 0)
    }

    @Test func deepProgramsDoNotKillTheExecutable() throws {
        var rng = Random(state: 99)
        let dir = try temporaryDirectory()
        for k in 0..<6 {
            let file = dir + "/deep\(k).snip"
            try Self.deepProgram(&rng).write(toFile: file, atomically: true, encoding: .utf8)
            let r = try runProcess(snipExecutable, ["run", file])
            #expect(!r.signalled, "snip was killed by signal \(r.status) on \(file)")
            #expect([0, 65, 70].contains(r.status), "\(r.errors.prefix(300))")
        }
    }
}
