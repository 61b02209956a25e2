/// The parameters of ``ExpressionGenerator`` (the reference's generator arguments; defaults are
/// the pre-training defaults of `parsers.py`).
public struct GeneratorConfiguration: Hashable, Sendable {
    /// Smallest input dimension drawn (`min_input_dimension`).
    public var minInputDimension = 1
    /// Largest input dimension drawn (`max_input_dimension`).
    public var maxInputDimension = 1
    /// Binary operators per input dimension, lower bound (`min_binary_ops_per_dim`).
    public var minBinaryOpsPerDimension = 0
    /// Binary operators per input dimension, upper bound (`max_binary_ops_per_dim`).
    public var maxBinaryOpsPerDimension = 1
    /// Extra binary operators allowed (`max_binary_ops_offset`): draws are uniform in
    /// [min·d, offset + max·d − 1].
    public var maxBinaryOpsOffset = 4
    /// Fewest unary operators drawn (`min_unary_ops`).
    public var minUnaryOps = 0
    /// Most unary operators drawn (`max_unary_ops`).
    public var maxUnaryOps = 4
    /// A unary operator is inserted above children with fewer nodes than this
    /// (`max_unary_depth`).
    public var maxUnaryDepth = 6
    /// Relative weights of the unary operators (`operators_to_downsample`; others weigh 1).
    public var unaryWeights: [UnaryOperator: Double] = [
        .sqrt: 5, .pow2: 3, .inv: 3, .tan: 0.2, .arctan: 0.2, .arcsin: 0, .arccos: 0,
    ]
    /// Relative weights of the binary operators (`pow` is never drawn: the reference generator's
    /// binary operators are add, sub, mul and div).
    public var binaryWeights: [BinaryOperator: Double] = [
        .add: 1, .sub: 1, .mul: 1, .div: 0, .pow: 0,
    ]
    /// Prefactor exponents span ±this around −(precision+1)/2 (`max_exponent_prefactor`).
    public var maxExponentPrefactor = 1
    /// Significant digits − 1 of prefactor mantissas (`float_precision`).
    public var floatPrecision = 3
    /// Points per sample (`max_len`).
    public var pointCount = 200
    /// Centroid counts are uniform in [1, maxCentroids − 1] (`max_centroids`).
    public var maxCentroids = 10
    /// Outputs with |y| ≥ 10^(maxExponent + floatPrecision) reject a candidate (`max_exponent`).
    public var maxExponent = 100
    /// Reject trees that use fewer variables than drawn (`enforce_dim`).
    public var enforceDimension = true
    /// Min-max scale y to [0, 1] (`normalize_y`, eps 1e-10).
    public var normalizeY = false
    /// **Quirk:** size the tree sampler's counting table for 2·maxBinaryOpsPerDimension·
    /// maxInputDimension operators as the reference does, so that larger draws fail (for
    /// dimension 1 a draw of 4 binary operators) and are redrawn. `false` sizes it as needed.
    public var referenceCountingTable = true

    /// The reference pre-training defaults.
    public init() {}

    /// The reference defaults with a different largest input dimension.
    public init(maxInputDimension: Int) {
        self.maxInputDimension = maxInputDimension
    }

    /// The largest |y| accepted (exclusive): 10^(maxExponent + floatPrecision).
    public var maxOutputMagnitude: Double {
        PythonFloat.pow(10, Double(maxExponent + floatPrecision))
    }
}
