import Foundation

/// A path in the temporary folder, unique to this process and `name`, with nothing at it yet
/// (an earlier test run's leftovers are removed).
public func freshTemporaryPath(_ name: String) -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("snip-test-\(getpid())-\(name)").path
    try? FileManager.default.removeItem(atPath: path)
    return path
}
