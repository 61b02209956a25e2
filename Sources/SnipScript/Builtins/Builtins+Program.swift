import Foundation

/// Built-ins that act on the program itself: `exit` and `include`.
extension Builtins {
    static let program: [Builtin] = [
        Builtin("exit", .language, [.def("status", .number(0))], doc: """
            Ends the program (a script, the prompt or a notebook) with the exit status status \
            (0–255); what was printed stays printed. try/catch does not stop it.
            """) { _, a in
            throw ExitRequest(status: Int32(try a.int("status", max: 255)))
        },
        Builtin("include", .language, [.req("path")], doc: """
            Runs another .snip file in the global scope, so that its functions and variables can be \
            used: include("helpers.snip"). A relative path is relative to the including file's \
            folder (at the prompt, to the working directory). Errors in it point into that file.
            """) { interp, a in
            try interp.include(try a.string("path"), at: a.range("path"))
            return .nothing
        },
    ]
}

extension Interpreter {
    /// The deepest chain of files including each other.
    static let maxIncludeDepth = 16

    /// `include(path)`: parses the file and runs it in the global scope.
    func include(_ path: String, at range: SourceRange) throws {
        guard allowsFiles else { throw Diagnostic(.file, "include: files are disabled in this session", at: range) }
        var resolved = (path as NSString).expandingTildeInPath
        let including = range.source.name
        if !resolved.hasPrefix("/"), !including.hasPrefix("<"), FileManager.default.fileExists(atPath: including) {
            resolved = ((including as NSString).deletingLastPathComponent as NSString).appendingPathComponent(resolved)
        } else {
            resolved = resolvePath(resolved)
        }
        guard let data = FileManager.default.contents(atPath: resolved) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: resolved, isDirectory: &isDirectory)
            throw Diagnostic(.file, "include: cannot read '\(resolved)': "
                + (!exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "permission denied"), at: range)
        }
        guard includeDepth < Interpreter.maxIncludeDepth else {
            throw Diagnostic(.limit, "include: files include each other more than \(Interpreter.maxIncludeDepth) "
                + "levels deep (does a file include itself?)", at: range)
        }
        includeDepth += 1
        defer { includeDepth -= 1 }
        let source = Source(name: resolved, text: String(decoding: data, as: UTF8.self))
        let program: [Stmt]
        switch Parser.parse(source) {
        case .success(let p): program = p
        case .failure(let errors):
            var first = errors.all[0]
            first.addNote(Diagnostic.Note(message: "in the file included here"
                + (errors.all.count > 1 ? " (\(errors.all.count) syntax errors; this is the first)" : ""), range: range))
            throw first
        }
        do {
            for statement in program {
                switch try exec(statement, globals) {
                case .normal: continue
                case .breakLoop(let r): throw Diagnostic(.syntax, "'break' outside a loop", at: r)
                case .continueLoop(let r): throw Diagnostic(.syntax, "'continue' outside a loop", at: r)
                case .returned(_, let r): throw Diagnostic(.syntax, "'return' outside a function", at: r)
                }
            }
        } catch var d as Diagnostic {
            if d.kind != .interrupted { d.addNote(Diagnostic.Note(message: "in the file included here", range: range)) }
            throw d
        }
    }
}
