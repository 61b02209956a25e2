import Foundation
import SnipMath
import SnipRegression
import Testing

@Suite struct OptimizerTests {
    /// LM recovers the constants of a·x² + b·sin(c·x) from a nearby start.
    @Test func levenbergMarquardtRecoversKnownConstants() throws {
        let x = (0..<200).map { -3 + 6 * Double($0) / 199 }
        let y = x.map { 1.7 * $0 * $0 - 0.8 * sin(2.3 * $0) }
        let start = try Expression(prefix: "add,mul,1,pow2,x_0,mul,-1,sin,mul,2,x_0")
        let fit = try start.fittingConstants(columns: [x], y: y)
        #expect(fit.r2 > 1 - 1e-12)
        let constants = try Formula(fit.expression).parameters
        #expect(abs(constants[0] - 1.7) < 1e-7)
        #expect(abs(constants[1] + 0.8) < 1e-7)
        #expect(abs(constants[2] - 2.3) < 1e-7)
    }

    /// Skeleton placeholders are fitted too, in two dimensions.
    @Test func fitsSkeletonPlaceholders() throws {
        var random = RegressionRandom(seed: 1)
        let x0 = (0..<150).map { _ in random.uniform(0.5, 2) }
        let x1 = (0..<150).map { _ in random.uniform(0.5, 2) }
        let y = zip(x0, x1).map { 3.2 * exp(-0.7 * $0) + 0.25 * $1 }
        let skeleton = try Expression(
            prefix: "add,mul,CONSTANT,exp,mul,CONSTANT,x_0,mul,CONSTANT,x_1")
        let fit = try skeleton.fittingConstants(columns: [x0, x1], y: y)
        #expect(fit.r2 > 1 - 1e-10)
        #expect(fit.meanSquaredError < 1e-12)
    }

    /// A formula that is not finite at the start is left alone; bad data is refused.
    @Test func nonFiniteStartsAndBadDataAreHandled() throws {
        let x: [Double] = [-1, 0, 1, 2]
        let fit = try Expression(prefix: "log,mul,1,x_0").fittingConstants(
            columns: [x], y: [1, 2, 3, 4])
        #expect(fit.r2 == -.infinity)
        #expect(throws: RegressionError.self) {
            try Expression(prefix: "x_1").fittingConstants(columns: [x], y: [1, 2, 3, 4])
        }
    }

    @Test func greyWolfMinimisesTheSphere() {
        let gwo = GreyWolfOptimizer(
            lower: [Double](repeating: -5, count: 4), upper: [Double](repeating: 5, count: 4),
            populationSize: 20, iterations: 100)
        var random = RegressionRandom(seed: 7)
        let result = gwo.minimize(random: &random) { x in x.reduce(0) { $0 + ($1 - 1) * ($1 - 1) } }
        #expect(result.value < 1e-3)
        #expect(result.history.count == 101)
        #expect(zip(result.history, result.history.dropFirst()).allSatisfy { $0 >= $1 })
        var again = RegressionRandom(seed: 7)
        let repeated = gwo.minimize(random: &again) { x in x.reduce(0) { $0 + ($1 - 1) * ($1 - 1) }
        }
        // the pack closes in on the origin-centred sphere much faster (GWO leans towards 0)
        var origin = RegressionRandom(seed: 7)
        #expect(gwo.minimize(random: &origin) { x in x.reduce(0) { $0 + $1 * $1 } }.value < 1e-12)
        #expect(repeated.position == result.position)
    }

    @Test func greyWolfApproachesTheRosenbrockMinimum() {
        let gwo = GreyWolfOptimizer(
            lower: [-2, -2], upper: [2, 2], populationSize: 30, iterations: 300)
        var random = RegressionRandom(seed: 11)
        let result = gwo.minimize(random: &random) { p in
            (1 - p[0]) * (1 - p[0]) + 100 * (p[1] - p[0] * p[0]) * (p[1] - p[0] * p[0])
        }
        #expect(result.value < 1e-2)
        // stops early when asked
        var other = RegressionRandom(seed: 11)
        let early = gwo.minimize(random: &other, shouldStop: { $0 < 1 }) { p in
            (1 - p[0]) * (1 - p[0]) + 100 * (p[1] - p[0] * p[0]) * (p[1] - p[0] * p[0])
        }
        #expect(early.history.count < 300)
    }
}
