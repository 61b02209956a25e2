import Foundation
import SnipMath
import Testing

/// The distance of a scaled graph from its best straight line (or hyperplane).
struct StraightLineFitTests {
    private let xs = (0..<101).map { -1 + 2 * Double($0) / 100 }

    @Test func linesAndPlanesFitExactlyWhateverTheirScale() {
        #expect(StraightLineFit.scaledRMSE(x: xs.map { [$0] }, y: xs.map { 3e6 - 7e5 * $0 }) < 1e-9)
        // three inputs far from 0 with a plane through them
        var random = SystemRandomNumberGenerator()
        let rows = (0..<200).map { _ in (0..<3).map { _ in 1000 + Double.random(in: 0..<5, using: &random) } }
        let plane = rows.map { 2 * $0[0] - 0.5 * $0[1] + 4 * $0[2] + 11 }
        #expect(StraightLineFit.scaledRMSE(x: rows, y: plane) < 1e-7)
        // a constant graph is a (flat) line; so are two points
        #expect(StraightLineFit.scaledRMSE(x: xs.map { [$0] }, y: xs.map { _ in 4 }) == 0)
        #expect(StraightLineFit.scaledRMSE(x: [[0], [1]], y: [5, -2]) == 0)
    }

    /// x² on [−1, 1], scaled to [0, 1], is x² itself; its best line is the constant 1/3 with
    /// an RMSE of √(1/5 − 1/9) ≈ 0.298 (continuous), close to the sampled value.
    @Test func aParabolaIsFarFromAnyLine() {
        let rmse = StraightLineFit.scaledRMSE(x: xs.map { [$0] }, y: xs.map { $0 * $0 })
        #expect(abs(rmse - (1.0 / 5 - 1.0 / 9).squareRoot()) < 0.01)
        // a slight bend: x + 0.01·x² stays within the look-alike tolerance, x + 0.2·x² does not
        let tolerance = StraightLineFit.defaultTolerance
        #expect(StraightLineFit.scaledRMSE(x: xs.map { [$0] }, y: xs.map { $0 + 0.01 * $0 * $0 }) <= tolerance)
        #expect(StraightLineFit.scaledRMSE(x: xs.map { [$0] }, y: xs.map { $0 + 0.2 * $0 * $0 }) > tolerance)
    }

    /// A constant or repeated input column does not break the fit (the ridge gives it slope 0).
    @Test func repeatedAndConstantInputsAreHarmless() {
        let rows = xs.map { [$0, $0, 7] }
        #expect(StraightLineFit.scaledRMSE(x: rows, y: xs.map { 1 - $0 }) < 1e-6)
        #expect(StraightLineFit.scaledRMSE(x: rows, y: xs.map { sin(3 * $0) }) > 0.05)
    }

    @Test func nonFiniteOrMismatchedInputsAreNeverStraight() {
        #expect(StraightLineFit.scaledRMSE(x: xs.map { [$0] }, y: xs.map { $0 < 0 ? .nan : $0 }) == .infinity)
        #expect(StraightLineFit.scaledRMSE(x: [[0], [1], [.infinity]], y: [0, 1, 2]) == .infinity)
        #expect(StraightLineFit.scaledRMSE(x: [[0], [1]], y: [0, 1, 2]) == .infinity)
        #expect(StraightLineFit.scaledRMSE(x: [[0, 1], [1], [2, 3]], y: [0, 1, 2]) == .infinity)
    }
}
