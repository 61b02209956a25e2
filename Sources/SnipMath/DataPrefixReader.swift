import Foundation

/// Reads a `data.prefix` file one line at a time (never the whole file).
///
/// A malformed line throws ``DataPrefixError`` (`FILE:LINE: reason`), or, with
/// `skipMalformedLines`, is skipped and counted in ``skippedLines`` (its error kept in
/// ``skippedErrors``, up to 100). Empty lines are ignored.
public final class DataPrefixReader {
    /// The path being read.
    public let path: String
    /// Whether malformed lines are skipped instead of thrown.
    public let skipMalformedLines: Bool
    /// The number of the last line read (1-based).
    public private(set) var lineNumber = 0
    /// How many malformed lines were skipped.
    public private(set) var skippedLines = 0
    /// The first (up to 100) errors of skipped lines.
    public private(set) var skippedErrors: [DataPrefixError] = []

    private var file: UnsafeMutablePointer<FILE>?
    private var buffer: UnsafeMutablePointer<CChar>? = nil
    private var capacity = 0

    /// Opens `path` for reading.
    public init(path: String, skipMalformedLines: Bool = false) throws(DataPrefixError) {
        self.path = path
        self.skipMalformedLines = skipMalformedLines
        guard let f = fopen(path, "r") else {
            throw DataPrefixError(file: path, line: 0, reason: "cannot open: \(Self.errnoText())")
        }
        file = f
    }

    deinit {
        if let f = file { fclose(f) }
        free(buffer)
    }

    /// The next sample, or `nil` at the end of the file.
    public func next() throws(DataPrefixError) -> Sample? {
        while let line = readLine() {
            lineNumber += 1
            if line.isEmpty { continue }
            do {
                return try Sample(dataPrefixLine: line)
            } catch {
                let located = DataPrefixError(file: path, line: lineNumber, reason: error.reason)
                guard skipMalformedLines else { throw located }
                skippedLines += 1
                if skippedErrors.count < 100 { skippedErrors.append(located) }
            }
        }
        return nil
    }

    /// Reads every remaining sample (streaming; only the samples are kept).
    public func readAll() throws(DataPrefixError) -> [Sample] {
        var out: [Sample] = []
        while let s = try next() { out.append(s) }
        return out
    }

    /// The next line without its newline, or `nil` at the end.
    private func readLine() -> String? {
        guard let f = file else { return nil }
        var cap = capacity
        let n = getline(&buffer, &cap, f)
        capacity = cap
        guard n >= 0, let b = buffer else { return nil }
        var length = n
        if length > 0 && b[length - 1] == 0x0A { length -= 1 }
        if length > 0 && b[length - 1] == 0x0D { length -= 1 }
        return b.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
