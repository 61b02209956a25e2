import SnipMath

/// Refines a formula's numeric constants on data by Levenberg–Marquardt, with derivatives by
/// forward-mode differentiation (``JacobianEvaluator``).
///
/// Not thread-safe (it keeps its evaluator and buffers): give each thread its own.
public final class ConstantFitter: @unchecked Sendable {
    private let jacobianEvaluator = JacobianEvaluator()
    private let evaluator = FormulaEvaluator()

    /// A fitter.
    public init() {}

    /// Refines the parameters of `formula` in place to fit `targets` at `points`; returns the
    /// final sum of squared errors (infinite when the formula is not finite there, in which
    /// case it is left as it was). Formulas with more than ``JacobianEvaluator/maxParameters``
    /// constants are left as they are.
    @discardableResult
    public func fit(
        _ formula: inout Formula, points: PointColumns, targets: [Double],
        solver: LevenbergMarquardt = LevenbergMarquardt()
    ) -> Double {
        precondition(targets.count == points.count, "one target per point")
        let n = points.count
        var theta = formula.parameters
        guard theta.count <= JacobianEvaluator.maxParameters else {
            return sumOfSquares(formula, points, targets)
        }
        var working = formula
        let cost = solver.minimize(&theta, residualCount: n) {
            parameters, residuals, jacobian, wantsJacobian in
            working.parameters = parameters
            let finite: Bool
            if wantsJacobian {
                if jacobian.count != n * parameters.count {
                    jacobian = [Double](repeating: 0, count: n * parameters.count)
                }
                finite = residuals.withUnsafeMutableBufferPointer { r in
                    jacobian.withUnsafeMutableBufferPointer { J in
                        jacobianEvaluator.evaluate(
                            working, on: points, values: r.baseAddress!, jacobian: J.baseAddress!)
                    }
                }
            } else {
                finite = residuals.withUnsafeMutableBufferPointer { r in
                    evaluator.evaluate(working, on: points, into: r.baseAddress!)
                }
            }
            guard finite else { return false }
            for k in 0..<n { residuals[k] -= targets[k] }
            return true
        }
        guard cost.isFinite else { return .infinity }
        formula.parameters = theta
        return 2 * cost
    }

    private func sumOfSquares(_ f: Formula, _ points: PointColumns, _ y: [Double]) -> Double {
        let values = evaluator.evaluate(f, on: points)
        var s = 0.0
        for k in values.indices { s += (values[k] - y[k]) * (values[k] - y[k]) }
        return s.isFinite ? s : .infinity
    }
}

/// An expression whose constants were fitted to data, with its fit.
public struct ConstantFit: Sendable {
    /// The expression with the fitted constants.
    public var expression: Expression
    /// R² on the data (−∞ when the expression is not finite there).
    public var r2: Double
    /// The mean squared error on the data.
    public var meanSquaredError: Double
}

extension Expression {
    /// This expression with its numeric constants (and `CONSTANT` placeholders, starting at 1)
    /// refined by Levenberg–Marquardt to fit `y` at points given as columns (`x[i]` holds the
    /// values of `x_i`).
    public func fittingConstants(
        columns x: [[Double]], y: [Double], iterations: Int = 100
    ) throws -> ConstantFit {
        let data = try RegressionData(columns: x, y: y, minimumPoints: 1)
        var formula = try Formula(self)
        guard formula.inputDimension <= data.points.dimension else {
            throw RegressionError.variableOutOfRange(
                index: formula.inputDimension - 1, dimension: data.points.dimension)
        }
        ConstantFitter().fit(
            &formula, points: data.points, targets: data.y,
            solver: LevenbergMarquardt(maxIterations: iterations))
        let values = FormulaEvaluator().evaluate(formula, on: data.points)
        let r2 = Metrics.r2(values, data.y)
        return ConstantFit(
            expression: formula.expression, r2: r2,
            meanSquaredError: Metrics.meanSquaredError(values, data.y))
    }
}
