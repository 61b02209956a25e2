import Foundation

/// A path in the temporary folder, unique to this process and `name`, with nothing at it yet
/// (an earlier test run's leftovers are removed).
public func freshTemporaryPath(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-test-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: path)
    return path
}

/// A fresh, empty folder in the temporary directory.
public func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "snip-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The repository root (for the examples, the docs and the shipped models).
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()
