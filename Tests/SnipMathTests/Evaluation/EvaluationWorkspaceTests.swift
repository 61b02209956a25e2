import Foundation
import SnipMath
import TestSupport
import Testing

/// One workspace serving evaluation after evaluation (other trees, other dimensions, other
/// lengths, growing and shrinking) gives exactly what a fresh evaluation gives, NaN rules and
/// the reference's in-place aliasing included.
@Suite struct EvaluationWorkspaceTests {
    static let golden = try! Golden.load("expressions.json", from: .module).json

    @Test func reusedMemoryGivesWhatFreshEvaluationGives() throws {
        let workspace = EvaluationWorkspace()
        var compared = 0
        for (key, pointsKey) in [("dim1", "eval_points_dim1"), ("dim3", "eval_points_dim3")] {
            let points = Self.golden[pointsKey]!.matrix
            let columns = (0..<(points.first?.count ?? 0)).map { c in points.map { $0[c] } }
            for record in Self.golden[key]!.array.prefix(60) {
                let tree = try Expression(prefix: record["prefix"]!.string)
                // the full set, then a shorter one: the block is reused at another slot size
                for length in [columns[0].count, 7] {
                    let part = columns.map { Array($0.prefix(length)) }
                    let fresh = try tree.evaluate(columns: part)
                    let reused = try tree.evaluate(columns: part, in: workspace)
                    #expect(fresh.count == length && reused.count == length)
                    // bit for bit (NaN where NaN)
                    #expect(zip(fresh, reused).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(tree.prefix)")
                    compared += 1
                }
            }
        }
        #expect(compared == 240)
        // the aliasing case: log writes NaN into x_0's working copy, which the add then reads
        let aliased = try Expression(prefix: "add,x_0,log,x_0")
        let values = try aliased.evaluate(columns: [[-1, 2, 0, 3]], in: workspace)
        #expect(values[0].isNaN && values[2].isNaN && values[1] == 2 + log(2.0) && values[3] == 3 + log(3.0))
    }

    @Test func valuesReadInPlaceAreTheEvaluatedOnes() throws {
        let workspace = EvaluationWorkspace()
        let columns = [[-2.0, -0.5, 0, 0.25, 3]]
        for prefix in ["mul,x_0,sin,x_0", "3.5", "add,1.0,inv,x_0", "sqrt,x_0"] {
            let tree = try Expression(prefix: prefix)
            let expected = try tree.evaluate(columns: columns)
            let read = try tree.withValues(columns: columns, in: workspace) { Array($0) }
            #expect(read.count == 5)
            #expect(zip(expected, read).allSatisfy { $0.bitPattern == $1.bitPattern || ($0.isNaN && $1.isNaN) }, "\(prefix)")
        }
        // a constant's values fill every point
        #expect(try Expression(prefix: "3.5").withValues(columns: columns, in: workspace) { Array($0) } == Array(repeating: 3.5, count: 5))
    }
}
