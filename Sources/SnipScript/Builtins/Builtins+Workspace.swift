import Foundation
import SnipMath
import SnipModel

/// `save` and `load`: the variables of a session in a JSON file (`.snipdata`), so that work can
/// stop and go on later.
extension Builtins {
    static let workspace: [Builtin] = [
        Builtin("save", .files, [.req("path")], variadic: "names", doc: """
            Writes variables to a workspace file (JSON): save("ws.snipdata") saves them all, \
            save("ws.snipdata", "a", "f") the ones named. Numbers, bools, strings, vectors, matrices, \
            lists, records, expressions and functions (as their definitions) are stored; datasets \
            and models by the files they were read from (generated ones are skipped with a note: \
            save_data or save_model them first).
            """) { interp, a in
            try checkFilesAllowed(interp, a)
            let path = interp.resolvePath(try a.string("path"))
            var names: [String] = []
            for (v, r) in zip(a.rest, a.restRanges) {
                guard case .string(let n) = v else {
                    throw Diagnostic(.type, "save: name the variables as strings (\"x\"), not a \(v.typeName)", at: r)
                }
                guard interp.variable(n) != nil else { throw Diagnostic(.name, "save: no variable '\(n)'", at: r) }
                names.append(n)
            }
            if names.isEmpty { names = interp.variableNames.filter { $0 != "args" && $0 != "ans" } }
            var members: [String] = []
            for name in names {
                guard let value = interp.variable(name) else { continue }
                do {
                    members.append(jsonString(name) + ": " + (try encodeWorkspaceValue(value, interp)))
                } catch let skip as WorkspaceSkip {
                    interp.output("save: skipped '\(name)': \(skip.reason)\n")
                }
            }
            let text = "{\"snip_workspace\": 1, \"variables\": {\n  " + members.joined(separator: ",\n  ") + "\n}}\n"
            do {
                try text.write(toFile: path, atomically: true, encoding: .utf8)
            } catch {
                throw Diagnostic(.file, "save: cannot write '\(path)': \(describeFileError(error, path: path))",
                                 at: a.range("path"))
            }
            return .nothing
        },
        Builtin("load", .files, [.req("path")], doc: """
            Reads a workspace file written by save and sets its variables (replacing variables of the \
            same names); returns the list of their names.
            """) { interp, a in
            try checkFilesAllowed(interp, a)
            let path = interp.resolvePath(try a.string("path"))
            let text: String
            do {
                text = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw Diagnostic(.file, "load: cannot read '\(path)': \(describeFileError(error, path: path))",
                                 at: a.range("path"))
            }
            let json: JSONValue
            do {
                json = try JSONValue(parsing: text)
            } catch {
                throw Diagnostic(.file, "load: '\(path)' is not a workspace file (\(error))", at: a.range("path"))
            }
            guard case .object(let top) = json, let vars = top.first(where: { $0.key == "variables" }),
                  case .object(let members) = vars.value else {
                throw Diagnostic(.file, "load: '\(path)' is not a workspace file (no \"variables\")", at: a.range("path"))
            }
            var loaded: [Value] = []
            for member in members {
                do {
                    interp.setVariable(member.key, try decodeWorkspaceValue(member.value, name: member.key, interp, at: a.range))
                    loaded.append(.string(member.key))
                } catch let d as Diagnostic {
                    throw Diagnostic(d.kind, "load: '\(member.key)': \(d.message)", at: a.range("path"))
                }
            }
            return .list(loaded)
        },
    ]

    /// A value `save` cannot store, and why.
    struct WorkspaceSkip: Error {
        let reason: String
    }

    static func jsonString(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// A number as JSON; nan and the infinities as strings.
    static func jsonNumber(_ x: Double) -> String {
        x.isFinite ? (x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : "\(x)") : "\"\(formatNumber(x))\""
    }

    static func encodeWorkspaceValue(_ v: Value, _ interp: Interpreter) throws -> String {
        switch v {
        case .number(let x): return "{\"number\": \(jsonNumber(x))}"
        case .bool(let b): return "{\"bool\": \(b)}"
        case .string(let s): return "{\"string\": \(jsonString(s))}"
        case .nothing: return "{\"nothing\": null}"
        case .array(let a):
            return "{\"array\": [" + a.shape.map(String.init).joined(separator: ", ") + "], \"mask\": \(a.isMask), \"data\": ["
                + a.data.map(jsonNumber).joined(separator: ", ") + "]}"
        case .list(let items):
            return "{\"list\": [" + (try items.map { try encodeWorkspaceValue($0, interp) }).joined(separator: ", ") + "]}"
        case .function(.expression(let s)): return "{\"expression\": \(jsonString(s.expression.prefix))}"
        case .function(.builtin(let b)): return "{\"builtin\": \(jsonString(b.name))}"
        case .function(.user(let u)):
            let r = u.range
            var text = String(decoding: r.source.bytes[r.start..<r.end], as: UTF8.self)
            // the comment above a definition is its help text: keep it
            let doc = docComment(above: r)
            if u.name != "lambda", !doc.isEmpty { text = doc.map { "# " + $0 + "\n" }.joined() + text }
            return "{\"function\": \(jsonString(text)), \"name\": \(jsonString(u.name))}"
        case .function(.native(let n)):
            throw WorkspaceSkip(reason: "'\(n.name)' is computed, not written in the language")
        case .object(let record as Record):
            let fields = try record.fields.map { "[" + jsonString($0.name) + ", " + (try encodeWorkspaceValue($0.value, interp)) + "]" }
            return "{\"record\": \(jsonString(record.typeName)), \"fields\": [" + fields.joined(separator: ", ") + "]}"
        case .object(let ds as DatasetValue):
            let file = interp.resolvePath(ds.origin)
            guard FileManager.default.fileExists(atPath: file) else {
                throw WorkspaceSkip(reason: "a generated dataset (save_data(ds, \"file.prefix\") it first, then load_data it)")
            }
            return "{\"dataset\": \(jsonString(file)), \"count\": \(ds.samples.count)"
                + (ds.property.map { ", \"property\": " + jsonString($0.rawValue) } ?? "") + "}"
        case .object(let m as ModelValue):
            if m.origin.hasPrefix("the shipped model") { return "{\"model\": \"default\"}" }
            let file = interp.resolvePath(m.origin)
            guard FileManager.default.fileExists(atPath: file), m.isPretrained else {
                throw WorkspaceSkip(reason: "a model not read from a file (save_model(m, \"m.safetensors\") it first)")
            }
            return "{\"model_file\": \(jsonString(file)), \"normalize_y\": \(m.normalizesY)}"
        case .object(let o):
            throw WorkspaceSkip(reason: "a \(o.typeName) (only datasets and models are saved, by their files)")
        }
    }

    static func decodeWorkspaceValue(_ json: JSONValue, name: String, _ interp: Interpreter,
                                     at range: SourceRange) throws -> Value {
        func bad() -> Diagnostic { Diagnostic(.file, "not a value this version of snip wrote", at: range) }
        func number(_ j: JSONValue) throws -> Double {
            if case .number(let x) = j { return x }
            if case .string(let s) = j, let x = Double(s) { return x }
            throw bad()
        }
        guard case .object(let members) = json, let first = members.first else { throw bad() }
        func field(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }
        switch first.key {
        case "number": return .number(try number(first.value))
        case "bool":
            guard case .bool(let b) = first.value else { throw bad() }
            return .bool(b)
        case "string":
            guard case .string(let s) = first.value else { throw bad() }
            return .string(s)
        case "nothing": return .nothing
        case "array":
            guard case .array(let shapeJSON) = first.value, case .array(let dataJSON)? = field("data") else { throw bad() }
            let shape = try shapeJSON.map { Int(try number($0)) }
            let data = try dataJSON.map(number)
            guard (1...2).contains(shape.count) else { throw bad() }
            try NDArray.checkSize(shape, at: range)
            guard shape.reduce(1, *) == data.count else { throw bad() }
            var mask = false
            if case .bool(let m)? = field("mask") { mask = m }
            return .array(NDArray(shape: shape, data: data, isMask: mask))
        case "list":
            guard case .array(let items) = first.value else { throw bad() }
            return try Value.checkedList(try items.map { try decodeWorkspaceValue($0, name: name, interp, at: range) }, at: range)
        case "expression":
            guard case .string(let prefix) = first.value else { throw bad() }
            if let depth = ExpressionDepth.ofPrefix(prefix.split(separator: ",", omittingEmptySubsequences: false)) {
                try ExpressionDepth.check(depth, "the expression", at: range)
            }
            do {
                return .function(.expression(SymbolicFunction(try SymbolicExpression(prefix: prefix))))
            } catch {
                throw Diagnostic(.file, "the expression \(prefix): \(error)", at: range)
            }
        case "builtin":
            guard case .string(let n) = first.value, let b = registry[n] else { throw bad() }
            return .function(.builtin(b))
        case "function":
            guard case .string(let text) = first.value, case .string(let fname)? = field("name") else { throw bad() }
            return try interp.defineFunction(text, named: fname, at: range)
        case "record":
            guard case .string(let typeName) = first.value, case .array(let fields)? = field("fields") else { throw bad() }
            let pairs: [(String, Value)] = try fields.map { f in
                guard case .array(let pair) = f, pair.count == 2, case .string(let k) = pair[0] else { throw bad() }
                return (k, try decodeWorkspaceValue(pair[1], name: name, interp, at: range))
            }
            return .object(Record(typeName, pairs))
        case "dataset":
            guard case .string(let file) = first.value else { throw bad() }
            var call = "load_data(" + jsonString(file)
            if case .string(let p)? = field("property") { call += ", property=" + jsonString(p) }
            return try interp.evaluateText(call + ")", at: range)
        case "model":
            return try interp.evaluateText("model()", at: range)
        case "model_file":
            guard case .string(let file) = first.value else { throw bad() }
            var normalize = true
            if case .bool(let b)? = field("normalize_y") { normalize = b }
            return try interp.evaluateText("load_model(" + jsonString(file) + ", normalize_y=\(normalize))", at: range)
        default:
            throw bad()
        }
    }
}

extension Interpreter {
    /// The value of an expression written as text (for `load`), evaluated in the global scope.
    func evaluateText(_ text: String, at range: SourceRange) throws -> Value {
        guard case .success(let program) = Parser.parse(Source(name: "<workspace>", text: text)),
              program.count == 1, case .expression(let e, _) = program[0] else {
            throw Diagnostic(.file, "cannot read '\(text)'", at: range)
        }
        return try evaluate(e, globals)
    }

    /// A function from its definition's text (`f(x) = …`, `fn f(…) { … }` or a lambda `x -> …`),
    /// defined in the global scope.
    func defineFunction(_ text: String, named name: String, at range: SourceRange) throws -> Value {
        switch Parser.parse(Source(name: "<workspace>", text: text)) {
        case .success(let program) where program.count == 1:
            switch program[0] {
            case .expression(let e, _):
                return try evaluate(e, globals)
            case .function(let n, let params, let body, let r):
                return makeFunction(n, params, body, closure: globals, range: r)
            default: break
            }
        default: break
        }
        throw Diagnostic(.file, "the function '\(name)' cannot be read back", at: range)
    }
}
