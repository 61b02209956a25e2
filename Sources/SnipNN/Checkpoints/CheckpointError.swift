/// Why a checkpoint could not be read or written. Every case names the file; where a single
/// entry is at fault, its key too.
public struct CheckpointError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file involved.
    public let path: String
    /// The entry (tensor name, zip member, state-dict key), when one is at fault.
    public let key: String?
    /// What went wrong.
    public let reason: String

    public init(path: String, key: String? = nil, _ reason: String) {
        self.path = path
        self.key = key
        self.reason = reason
    }

    public var description: String {
        if let key { return "\(path): '\(key)': \(reason)" }
        return "\(path): \(reason)"
    }
}
