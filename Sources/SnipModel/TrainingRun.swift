import Foundation

/// A run directory: `run.json` (settings, seed, snip version), `metrics.jsonl` (one JSON
/// object per step) and `checkpoint.safetensors`.
public struct TrainingRun: Sendable {
    public let directory: String

    public init(directory: String) { self.directory = directory }

    public var settingsPath: String { directory + "/run.json" }
    public var metricsPath: String { directory + "/metrics.jsonl" }
    public var checkpointPath: String { directory + "/checkpoint.safetensors" }

    /// Creates the directory (and parents) when missing.
    func create() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    /// Writes `value` as pretty JSON to `run.json`, atomically.
    func writeSettings<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(value).write(to: URL(fileURLWithPath: settingsPath), options: .atomic)
    }

    func readSettings<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: URL(fileURLWithPath: settingsPath)))
    }

    /// Appends one line to `metrics.jsonl`.
    public func appendMetrics<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        var line = try encoder.encode(value)
        line.append(0x0A)
        if let handle = FileHandle(forWritingAtPath: metricsPath) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
        } else {
            try line.write(to: URL(fileURLWithPath: metricsPath))
        }
    }

    /// Drops metrics lines of steps after `step` (work lost since the last checkpoint), so a
    /// resumed run continues a consistent file.
    func truncateMetrics(after step: Int) throws {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return }
        let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let s = object["step"] as? Int
            else { return false }
            return s <= step
        }
        try Data((kept.joined(separator: "\n") + (kept.isEmpty ? "" : "\n")).utf8)
            .write(to: URL(fileURLWithPath: metricsPath), options: .atomic)
    }

    /// The metrics lines, decoded.
    public func metrics() throws -> [[String: Any]] {
        guard let data = FileManager.default.contents(atPath: metricsPath) else { return [] }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }
}
