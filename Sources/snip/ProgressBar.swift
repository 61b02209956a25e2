import Foundation
import SnipSystem

/// A progress bar on the status line: a bar, items done of the total, the rate and the time
/// left. It draws only when standard error is a terminal (so logs and pipes stay clean).
///
///     let bar = ProgressBar(total: 1000, unit: "samples")
///     for i in 1...1000 { work(); bar.update(i) }
///     bar.finish()
final class ProgressBar {
    /// The number of items when done.
    let total: Int
    /// What is counted (`samples`, `steps`).
    let unit: String
    private let status: StatusLine
    private let start = Date()

    /// A bar for `total` items; `enabled` defaults to "standard error is a terminal".
    init(total: Int, unit: String, enabled: Bool = stderrIsTerminal()) {
        self.total = total
        self.unit = unit
        status = StatusLine(terminal: enabled, plainInterval: nil)
    }

    /// Whether anything is drawn.
    var isEnabled: Bool { status.isEnabled }

    /// Records that `done` items are finished (the status line redraws at most ten times a
    /// second).
    func update(_ done: Int) {
        guard isEnabled else { return }
        status.show(
            Self.line(done: done, total: total, unit: unit, elapsed: Date().timeIntervalSince(start)))
    }

    /// Draws the final state and ends the line.
    func finish() { status.finish() }

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
}
