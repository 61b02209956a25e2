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

    /// The longest line read (a data.prefix line of 200 points in 10 dimensions is about
    /// 30 KB); a longer one is an error, so that an endless device such as `/dev/zero` cannot
    /// exhaust memory.
    public static let maxLineBytes = 16 << 20

    private var file: UnsafeMutablePointer<FILE>?
    /// Bytes read but not yet returned: `pending[pendingStart...]`.
    private var pending: [UInt8] = []
    private var pendingStart = 0
    /// Where to look for the next newline (bytes before it hold none).
    private var scanFrom = 0
    private var atEnd = false

    /// Opens `path` for reading; a directory is refused.
    public init(path: String, skipMalformedLines: Bool = false) throws(DataPrefixError) {
        self.path = path
        self.skipMalformedLines = skipMalformedLines
        guard let f = fopen(path, "r") else {
            throw DataPrefixError(file: path, line: 0, reason: "cannot open: \(Self.errnoText())")
        }
        var status = stat()
        if fstat(fileno(f), &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
            fclose(f)
            throw DataPrefixError(file: path, line: 0, reason: "is a directory, not a data.prefix file")
        }
        file = f
    }

    deinit {
        if let f = file { fclose(f) }
    }

    /// The next sample, or `nil` at the end of the file.
    public func next() throws(DataPrefixError) -> Sample? {
        while let line = try readLine() {
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

    /// Up to `count` next samples with the line number of each (fewer at the end of the file).
    public func next(_ count: Int) throws(DataPrefixError) -> (samples: [Sample], lines: [Int]) {
        var samples: [Sample] = []
        var lines: [Int] = []
        while samples.count < count, let sample = try next() {
            samples.append(sample)
            lines.append(lineNumber)
        }
        return (samples, lines)
    }

    /// Reads every remaining sample (streaming; only the samples are kept).
    public func readAll() throws(DataPrefixError) -> [Sample] {
        var out: [Sample] = []
        while let s = try next() { out.append(s) }
        return out
    }

    /// The next line without its newline, or `nil` at the end; a read error or a line longer
    /// than ``maxLineBytes`` throws.
    private func readLine() throws(DataPrefixError) -> String? {
        while true {
            if let newline = pending[max(scanFrom, pendingStart)...].firstIndex(of: 0x0A) {
                var end = newline
                if end > pendingStart && pending[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: pending[pendingStart..<end], as: UTF8.self)
                pendingStart = newline + 1
                scanFrom = pendingStart
                return line
            }
            scanFrom = pending.count
            guard pending.count - pendingStart <= Self.maxLineBytes else {
                throw DataPrefixError(
                    file: path, line: lineNumber + 1,
                    reason: "the line is longer than \(Self.maxLineBytes >> 20) MiB (not a data.prefix file?)")
            }
            if atEnd {
                guard pendingStart < pending.count else { return nil }
                var end = pending.count
                if pending[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: pending[pendingStart..<end], as: UTF8.self)
                pendingStart = pending.count
                return line
            }
            try fill()
        }
    }

    /// Reads the next chunk of the file into ``pending``.
    private func fill() throws(DataPrefixError) {
        guard let f = file else {
            atEnd = true
            return
        }
        if pendingStart > 0 {
            pending.removeFirst(pendingStart)
            scanFrom -= pendingStart
            pendingStart = 0
        }
        let chunk = 1 << 16
        let old = pending.count
        pending.append(contentsOf: repeatElement(0, count: chunk))
        let n = pending.withUnsafeMutableBytes { fread($0.baseAddress! + old, 1, chunk, f) }
        pending.removeLast(chunk - n)
        if n < chunk {
            if ferror(f) != 0 {
                throw DataPrefixError(file: path, line: lineNumber + 1, reason: "read failed: \(Self.errnoText())")
            }
            atEnd = true
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
