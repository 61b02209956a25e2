/// Points for a given expression, drawn the way the generator draws them for its own trees.
extension ExpressionGenerator {
    /// Points sampled for `expression` as the reference samples a generated tree's inputs: a
    /// distribution type (Gaussian or uniform clusters) and a centroid count drawn from `source`,
    /// `configuration.pointCount` clustered and standardised inputs, then the expression
    /// evaluated on them (with the reference's NaN rules). An attempt whose values are not all
    /// finite and below ``GeneratorConfiguration/maxOutputMagnitude`` is drawn again, up to
    /// `attempts` times; nil when none succeeds. y is min-max scaled when the configuration
    /// says ``GeneratorConfiguration/normalizeY``.
    ///
    /// The input dimension is the expression's (`x_0 … x_{d-1}`), at least 1.
    public func samplePoints(
        for expression: Expression, attempts: Int = 100, source: inout some GeneratorRandomSource
    ) -> (x: [[Double]], y: [Double], info: SampleInfo)? {
        let c = configuration
        let d = max(1, expression.inputDimension)
        for _ in 0..<max(1, attempts) {
            let distribution = source.nextDouble() < 0.5 ? 0 : 1
            let centroids = source.integer(1, c.maxCentroids)
            guard
                let columns = randomPoints(
                    dimension: d, centroids: centroids, gaussian: distribution == 0, source: &source),
                let y = try? expression.evaluate(columns: columns),
                y.allSatisfy({ $0.isFinite && Swift.abs($0) < c.maxOutputMagnitude })
            else { continue }
            let outputs = c.normalizeY ? Sample.minMaxScaled(y) : y
            let rows = (0..<y.count).map { i in columns.map { $0[i] } }
            let info = SampleInfo(
                inputPointCount: c.pointCount, unaryOperatorCount: expression.unaryOperatorCount,
                binaryOperatorCount: expression.binaryOperatorCount, inputDimension: d,
                outputDimension: 1, inputDistributionType: distribution, centroidCount: centroids)
            return (rows, outputs, info)
        }
        return nil
    }
}
