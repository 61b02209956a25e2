import SnipSystem

extension Interpreter {
    /// Shows the progress of long built-ins as one updating line on standard error, when standard
    /// error is a terminal (nothing otherwise, so logs and pipes stay clean).
    public func showProgressOnTerminal() {
        progress = terminalProgressLine()
    }
}

/// A progress sink for ``Interpreter/progress`` drawn by a ``StatusLine`` (given nil, it clears
/// the line); nil when standard error is not a terminal.
public func terminalProgressLine() -> ((String?) -> Void)? {
    guard stderrIsTerminal() else { return nil }
    let line = StatusLine(terminal: true, plainInterval: nil)
    return { text in
        if let text { line.show(text) } else { line.clear() }
    }
}
