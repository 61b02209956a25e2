import Foundation
import SnipModel

/// A SNIP model in the language (`model()`, `load_model`). Shared: `pretrain` changes it in place.
public final class ModelValue: ScriptObject, @unchecked Sendable {
    public let model: SNIPModel
    /// Where it came from: "the shipped model", "a new small model", a file name.
    public let origin: String
    /// Whether its encoders were trained (decides "supervised" vs "fine-tuned" in `fit_property`).
    public var isPretrained: Bool
    /// Whether the model reads y min-max scaled to [0, 1]: its contract (the checkpoint's).
    public var normalizesY: Bool { model.contract.normalizesY }

    /// `normalizesY`, when given, replaces the model's contract's choice.
    public init(model: SNIPModel, origin: String, isPretrained: Bool, normalizesY: Bool? = nil) {
        self.model = model
        self.origin = origin
        self.isPretrained = isPretrained
        if let normalizesY { model.contract.normalizesY = normalizesY }
    }

    public var typeName: String { "model" }

    public var summary: String {
        let c = model.config
        let layers = c.symbolicLayers.map { "\(c.layers) numeric / \($0) symbolic layers" } ?? "\(c.layers) layers"
        let width = c.symbolicWidth.map { "\(c.width) numeric / \($0) symbolic" } ?? "\(c.width)"
        return "<model: \(origin); width \(width), \(layers)\(c.layoutOptionsSummary), latent \(c.latent), "
            + "\(c.maxInputDimension)-D, \(formatCount(model.parameterCount)) parameters>"
    }

    public var fieldNames: [String] { ["width", "layers", "heads", "latent", "dim", "parameters"] }

    public func field(_ name: String) -> Value? {
        let c = model.config
        switch name {
        case "width": return .number(Double(c.width))
        case "layers": return .number(Double(c.layers))
        case "heads": return .number(Double(c.heads))
        case "latent": return .number(Double(c.latent))
        case "dim": return .number(Double(c.maxInputDimension))
        case "parameters": return .number(Double(model.parameterCount))
        default: return nil
        }
    }
}

/// 1234567 → "1.2 M".
func formatCount(_ n: Int) -> String {
    if n >= 1_000_000 { return String(format: "%.1f M", Double(n) / 1e6) }
    if n >= 10_000 { return String(format: "%.0f k", Double(n) / 1e3) }
    return String(n)
}
