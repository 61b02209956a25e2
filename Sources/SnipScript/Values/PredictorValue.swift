import SnipMath
import SnipModel

/// A property predictor made by `fit_property`: its own copy of the symbolic encoder and the
/// regression head, the property it predicts and its training losses.
public final class PredictorValue: ScriptObject, @unchecked Sendable {
    public let model: SNIPModel
    public let property: FunctionProperty
    public let mode: PropertyTrainingMode
    /// The mean squared error of each training step.
    public let losses: [Double]

    init(model: SNIPModel, property: FunctionProperty, mode: PropertyTrainingMode, losses: [Double]) {
        self.model = model
        self.property = property
        self.mode = mode
        self.losses = losses
    }

    public var typeName: String { "predictor" }

    public var summary: String {
        "<predictor of \(property.rawValue): \(mode.rawValue), \(losses.count) steps"
            + (losses.last.map { ", last loss \(formatNumber(($0 * 1e4).rounded() / 1e4))" } ?? "") + ">"
    }

    public var fieldNames: [String] { ["property", "mode", "steps", "loss"] }

    public func field(_ name: String) -> Value? {
        switch name {
        case "property": return .string(property.rawValue)
        case "mode": return .string(mode.rawValue)
        case "steps": return .number(Double(losses.count))
        case "loss": return .array(NDArray(vector: losses))
        default: return nil
        }
    }
}
