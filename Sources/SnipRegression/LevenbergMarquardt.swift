/// Levenberg–Marquardt: minimises ½‖r(θ)‖² over θ for residuals r with a Jacobian.
///
/// Each iteration solves (JᵀJ + λ·diag(JᵀJ)) δ = −Jᵀr by Cholesky; a step that lowers the cost
/// is taken and λ shrinks, a step that does not (or makes a non-finite residual) is refused and
/// λ grows. A model that is non-finite at the start is left as it is.
public struct LevenbergMarquardt: Sendable {
    /// The most iterations (Jacobian evaluations).
    public var maxIterations: Int
    /// λ at the start, relative to the diagonal of JᵀJ.
    public var initialDamping = 1e-3
    /// Stop when a step lowers the cost by less than this fraction.
    public var relativeTolerance = 1e-12

    /// A solver with an iteration budget.
    public init(maxIterations: Int = 30) { self.maxIterations = maxIterations }

    /// The residuals (and, when asked, the Jacobian: `parameterCount` rows of `residualCount`
    /// values) at θ; `false` when some value is not finite.
    public typealias Model = (
        _ parameters: [Double], _ residuals: inout [Double], _ jacobian: inout [Double],
        _ wantsJacobian: Bool
    ) -> Bool

    /// Refines `parameters` in place; returns the final cost ½‖r‖² (infinite when the start is
    /// not finite).
    @discardableResult
    public func minimize(
        _ parameters: inout [Double], residualCount n: Int, model: Model
    ) -> Double {
        let p = parameters.count
        var residuals = [Double](repeating: 0, count: n)
        var jacobian = [Double](repeating: 0, count: n * p)
        var trial = [Double](repeating: 0, count: n)
        guard model(parameters, &residuals, &jacobian, p > 0) else { return .infinity }
        var cost = Self.cost(residuals)
        if p == 0 { return cost }
        var lambda = initialDamping
        var normal = [Double](repeating: 0, count: p * p)
        var gradient = [Double](repeating: 0, count: p)
        var iteration = 0
        var fresh = true  // whether the Jacobian matches `parameters`
        var scratch: [Double] = []
        while iteration < maxIterations {
            iteration += 1
            if !fresh {
                guard model(parameters, &residuals, &jacobian, true) else { return cost }
                fresh = true
            }
            Self.normalEquations(jacobian, residuals, n, p, &normal, &gradient)
            var improved = false
            // a few tries with growing damping before giving up on this iteration
            for _ in 0..<8 {
                guard let step = Self.solve(normal, gradient, p, lambda) else {
                    lambda *= 10
                    continue
                }
                let candidate = zip(parameters, step).map { $0 - $1 }
                if model(candidate, &trial, &scratch, false) {
                    let trialCost = Self.cost(trial)
                    if trialCost < cost {
                        let gain = (cost - trialCost) / Swift.max(cost, .leastNormalMagnitude)
                        parameters = candidate
                        cost = trialCost
                        swap(&residuals, &trial)
                        lambda = Swift.max(lambda / 3, 1e-12)
                        improved = true
                        fresh = false
                        if gain < relativeTolerance { return cost }
                        break
                    }
                }
                lambda *= 4
                if lambda > 1e12 { return cost }
            }
            if !improved { return cost }
        }
        return cost
    }

    static func cost(_ r: [Double]) -> Double {
        var s = 0.0
        for v in r { s += v * v }
        return 0.5 * s
    }

    /// JᵀJ (p×p, row-major) and Jᵀr.
    static func normalEquations(
        _ jacobian: [Double], _ residuals: [Double], _ n: Int, _ p: Int,
        _ normal: inout [Double], _ gradient: inout [Double]
    ) {
        jacobian.withUnsafeBufferPointer { J in
            residuals.withUnsafeBufferPointer { r in
                for a in 0..<p {
                    let ja = J.baseAddress! + a * n
                    var g = 0.0
                    for k in 0..<n { g += ja[k] * r[k] }
                    gradient[a] = g
                    for b in a..<p {
                        let jb = J.baseAddress! + b * n
                        var s = 0.0
                        for k in 0..<n { s += ja[k] * jb[k] }
                        normal[a * p + b] = s
                        normal[b * p + a] = s
                    }
                }
            }
        }
    }

    /// The step δ with (A + λ·diag(A)) δ = g, by Cholesky; `nil` when not positive definite.
    static func solve(_ a: [Double], _ g: [Double], _ p: Int, _ lambda: Double) -> [Double]? {
        var m = a
        for i in 0..<p {
            m[i * p + i] += lambda * Swift.max(a[i * p + i], 1e-12)
        }
        // Cholesky: m = L Lᵀ, L in the lower triangle
        for j in 0..<p {
            var d = m[j * p + j]
            for k in 0..<j { d -= m[j * p + k] * m[j * p + k] }
            guard d > 0, d.isFinite else { return nil }
            let l = d.squareRoot()
            m[j * p + j] = l
            for i in (j + 1)..<Swift.max(p, j + 1) {
                var s = m[i * p + j]
                for k in 0..<j { s -= m[i * p + k] * m[j * p + k] }
                m[i * p + j] = s / l
            }
        }
        var y = g
        for i in 0..<p {
            var s = y[i]
            for k in 0..<i { s -= m[i * p + k] * y[k] }
            y[i] = s / m[i * p + i]
        }
        for i in stride(from: p - 1, through: 0, by: -1) {
            var s = y[i]
            for k in (i + 1)..<Swift.max(p, i + 1) { s -= m[k * p + i] * y[k] }
            y[i] = s / m[i * p + i]
        }
        return y.allSatisfy(\.isFinite) ? y : nil
    }
}
