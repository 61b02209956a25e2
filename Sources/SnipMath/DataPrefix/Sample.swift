/// The info fields of a generated sample (written as strings in `data.prefix` files).
public struct SampleInfo: Hashable, Sendable {
    /// `n_input_points`: the number of points.
    public var inputPointCount: Int
    /// `n_unary_ops`: unary operators in the tree.
    public var unaryOperatorCount: Int
    /// `n_binary_ops`: binary operators in the tree.
    public var binaryOperatorCount: Int
    /// `d_in`: the input dimension.
    public var inputDimension: Int
    /// `d_out`: the output dimension.
    public var outputDimension: Int
    /// `input_distribution_type`: 0 Gaussian clusters, 1 uniform clusters.
    public var inputDistributionType: Int
    /// `n_centroids`: the number of input clusters.
    public var centroidCount: Int

    /// Creates info fields.
    public init(
        inputPointCount: Int, unaryOperatorCount: Int, binaryOperatorCount: Int,
        inputDimension: Int, outputDimension: Int, inputDistributionType: Int, centroidCount: Int
    ) {
        self.inputPointCount = inputPointCount
        self.unaryOperatorCount = unaryOperatorCount
        self.binaryOperatorCount = binaryOperatorCount
        self.inputDimension = inputDimension
        self.outputDimension = outputDimension
        self.inputDistributionType = inputDistributionType
        self.centroidCount = centroidCount
    }

    /// The reference's key for each field, in the order the reference writes them.
    static let keys = [
        "n_input_points", "n_unary_ops", "n_binary_ops", "d_in", "d_out",
        "input_distribution_type", "n_centroids",
    ]

    /// The field values in ``keys`` order.
    var values: [Int] {
        [
            inputPointCount, unaryOperatorCount, binaryOperatorCount, inputDimension,
            outputDimension, inputDistributionType, centroidCount,
        ]
    }

    init(values v: [Int]) {
        self.init(
            inputPointCount: v[0], unaryOperatorCount: v[1], binaryOperatorCount: v[2],
            inputDimension: v[3], outputDimension: v[4], inputDistributionType: v[5],
            centroidCount: v[6])
    }
}

/// One sample of a `data.prefix` file: an expression, its points and the reference's info.
public struct Sample: Hashable, Sendable {
    /// The expression (`tree`).
    public var tree: Expression
    /// The inputs, [n][d] (`x_to_fit`).
    public var x: [[Double]]
    /// The outputs, [n] (`y_to_fit`, written as [n][1]).
    public var y: [Double]
    /// The info fields.
    public var info: SampleInfo
    /// The equation tokens of the skeleton (`skeleton_tree_encoded`).
    public var skeletonTokens: [String]
    /// The property target of property-prediction data (`target_property`), if any.
    public var targetProperty: Double?

    /// Creates a sample.
    public init(
        tree: Expression, x: [[Double]], y: [Double], info: SampleInfo, skeletonTokens: [String],
        targetProperty: Double? = nil
    ) {
        self.tree = tree
        self.x = x
        self.y = y
        self.info = info
        self.skeletonTokens = skeletonTokens
        self.targetProperty = targetProperty
    }
}

extension Sample {
    /// `(y - min) / (max - min + 1e-10)`, the reference's `normalize_y`: y scaled to [0, 1]
    /// (the generator's `normalizeY`, the model contract's `normalizesY`, the look-alike table).
    public static func minMaxScaled(_ y: [Double]) -> [Double] {
        guard let low = y.min(), let high = y.max() else { return y }
        return y.map { ($0 - low) / (high - low + 1e-10) }
    }

    /// Whether `y` is not constant: its range exceeds 10^-9 of its largest magnitude (at least
    /// 10^-9). Training's derived functions (siblings, redraws) must pass this.
    public static func varies(_ y: [Double]) -> Bool {
        guard let low = y.min(), let high = y.max() else { return false }
        return high - low > 1e-9 * max(1, abs(high))
    }
}
