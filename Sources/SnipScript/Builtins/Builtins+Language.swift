import Foundation

extension Builtins {
    static let language: [Builtin] = [
        Builtin("print", .language, [.def("sep", .string(" "))], variadic: "values",
                doc: "Prints the values separated by sep (strings without quotes) and a newline.") { interp, a in
            let sep = try a.string("sep")
            interp.output(a.rest.map(\.display).joined(separator: sep) + "\n")
            return .nothing
        },
        Builtin("type", .language, [.req("x")],
                doc: "The type of x as a string: number, bool, string, vector, matrix, list, function or nothing.") { _, a in
            .string(a.values[0]?.typeName ?? "nothing")
        },
        Builtin("help", .language, [.opt("name")],
                doc: "help() lists the built-ins; help(name) describes a built-in, keyword or function "
                    + "(help(\"operators\") shows the operators).") { interp, a in
            interp.output(try helpFor(interp, a))
            return .nothing
        },
        Builtin("str", .language, [.req("x")], doc: "x as a string, as print shows it.") { _, a in
            .string(a.values[0]?.display ?? "nothing")
        },
        Builtin("num", .language, [.req("s")], doc: "The number a string spells (\"2.5\" → 2.5).") { _, a in
            let s = try a.string("s").trimmingCharacters(in: .whitespaces)
            guard let x = Double(s) else {
                throw Diagnostic(.value, "num: \"\(s)\" is not a number", at: a.range("s"))
            }
            return .number(x)
        },
        Builtin("list", .language, [], variadic: "values", doc: "A list of the values, whatever their types.") { _, a in
            try Value.checkedList(a.rest, at: a.range)
        },
        Builtin("error", .language, [.req("message")],
                doc: "Stops the program with an error carrying the message.") { _, a in
            throw Diagnostic(.value, try a.string("message"), at: a.range)
        },
        Builtin("assert", .language, [.req("condition"), .def("message", .string("assertion failed"))],
                doc: "Stops with an error (the message) unless the condition is true.") { _, a in
            if try a.bool("condition") { return .nothing }
            throw Diagnostic(.value, try a.string("message"), at: a.range("condition"))
        },
        Builtin("keys", .language, [.req("x")], doc: """
            The field names of a record (or of a model, run or predictor), as a list of strings: \
            for k in keys(r) { print(k, r[k]) }.
            """) { _, a in
            guard case .object(let o)? = a.value("x") else { throw a.typeError("x", "a record or object") }
            return .list(o.fieldNames.map { .string($0) })
        },
        Builtin("split", .language, [.req("s"), .opt("sep")], doc: """
            The parts of the string s between the separators sep, as a list of strings; without sep \
            the parts between runs of blanks: split("a b  c") is ["a", "b", "c"].
            """) { _, a in
            let s = try a.string("s")
            guard let sep = try a.optionalString("sep") else {
                return .list(s.split(whereSeparator: { $0 == " " || $0 == "\t" || $0.isNewline })
                    .map { .string(String($0)) })
            }
            guard !sep.isEmpty else { throw Diagnostic(.value, "split: sep is empty", at: a.range("sep")) }
            return try Value.checkedList(s.components(separatedBy: sep).map { .string($0) }, at: a.range)
        },
        Builtin("join", .language, [.req("xs"), .def("sep", .string(""))], doc: """
            The elements of a list or vector as one string, with sep between them (strings without \
            quotes, numbers as print shows them): join(["a", "b"], ", ") is "a, b".
            """) { _, a in
            let sep = try a.string("sep")
            let parts: [String]
            switch a.value("xs") {
            case .list(let items)?: parts = items.map(\.display)
            case .array(let v)? where v.isVector: parts = v.data.map(formatNumber)
            default: throw a.typeError("xs", "a list or vector")
            }
            let text = parts.joined(separator: sep)
            guard text.utf8.count <= NDArray.maxElements else {
                throw Diagnostic(.limit, "join: string too long", at: a.range)
            }
            return .string(text)
        },
        Builtin("time", .language, [.opt("f")], doc: """
            time() is the wall-clock time in seconds (differences measure durations); time(f) calls \
            the function f without arguments, prints how long it took and returns its value.
            """) { interp, a in
            guard a.value("f") != nil else { return .number(Date().timeIntervalSince1970) }
            let f = try a.function("f")
            let start = DispatchTime.now().uptimeNanoseconds
            let v = try interp.call(f, [], at: a.range)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            interp.output("time: \(String(format: "%.6g", seconds)) s\n")
            return v
        },
    ]

    static func helpFor(_ interp: Interpreter, _ a: BoundArguments) throws -> String {
        switch a.value("name") {
        case nil: return overview
        case .string(let s)?:
            if s == "operators" { return operatorHelp }
            if let text = helpText(for: s) { return text }
            if let v = interp.variable(s) { return helpDescription(v) }
            throw Diagnostic(.name, "no help for '\(s)'", at: a.range("name"))
        case let v?: return helpDescription(v)
        }
    }

    /// What `help` says about a value.
    static func helpDescription(_ v: Value) -> String {
        switch v {
        case .function(.builtin(let b)): return helpText(for: b.name) ?? ""
        case .function(.user(let u)): return userHelp(u)
        case .function(.native(let n)): return "\(n.name): a function of \(n.arity) argument(s)\n"
        case .function(.expression(let s)):
            return "expression \(s.infix)\n    a SNIP expression of \(s.dimension) variable(s); prefix: \(s.expression.prefix)\n"
        case .object(let o) where !o.fieldNames.isEmpty:
            return "a \(o.typeName): \(o.summary)\n    fields: " + o.fieldNames.map { "\"\($0)\"" }.joined(separator: ", ") + "\n"
        default: return "a \(v.typeName): \(v.repr)\n"
        }
    }

    static func userHelp(_ u: UserFunction) -> String {
        let params = u.params.map { $0.defaultValue == nil ? $0.name : "\($0.name)=…" }
        var text = "\(u.name)(\(params.joined(separator: ", "))): defined at \(u.range.location)\n"
        for line in docComment(above: u.range) { text += "    \(line)\n" }
        return text
    }

    /// The `#` comment lines right above a definition (its help text), without the `#`.
    static func docComment(above range: SourceRange) -> [String] {
        let source = range.source
        var index = source.lineIndex(of: range.start)
        var lines: [String] = []
        while index > 0 {
            index -= 1
            let text = source.lineText(of: source.lineStarts[index]).trimmingCharacters(in: .whitespaces)
            guard text.hasPrefix("#"), !text.hasPrefix("#%%") else { break }
            lines.insert(String(text.dropFirst()).trimmingCharacters(in: .whitespaces), at: 0)
        }
        return lines
    }
}
