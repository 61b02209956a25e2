/// Where the REPL gets its lines: GNU readline on a terminal, a script of lines in tests.
public protocol LineReader: AnyObject {
    /// The next line (without its newline) after showing `prompt`; nil at end of input (Ctrl-D).
    func readLine(prompt: String) -> String?
    /// Whether the last `readLine` was cut short by Ctrl-C (the partial entry is dropped).
    var wasCancelled: Bool { get }
    /// Records a complete entry in the history.
    func addHistory(_ entry: String)
}

/// A line reader over a fixed list of lines (for tests). `"\u{3}"` stands for Ctrl-C and
/// `"\u{4}"` for Ctrl-D (end of input once); the end of the list is end of input.
public final class ScriptedLineReader: LineReader {
    private var lines: [String]
    /// The prompts shown, in order.
    public private(set) var prompts: [String] = []
    /// The entries recorded in the history.
    public private(set) var history: [String] = []
    public private(set) var wasCancelled = false

    public init(_ lines: [String]) { self.lines = lines }

    public func readLine(prompt: String) -> String? {
        prompts.append(prompt)
        wasCancelled = false
        guard !lines.isEmpty else { return nil }
        let line = lines.removeFirst()
        if line == "\u{4}" { return nil }
        if line == "\u{3}" {
            wasCancelled = true
            return ""
        }
        return line
    }

    public func addHistory(_ entry: String) { history.append(entry) }
}
