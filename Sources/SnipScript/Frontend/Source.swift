/// A piece of program text with a name (`script.snip`, `<stdin>`), as the diagnostics show it.
///
/// `firstLine` lets a notebook cell or a REPL entry report lines of the file it came from.
public final class Source: Sendable {
    /// The name shown in diagnostics.
    public let name: String
    /// The text, as UTF-8 bytes.
    public let bytes: [UInt8]
    /// The line number of the first line (1 for a whole file).
    public let firstLine: Int
    /// Byte offsets where each line starts.
    let lineStarts: [Int]

    /// A source named `name` holding `text`, whose first line is line `firstLine`.
    public init(name: String, text: String, firstLine: Int = 1) {
        self.name = name
        // a UTF-8 byte order mark at the start is not part of the program
        self.bytes = text.hasPrefix("\u{FEFF}") ? Array(text.dropFirst().utf8) : Array(text.utf8)
        self.firstLine = firstLine
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// The text as a string.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The 0-based line index holding byte `offset`.
    func lineIndex(of offset: Int) -> Int {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// The 1-based line and column (in characters) of byte `offset`.
    public func lineColumn(of offset: Int) -> (line: Int, column: Int) {
        let clamped = max(0, min(offset, bytes.count))
        let index = lineIndex(of: clamped)
        let start = lineStarts[index]
        let column = String(decoding: bytes[start..<clamped], as: UTF8.self).count + 1
        return (index + firstLine, column)
    }

    /// The text of the line holding byte `offset`, without its newline.
    public func lineText(of offset: Int) -> String {
        let clamped = max(0, min(offset, bytes.count))
        let index = lineIndex(of: clamped)
        let start = lineStarts[index]
        var end = index + 1 < lineStarts.count ? lineStarts[index + 1] - 1 : bytes.count
        if end > start, end <= bytes.count, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        return String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
    }
}

/// A span of a `Source`, in byte offsets: where a token, a syntax node or an error sits.
public struct SourceRange: Sendable {
    /// The source the span belongs to.
    public let source: Source
    /// The first byte.
    public let start: Int
    /// One past the last byte.
    public let end: Int

    /// A span of `source` from `start` up to (not including) `end`.
    public init(_ source: Source, _ start: Int, _ end: Int) {
        self.source = source
        self.start = start
        self.end = max(start, end)
    }

    /// The span from the start of `self` to the end of `other`.
    public func to(_ other: SourceRange) -> SourceRange {
        SourceRange(source, start, max(end, other.end))
    }

    /// `file:line:col`.
    public var location: String {
        let (line, column) = source.lineColumn(of: start)
        return "\(source.name):\(line):\(column)"
    }
}
