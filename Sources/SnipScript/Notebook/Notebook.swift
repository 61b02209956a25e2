import Foundation

/// A notebook: a `.snip` file split into cells at lines starting with `#%%`. A cell whose
/// marker line is `#%% [markdown]` holds Markdown in `#` comments; other cells hold code (the
/// rest of the marker line is the cell's title).
public struct Notebook {
    public struct Cell {
        public enum Kind { case code, markdown }
        public let kind: Kind
        public let title: String
        /// The cell's text (for markdown cells, without the leading `#`).
        public let text: String
        /// The line of the file where the text starts.
        public let firstLine: Int
    }

    /// The outcome of one code cell.
    public struct CellResult {
        public let cell: Cell
        /// Whether the cell ran (false after an earlier failure without `--keep-going`).
        public var ran = false
        public var output = ""
        public var images: [PlotImage] = []
        public var error: String?
    }

    public let path: String
    public let cells: [Cell]

    /// Splits `text` (the file at `path`) into cells.
    public init(path: String, text: String) {
        self.path = path
        var cells: [Cell] = []
        var kind = Cell.Kind.code
        var title = ""
        var lines: [Substring] = []
        var first = 1
        func flush() {
            let body: String
            if kind == .markdown {
                body = lines.map { line -> String in
                    var l = line[...]
                    if l.hasPrefix("#") { l = l.dropFirst() }
                    if l.hasPrefix(" ") { l = l.dropFirst() }
                    return String(l)
                }.joined(separator: "\n")
            } else {
                body = lines.joined(separator: "\n")
            }
            if !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty || !title.isEmpty {
                cells.append(Cell(kind: kind, title: title, text: body, firstLine: first))
            }
        }
        let all = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (k, line) in all.enumerated() {
            if line.hasPrefix("#%%") {
                flush()
                var rest = line.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if rest.lowercased().hasPrefix("[markdown]") || rest.lowercased().hasPrefix("[md]") {
                    kind = .markdown
                    rest = String(rest.drop { $0 != "]" }.dropFirst()).trimmingCharacters(in: .whitespaces)
                } else {
                    kind = .code
                }
                title = rest
                lines = []
                first = k + 2
            } else {
                lines.append(line)
            }
        }
        flush()
        self.cells = cells
    }

    /// Runs the code cells in order on one interpreter, capturing output, plots and errors. After
    /// a failing cell the later ones are skipped unless `keepGoing`.
    public func run(keepGoing: Bool, imageFormat: PlotImage.Format = .png,
                    progress: ((String?) -> Void)? = nil, environment: [String: String]? = nil)
        -> (results: [CellResult], failed: Bool)
    {
        var captured = ""
        let interpreter = Interpreter(output: { captured += $0 })
        interpreter.progress = progress
        if let environment { interpreter.environment = environment }
        interpreter.plotMode = .images(format: imageFormat)
        var results: [CellResult] = []
        var failed = false
        var exited = false
        for cell in cells {
            var result = CellResult(cell: cell)
            if cell.kind == .markdown || (failed && !keepGoing) || exited {
                results.append(result)
                continue
            }
            captured = ""
            interpreter.plotImages = []
            let source = Source(name: path, text: cell.text, firstLine: cell.firstLine)
            result.ran = true
            switch interpreter.run(source, echo: true) {
            case .ok: break
            case .syntaxErrors(let all):
                result.error = all.map { $0.render() }.joined()
            case .runtimeError(let d):
                result.error = d.render()
            case .exited(let status):
                // exit(…) ends the notebook: the later cells are not run
                exited = true
                if status != 0 { result.error = "exit(\(status))\n" }
            }
            if result.error != nil { failed = true }
            result.output = captured
            result.images = interpreter.plotImages
            results.append(result)
        }
        return (results, failed)
    }
}
