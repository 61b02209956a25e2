/// The property a property-prediction sample carries (`property_type` of the reference).
public enum FunctionProperty: String, CaseIterable, Hashable, Sendable {
    /// The non-convexity ratio (``FunctionProperties/nonConvexityRatio(x:y:trials:using:)``).
    case ncr
    /// Net upward steps per point (``FunctionProperties/upward(x:y:)``).
    case upward
    /// The mean of min-max scaled y (``FunctionProperties/yAverage(y:)``).
    case yavg
    /// ln(1 + direction changes) (``FunctionProperties/oscillation(x:y:)``).
    case oscil

    /// The property of one-dimensional points, as the reference's `generate_sample` computes it.
    ///
    /// `ncr` is the reference's 1000-triple estimate drawn from `random` (the reference draws
    /// from the unseeded global numpy state), or with `exactNCR` the exact ratio over all
    /// triples; the other properties draw nothing.
    public func value(
        x: [Double], y: [Double], exactNCR: Bool = false,
        random: inout some RandomNumberGenerator
    ) -> Double {
        switch self {
        case .ncr:
            return exactNCR
                ? FunctionProperties.exactNonConvexityRatio(x: x, y: y).ratio
                : FunctionProperties.nonConvexityRatio(x: x, y: y, using: &random)
        case .upward: return FunctionProperties.upward(x: x, y: y)
        case .yavg: return FunctionProperties.yAverage(y: y)
        case .oscil: return FunctionProperties.oscillation(x: x, y: y)
        }
    }
}
