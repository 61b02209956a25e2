#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error the language reports to its user: what went wrong, where, and (for errors inside
/// functions) where each function was called from. Errors are data; `render` prints them.
public struct Diagnostic: Error, Sendable {
    /// What kind of mistake this is.
    public enum Kind: String, Sendable {
        case syntax, name, type, arity, shape, domain, index, value, file, limit, plot
        /// A condition that is a vector, not a bool (a function is then applied element by element).
        case condition
        /// The user pressed Ctrl-C.
        case interrupted
    }

    /// A secondary location, such as a call site.
    public struct Note: Sendable {
        public let message: String
        public let range: SourceRange
        /// How many times in a row this call site repeats (deep recursion).
        public var repeats = 1

        public init(message: String, range: SourceRange) {
            self.message = message
            self.range = range
        }
    }

    /// Adds a call-site note, folding a repetition of the previous one into a count.
    public mutating func addNote(_ note: Note) {
        if let last = notes.last, last.message == note.message, last.range.source === note.range.source,
           last.range.start == note.range.start {
            notes[notes.count - 1].repeats += 1
        } else {
            notes.append(note)
        }
    }

    public let kind: Kind
    public let message: String
    /// Where the error happened; nil only for errors with no source (such as a missing file).
    public var range: SourceRange?
    /// Call sites, innermost first.
    public var notes: [Note] = []

    public init(_ kind: Kind, _ message: String, at range: SourceRange?) {
        self.kind = kind
        self.message = message
        self.range = range
    }

    /// The `file:line:col: error: message` line, the source line and a caret, then the notes.
    public func render(colour: Bool = false) -> String {
        var out = ""
        let red = colour ? "\u{1B}[1;31m" : ""
        let cyan = colour ? "\u{1B}[1;36m" : ""
        let bold = colour ? "\u{1B}[1m" : ""
        let green = colour ? "\u{1B}[1;32m" : ""
        let reset = colour ? "\u{1B}[0m" : ""
        guard let range else { return "\(red)error:\(reset) \(bold)\(message)\(reset)\n" }
        out += "\(bold)\(range.location): \(reset)\(red)error:\(reset) \(bold)\(message)\(reset)\n"
        out += Diagnostic.excerpt(range, marker: green, reset: reset)
        for note in notes {
            let times = note.repeats > 1 ? " (\(note.repeats) times)" : ""
            out += "\(bold)\(note.range.location): \(reset)\(cyan)note:\(reset) \(note.message)\(times)\n"
            out += Diagnostic.excerpt(note.range, marker: green, reset: reset)
        }
        return out
    }

    /// The source line under `range` and a caret (with `~` under the rest of the range).
    static func excerpt(_ range: SourceRange, marker: String, reset: String) -> String {
        let source = range.source
        var line = source.lineText(of: range.start)
        let (lineNo, startColumn) = source.lineColumn(of: range.start)
        var column = startColumn
        let (endLine, endColumn) = source.lineColumn(of: range.end)
        var width = endLine == lineNo ? max(1, endColumn - column) : max(1, line.count - column + 1)
        // a very long line is shown as a window around the caret
        let window = 100
        if line.count > window + 20 {
            let from = max(0, column - 1 - window / 2)
            let characters = Array(line)
            let to = min(characters.count, from + window)
            line = (from > 0 ? "…" : "") + String(characters[from..<to]) + (to < characters.count ? "…" : "")
            column = column - from + (from > 0 ? 1 : 0)
            width = min(width, to - (column - 1) + (from > 0 ? 1 : 0))
        }
        let gutter = "\(lineNo)"
        var out = " \(gutter) | \(line)\n"
        out += " " + String(repeating: " ", count: gutter.count) + " | "
        out += String(repeating: " ", count: max(0, column - 1))
        out += marker + "^" + String(repeating: "~", count: max(0, width - 1)) + reset + "\n"
        return out
    }
}
