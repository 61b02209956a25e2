import Foundation
import SnipNN
import SnipSystem

/// A run directory: `run.json` (settings, seed, snip version), `metrics.jsonl` (one JSON
/// object per step) and `checkpoint.safetensors`; runs that validate add `validation.jsonl`
/// and `best.safetensors`, runs that average their weights `average.safetensors`.
public struct TrainingRun: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var settingsPath: String { directory + "/run.json" }
    public var metricsPath: String { directory + "/metrics.jsonl" }
    public var checkpointPath: String { directory + "/checkpoint.safetensors" }
    /// One line per validation (``ValidationMetrics``), for runs that validate.
    public var validationPath: String { directory + "/validation.jsonl" }
    /// The weights that scored best on validation (a model file, as `snip convert` writes).
    public var bestModelPath: String { directory + "/best.safetensors" }
    /// The moving average of the weights at the last checkpoint, for runs that keep one.
    public var averageModelPath: String { directory + "/average.safetensors" }

    /// Creates the directory (and parents) when missing.
    func create() throws {
        try Self.createDirectory(directory)
    }

    /// Creates `path` and its missing parents; an error names the path and says why.
    public static func createDirectory(_ path: String) throws(ModelError) {
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else { throw ModelError("\(path): exists and is not a directory") }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty && parent != path { try createDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw ModelError("cannot create the directory \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes `value` as pretty JSON to `run.json`, atomically.
    func writeSettings<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(value), to: settingsPath)
    }

    func readSettings<T: Decodable>(_ type: T.Type) throws -> T {
        var status = stat()
        guard stat(settingsPath, &status) == 0 else {
            throw ModelError("\(String(cString: strerror(errno))) (is \(directory) a run directory?)")
        }
        guard status.st_mode & S_IFMT == S_IFREG, status.st_size < 1 << 24,
            let data = FileManager.default.contents(atPath: settingsPath)
        else { throw ModelError("not a readable settings file") }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw ModelError(ModelConfig.describe(error))
        }
    }

    /// Appends one line to `metrics.jsonl`; NaN and infinite numbers are written as `null`
    /// (JSON has no spelling for them, and a skipped step's loss is one).
    public func appendMetrics<T: Encodable>(_ value: T) throws {
        try append(value, to: metricsPath)
    }

    private func append<T: Encodable>(_ value: T, to path: String) throws {
        var line = try Self.jsonLine(value)
        line.append(0x0A)
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0o644)
        guard fd >= 0 else { throw ModelError("\(path): cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let bytes = [UInt8](line)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else {
                throw ModelError("\(path): write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Appends one line to `validation.jsonl`.
    public func appendValidation(_ value: ValidationMetrics) throws {
        try append(value, to: validationPath)
    }

    /// `value` as one line of JSON with sorted keys and `null` for every non-finite number.
    static func jsonLine<T: Encodable>(_ value: T) throws -> Data {
        // non-finite numbers become sentinel strings that no metrics field can hold, then null
        let sentinels = (nan: "snip:non-finite:nan", inf: "snip:non-finite:+inf", ninf: "snip:non-finite:-inf")
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: sentinels.inf, negativeInfinity: sentinels.ninf, nan: sentinels.nan)
        var text = String(decoding: try encoder.encode(value), as: UTF8.self)
        for sentinel in [sentinels.nan, sentinels.inf, sentinels.ninf] {
            text = text.replacingOccurrences(of: "\"" + sentinel + "\"", with: "null")
        }
        return Data(text.utf8)
    }

    /// Removes temporary checkpoint files (`checkpoint.safetensors.tmp-PID`) that a killed
    /// process left behind; a file of a process that is still running is kept.
    func removeStaleTemporaryFiles() {
        AtomicFile.removeStaleTemporaryFiles(for: checkpointPath)
    }

    /// Drops metrics and validation lines of steps after `step` (work lost since the last
    /// checkpoint), so a resumed run continues consistent files.
    func truncateMetrics(after step: Int) throws {
        try truncate(metricsPath, after: step)
        try truncate(validationPath, after: step)
    }

    private func truncate(_ path: String, after step: Int) throws {
        guard let data = FileManager.default.contents(atPath: path) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let s = object["step"] as? Int
            else { return false }
            return s <= step
        }
        try AtomicFile.write(text: kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n"), to: path)
    }

    /// The metrics lines, decoded.
    public func metrics() throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
