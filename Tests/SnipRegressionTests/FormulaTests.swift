import SnipMath
import SnipRegression
import Testing

@Suite struct FormulaTests {
    @Test func roundTripsThroughExpressions() throws {
        let e = try Expression(prefix: "add,mul,2.5,pow2,x_0,sin,mul,pi,x_1")
        let f = try Formula(e)
        #expect(f.complexity == 9)
        #expect(f.parameters == [2.5])
        #expect(f.expression == e)
        #expect(f.isWellFormed)
        #expect(f.depth == 4)
        #expect(f.subtreeEnd(1) == 5)
        #expect(f.inputDimension == 2)
    }

    @Test func placeholdersBecomeParametersAndRandIsRefused() throws {
        let f = try Formula(Expression(prefix: "mul,CONSTANT,x_0"))
        #expect(f.parameters == [1])
        #expect(throws: FormulaError.randomLeaf) { try Formula(Expression(prefix: "add,rand,x_0")) }
    }

    /// The block evaluator agrees with SnipMath's reference evaluator where both are finite.
    @Test func evaluatorMatchesTheReferenceEvaluator() throws {
        let prefixes = [
            "add,mul,2.5,pow2,x_0,sin,x_0", "div,x_0,add,1,pow2,x_1", "sqrt,abs,sub,x_1,x_0",
            "exp,mul,-0.5,pow2,x_0", "log,add,3,x_1", "arctan,tan,mul,x_0,x_1", "mul,3,2",
            "pow3,inv,add,x_0,pi", "pow,abs,x_0,1.5",
        ]
        var random = RegressionRandom(seed: 3)
        let n = 300  // more than two blocks, not a multiple of the block size
        let columns = (0..<2).map { _ in (0..<n).map { _ in random.uniform(-3, 3) } }
        let points = PointColumns(columns: columns)
        let evaluator = FormulaEvaluator()
        for prefix in prefixes {
            let e = try Expression(prefix: prefix)
            let expected = try e.evaluate(columns: columns)
            let got = evaluator.evaluate(try Formula(e), on: points)
            for k in 0..<n where expected[k].isFinite && got[k].isFinite {
                #expect(
                    abs(got[k] - expected[k]) <= 1e-12 * max(1, abs(expected[k])),
                    "\(prefix) at \(k)")
            }
        }
    }

    /// Forward-mode derivatives agree with central differences.
    @Test func jacobianMatchesFiniteDifferences() throws {
        let prefixes = [
            "add,mul,2.5,pow2,x_0,sin,mul,0.7,x_0", "div,1.3,add,2,pow2,mul,0.4,x_0",
            "exp,mul,-0.5,pow2,sub,x_0,0.2", "log,add,3.5,mul,1.1,x_0", "sqrt,add,4,mul,0.3,x_0",
            "mul,cos,mul,1.5,x_0,pow3,add,0.5,x_0", "arctan,mul,2,x_0", "sub,0.5,inv,add,5,x_0",
            "pow,add,4,x_0,0.5", "tan,mul,0.2,x_0", "abs,sub,x_0,0.3",
        ]
        var random = RegressionRandom(seed: 5)
        let n = 70
        let points = PointColumns(columns: [(0..<n).map { _ in random.uniform(-2, 2) }])
        let jacobian = JacobianEvaluator()
        let evaluator = FormulaEvaluator()
        for prefix in prefixes {
            let f = try Formula(Expression(prefix: prefix))
            let p = f.parameterCount
            var values = [Double](repeating: 0, count: n)
            var J = [Double](repeating: 0, count: n * p)
            values.withUnsafeMutableBufferPointer { v in
                J.withUnsafeMutableBufferPointer { j in
                    _ = jacobian.evaluate(
                        f, on: points, values: v.baseAddress!, jacobian: j.baseAddress!)
                }
            }
            #expect(values == evaluator.evaluate(f, on: points), "\(prefix)")
            for j in 0..<p {
                let h = 1e-6
                var up = f
                var down = f
                up.parameters[j] += h
                down.parameters[j] -= h
                let a = evaluator.evaluate(up, on: points)
                let b = evaluator.evaluate(down, on: points)
                for k in 0..<n {
                    let fd = (a[k] - b[k]) / (2 * h)
                    #expect(
                        abs(J[j * n + k] - fd) <= 1e-5 * max(1, abs(fd)), "\(prefix) θ\(j) at \(k)")
                }
            }
        }
    }

    @Test func simplificationKeepsValues() throws {
        let cases = [
            ("mul,2,mul,3,x_0", "mul,6.0,x_0"), ("add,1,sub,2,x_0", "sub,3.0,x_0"),
            ("mul,1,x_0", "x_0"), ("add,x_0,sin,0", "x_0"), ("div,x_0,4", "mul,0.25,x_0"),
            ("sub,x_0,2", "add,-2.0,x_0"),
        ]
        for (input, output) in cases {
            let f = try Formula(Expression(prefix: input)).simplified()
            #expect(f.expression.prefix == output, "\(input)")
        }
    }
}
