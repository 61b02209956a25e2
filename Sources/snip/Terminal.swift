import ArgumentParser
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

/// Stop requests for long commands: the first Ctrl-C (SIGINT), SIGTERM (`kill`, a scheduler
/// ending the job) or SIGHUP (the terminal closed) sets a flag that the work loop checks, so
/// the command stops after the current step and saves; a second one ends the process at once.
final class InterruptFlag: @unchecked Sendable {
    /// The signals that ask a long command to stop and save.
    static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP]
    private let sources: [DispatchSourceSignal]

    init() {
        sources = Self.signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let name = number == SIGINT ? "Ctrl-C" : number == SIGTERM ? "SIGTERM" : "SIGHUP"
                if interruptRequested.exchange(true, ordering: .relaxed) {
                    note("\n\(name) again: exiting without saving")
                    exit(128 + number)
                }
                note("\n\(name): stopping after this step and saving (Ctrl-C again to quit now)…")
            }
            source.resume()
            return source
        }
    }

    var isSet: Bool { interruptRequested.load(ordering: .relaxed) }

    deinit {
        for source in sources { source.cancel() }
        for number in Self.signals { signal(number, SIG_DFL) }
    }
}

/// Ranges of the count and size flags: far above what the reference uses, far below what
/// would exhaust memory or take years.
enum Flags {
    /// Examples per training step (`pretrain`, `train-property`; the reference uses 256 and 16).
    static let maxTrainingBatch = 16_384
    /// Samples per inference batch (`embed`, `retrieval`).
    static let maxInferenceBatch = 65_536
    /// Training steps, warm-up updates, checkpoint intervals.
    static let maxSteps = 1_000_000_000
    /// Retrieval candidates (the score matrix holds count² floats: 1.6 GB at the limit).
    static let maxRetrievalCandidates = 20_000

    /// Fails unless `value` lies in `range`, naming the flag.
    static func check(_ value: Int, _ flag: String, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be in \(range.lowerBound)...\(range.upperBound), not \(value)")
        }
    }

    /// Fails unless `value` is a finite positive number, naming the flag.
    static func checkPositive(_ value: Double, _ flag: String) throws {
        guard value.isFinite, value > 0 else {
            throw ValidationError("\(flag) must be a finite positive number, not \(value)")
        }
    }
}
