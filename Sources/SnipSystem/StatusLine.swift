#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The one progress display: a line on standard error that is rewritten in place on a
/// terminal, at most ten times a second (the last text is drawn by ``finish()`` if it was
/// skipped). Off a terminal it prints a plain line at most every `plainInterval` seconds, or
/// nothing when that is nil, so logs and pipes stay clean.
///
///     let status = StatusLine()
///     for step in 1...n { work(); status.show("step \(step)/\(n)") }
///     status.finish()
public final class StatusLine {
    /// Whether the line is rewritten in place (standard error is a terminal).
    public let isTerminal: Bool
    /// Seconds between plain lines off a terminal; nil: nothing is printed there.
    public let plainInterval: Double?
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private var pending: String?

    /// A status line; `terminal` defaults to "standard error is a terminal".
    public init(terminal: Bool = isatty(STDERR_FILENO) == 1, plainInterval: Double? = 10) {
        self.isTerminal = terminal
        self.plainInterval = plainInterval
    }

    /// Whether anything can be shown.
    public var isEnabled: Bool { isTerminal || plainInterval != nil }

    /// Shows `text` (on a terminal, if a tenth of a second passed since the last draw).
    public func show(_ text: String) {
        let now = Self.now()
        if isTerminal {
            pending = text
            guard !drawn || now &- lastDraw >= 100_000_000 else { return }
            draw(now)
        } else if let plainInterval {
            guard lastDraw == 0 || Double(now &- lastDraw) >= plainInterval * 1e9 else { return }
            lastDraw = now
            writeStandardError(text + "\n")
        }
    }

    /// Erases the line on a terminal (what is printed next starts on a clean line).
    public func clear() {
        pending = nil
        guard isTerminal, drawn else { return }
        writeStandardError("\r\u{1B}[K")
        drawn = false
    }

    /// Draws the last text if it was skipped and ends the line, on a terminal.
    public func finish() {
        guard isTerminal else { return }
        if pending != nil { draw(Self.now()) }
        if drawn { writeStandardError("\n") }
        drawn = false
    }

    private func draw(_ now: UInt64) {
        guard let text = pending else { return }
        pending = nil
        lastDraw = now
        drawn = true
        // \r returns to the line start; \u{1B}[K clears what a longer previous line left
        writeStandardError("\r\u{1B}[K" + text)
    }

    private static func now() -> UInt64 {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
    }
}
