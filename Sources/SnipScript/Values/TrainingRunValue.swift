import Foundation
/// What `pretrain` returns: the run directory and the loss of every step.
public final class TrainingRunValue: ScriptObject {
    public let directory: String
    public let steps: [Double]
    public let losses: [Double]
    public let samplesPerSecond: Double

    init(directory: String, steps: [Double], losses: [Double], samplesPerSecond: Double) {
        self.directory = directory
        self.steps = steps
        self.losses = losses
        self.samplesPerSecond = samplesPerSecond
    }

    public var typeName: String { "run" }

    public var summary: String {
        var s = "<run: \(losses.count) steps"
        if let first = losses.first, let last = losses.last {
            s += ", loss \(String(format: "%.4f", first)) → \(String(format: "%.4f", last))"
        }
        return s + String(format: ", %.0f samples/s", samplesPerSecond) + ", \(directory)>"
    }

    public var fieldNames: [String] { ["dir", "step", "loss"] }

    public func field(_ name: String) -> Value? {
        switch name {
        case "dir": return .string(directory)
        case "step": return .array(NDArray(vector: steps))
        case "loss": return .array(NDArray(vector: losses))
        default: return nil
        }
    }
}
