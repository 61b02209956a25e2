import Foundation

/// A one-line progress display on standard error: a bar, items done of the total, the rate and
/// the time left. It draws only when standard error is a terminal (so logs and pipes stay clean)
/// and at most ten times a second.
///
///     let bar = ProgressBar(total: 1000, unit: "samples")
///     for i in 1...1000 { work(); bar.update(i) }
///     bar.finish()
final class ProgressBar {
    /// The number of items when done.
    let total: Int
    /// What is counted (`samples`, `steps`).
    let unit: String
    /// Whether anything is drawn.
    let isEnabled: Bool
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var done = 0
    private var drawnDone = -1

    /// A bar for `total` items; `enabled` defaults to "standard error is a terminal".
    init(total: Int, unit: String, enabled: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.unit = unit
        self.isEnabled = enabled
    }

    /// Records that `done` items are finished and redraws if a tenth of a second has passed.
    func update(_ done: Int) {
        self.done = done
        guard isEnabled else { return }
        let now = Date()
        if now.timeIntervalSince(lastDraw) >= 0.1 || done >= total {
            lastDraw = now
            draw(now)
        }
    }

    /// Draws the final state and ends the line.
    func finish() {
        guard isEnabled else { return }
        if drawnDone != done { draw(Date()) }
        FileHandle.standardError.write(Data("\n".utf8))
    }

    /// The line for `done` items after `elapsed` seconds (without the carriage return).
    static func line(done: Int, total: Int, unit: String, elapsed: Double, width: Int = 24)
        -> String
    {
        let fraction = total > 0 ? Double(min(done, total)) / Double(total) : 1
        let filled = Int((fraction * Double(width)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let percent = Int((fraction * 100).rounded(.down))
        var text = "\(bar) \(percent)% \(done)/\(total) \(unit)"
        text += "  " + formatRate(rate) + " \(unit)/s"
        if done >= total {
            text += "  " + formatDuration(elapsed)
        } else if rate > 0 {
            text += "  ETA " + formatDuration(Double(total - done) / rate)
        }
        return text
    }

    /// `1234` → `1,234`; rates under 10 keep one decimal.
    static func formatRate(_ rate: Double) -> String {
        if rate < 10 { return String(format: "%.1f", rate) }
        var digits = String(Int(rate.rounded()))
        var groups: [String] = []
        while digits.count > 3 {
            groups.insert(String(digits.suffix(3)), at: 0)
            digits.removeLast(3)
        }
        groups.insert(digits, at: 0)
        return groups.joined(separator: ",")
    }

    /// Seconds as `m:ss` or `h:mm:ss`.
    static func formatDuration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        let (h, m, r) = (s / 3600, s / 60 % 60, s % 60)
        return h > 0
            ? String(format: "%d:%02d:%02d", h, m, r) : String(format: "%d:%02d", m, r)
    }

    private func draw(_ now: Date) {
        drawnDone = done
        let text = Self.line(
            done: done, total: total, unit: unit, elapsed: now.timeIntervalSince(start))
        // \r returns to the line start; \u{1B}[K clears what a longer previous line left.
        FileHandle.standardError.write(Data("\r\(text)\u{1B}[K".utf8))
    }
}
