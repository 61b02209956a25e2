import ArgumentParser
import Foundation
import SnipSystem

/// Prints a message on standard error (after what standard output holds).
func note(_ message: String) {
    writeStandardError(message + "\n")
}

/// "1h02m", "3m05s", "12s".
func formatDuration(_ seconds: Double) -> String {
    guard seconds.isFinite else { return "?" }
    let s = Int(seconds.rounded())
    if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
    if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
    return "\(s)s"
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
