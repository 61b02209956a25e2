import Foundation

extension Interpreter {
    /// Shows the progress of long built-ins as one updating line on standard error, when standard
    /// error is a terminal (nothing otherwise, so logs and pipes stay clean).
    public func showProgressOnTerminal() {
        progress = terminalProgressLine()
    }
}

/// A progress sink that redraws one line on standard error at most ten times a second and clears
/// it when given nil; nil when standard error is not a terminal.
public func terminalProgressLine() -> ((String?) -> Void)? {
    guard stderrIsTerminal() else { return nil }
    var shown = false
    var last: UInt64 = 0
    return { text in
        guard let text else {
            if shown { writeStandardError("\r\u{1B}[K") }
            shown = false
            return
        }
        let now = DispatchTime.now().uptimeNanoseconds
        guard !shown || now - last > 100_000_000 else { return }
        last = now
        shown = true
        writeStandardError("\r\u{1B}[K" + text)
    }
}
