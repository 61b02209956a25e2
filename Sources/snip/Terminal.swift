import Foundation
import Synchronization

/// Prints a message on standard error.
func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// "1h02m", "3m05s", "12s".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
}

/// One status line on standard error, rewritten in place on a terminal; elsewhere a plain line
/// at most every 10 seconds.
final class StatusLine {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastPlain: UInt64 = 0
    private var shown = false

    func show(_ text: String) {
        if isTerminal {
            FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
            shown = true
        } else {
            let now = DispatchTime.now().uptimeNanoseconds
            if now - lastPlain >= 10_000_000_000 || lastPlain == 0 {
                lastPlain = now
                note(text)
            }
        }
    }

    /// Ends the line on a terminal.
    func finish() {
        if isTerminal && shown { FileHandle.standardError.write(Data("\n".utf8)) }
    }
}

private let interruptRequested = Atomic<Bool>(false)

/// Ctrl-C handling for long commands: the first Ctrl-C sets a flag the work loop checks; a
/// second one ends the process at once.
final class InterruptFlag: @unchecked Sendable {
    private let source: DispatchSourceSignal

    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            if interruptRequested.exchange(true, ordering: .relaxed) {
                note("\ninterrupted again: exiting without saving")
                exit(130)
            }
            note("\nstopping after this step (Ctrl-C again to quit now)…")
        }
        source.resume()
    }

    var isSet: Bool { interruptRequested.load(ordering: .relaxed) }

    deinit {
        source.cancel()
        signal(SIGINT, SIG_DFL)
    }
}
