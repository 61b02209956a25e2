/// How far a function's graph is from a straight line (a hyperplane a + b·x when it has
/// several inputs), measured on min-max scaled y so that the answer does not depend on the
/// function's scale.
///
/// About half of the 1-D functions the SNIP generator draws are straight lines once y is
/// scaled (`a + b·x`, and sums and products that reduce to one); every such line looks like
/// every other one rising (or falling) line, so they say little about how well a model tells
/// functions apart. Training can draw fewer of them and reports can count the other functions
/// on their own.
public enum StraightLineFit {
    /// The RMSE bound under which a scaled graph counts as a straight line: the same bound
    /// that makes two graphs look alike.
    public static let defaultTolerance = 0.01

    /// The RMSE between min-max scaled `y` and its least-squares affine fit in the inputs
    /// (`x`: [n][d] rows); +inf when a value is not finite or the shapes disagree, 0 for fewer
    /// than 3 points (any two points lie on a line).
    public static func scaledRMSE(x: [[Double]], y: [Double]) -> Double {
        let n = y.count
        guard x.count == n, y.allSatisfy(\.isFinite) else { return .infinity }
        guard n >= 3 else { return 0 }
        let d = x[0].count
        guard x.allSatisfy({ $0.count == d && $0.allSatisfy(\.isFinite) }) else { return .infinity }
        let scaled = Sample.minMaxScaled(y)
        // centred inputs and outputs: the intercept drops out, the normal equations stay well
        // conditioned for inputs far from 0
        var meanX = [Double](repeating: 0, count: d)
        for row in x { for c in 0..<d { meanX[c] += row[c] } }
        for c in 0..<d { meanX[c] /= Double(n) }
        let meanY = scaled.reduce(0, +) / Double(n)
        var gram = [Double](repeating: 0, count: d * d)
        var moment = [Double](repeating: 0, count: d)
        for (row, value) in zip(x, scaled) {
            let v = value - meanY
            for a in 0..<d {
                let xa = row[a] - meanX[a]
                moment[a] += xa * v
                for b in a..<d { gram[a * d + b] += xa * (row[b] - meanX[b]) }
            }
        }
        for a in 0..<d { for b in 0..<a { gram[a * d + b] = gram[b * d + a] } }
        let slopes = solveRidged(gram, moment, dimension: d)
        var sum = 0.0
        for (row, value) in zip(x, scaled) {
            var fitted = meanY
            for c in 0..<d { fitted += slopes[c] * (row[c] - meanX[c]) }
            sum += (value - fitted) * (value - fitted)
        }
        let rmse = (sum / Double(n)).squareRoot()
        return rmse.isFinite ? rmse : .infinity
    }

    /// Solves (G + λI) s = m by Gaussian elimination with partial pivoting, λ a tiny multiple
    /// of G's trace so that constant or repeated input columns get slope 0 instead of a
    /// division by zero.
    private static func solveRidged(_ gram: [Double], _ moment: [Double], dimension d: Int) -> [Double] {
        var trace = 0.0
        for a in 0..<d { trace += gram[a * d + a] }
        let ridge = max(trace, 1e-300) * 1e-12
        var m = gram
        var rhs = moment
        for a in 0..<d { m[a * d + a] += ridge }
        for column in 0..<d {
            var pivot = column
            for row in (column + 1)..<d where abs(m[row * d + column]) > abs(m[pivot * d + column]) {
                pivot = row
            }
            if pivot != column {
                for c in 0..<d { m.swapAt(column * d + c, pivot * d + c) }
                rhs.swapAt(column, pivot)
            }
            let diagonal = m[column * d + column]
            guard diagonal != 0 else { continue }
            for row in (column + 1)..<d {
                let factor = m[row * d + column] / diagonal
                guard factor != 0 else { continue }
                for c in column..<d { m[row * d + c] -= factor * m[column * d + c] }
                rhs[row] -= factor * rhs[column]
            }
        }
        var solution = [Double](repeating: 0, count: d)
        for row in stride(from: d - 1, through: 0, by: -1) {
            var value = rhs[row]
            for c in (row + 1)..<d { value -= m[row * d + c] * solution[c] }
            let diagonal = m[row * d + row]
            solution[row] = diagonal != 0 ? value / diagonal : 0
        }
        return solution
    }
}

extension Sample {
    /// The RMSE of this sample's min-max scaled graph from its best straight line
    /// (``StraightLineFit/scaledRMSE(x:y:)``).
    public var straightLineRMSE: Double { StraightLineFit.scaledRMSE(x: x, y: y) }

    /// Whether the scaled graph lies within RMSE `tolerance` of a straight line.
    public func isStraightLine(tolerance: Double = StraightLineFit.defaultTolerance) -> Bool {
        straightLineRMSE <= tolerance
    }
}
