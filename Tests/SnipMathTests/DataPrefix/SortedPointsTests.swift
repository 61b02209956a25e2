import SnipMath
import Testing

/// Points in ascending order of their inputs, y travelling with x.
struct SortedPointsTests {
    private func sample(x: [[Double]], y: [Double]) throws -> Sample {
        Sample(
            tree: try Expression(prefix: "x_0"), x: x, y: y,
            info: SampleInfo(inputPointCount: y.count, unaryOperatorCount: 0, binaryOperatorCount: 0,
                             inputDimension: x.first?.count ?? 1, outputDimension: 1, inputDistributionType: 0,
                             centroidCount: 1),
            skeletonTokens: [])
    }

    @Test func oneDimensionalPointsSortByXWithTheirY() throws {
        let s = try sample(x: [[0.5], [-2], [3], [0.5], [-1]], y: [10, 20, 30, 40, 50]).sortedByInputs()
        #expect(s.x == [[-2], [-1], [0.5], [0.5], [3]])
        // equal x keep their order: 10 before 40
        #expect(s.y == [20, 50, 10, 40, 30])
        let loose = Sample.sortedPoints(x: [[2], [0], [1]], y: [4, 0, 1])
        #expect(loose.x == [[0], [1], [2]] && loose.y == [0, 1, 4])
    }

    @Test func severalInputsSortVariableByVariableAndNaNGoesLast() throws {
        let x: [[Double]] = [[1, 5], [.nan, 0], [1, -1], [0, 9]]
        #expect(Sample.sortedPointOrder(x) == [3, 2, 0, 1])
        let s = try sample(x: x, y: [1, 2, 3, 4]).sortedByInputs()
        #expect(s.y == [4, 3, 1, 2])
        // already sorted, single and empty point sets come back as they are
        #expect(Sample.sortedPointOrder([[0], [1], [2]]) == [0, 1, 2])
        #expect(try sample(x: [[7]], y: [1]).sortedByInputs().x == [[7]])
        #expect(Sample.sortedPointOrder([]) == [])
    }
}
