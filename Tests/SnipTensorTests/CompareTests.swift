import SnipTensor
import Testing
import TestSupport

struct CompareTests {
    @Test func comparisonsMakeMasks() {
        let a = Tensor([1, 2, 3, 4], shape: [2, 2])
        let b = Tensor([2, 2])
        #expect(a.equal(b).scalars == [0, 1, 0, 0])
        #expect(a.notEqual(b).scalars == [1, 0, 1, 1])
        #expect(a.less(b).scalars == [1, 0, 0, 0])
        #expect(a.lessEqual(b).scalars == [1, 1, 0, 0])
        #expect(a.greater(b).scalars == [0, 0, 1, 1])
        #expect(a.greaterEqual(b).scalars == [0, 1, 1, 1])
        #expect(Tensor([.nan]).equal(Tensor([.nan])).scalars == [0])
    }

    @Test func whereChoosesWithoutLeakingTheOtherSide() {
        let condition = Tensor([1, 0, 1], shape: [3])
        let a = Tensor([.nan, 5, .infinity], shape: [3])
        let b = Tensor([7, .nan, 0], shape: [3])
        let y = Tensor.where(condition, a, b).scalars
        #expect(y[0].isNaN && y[1].isNaN && y[2] == .infinity)
        let z = Tensor.where(Tensor([0, 1, 0]), Tensor([1, 2, 3]), Tensor(scalar: -1))
        #expect(z.scalars == [-1, 2, -1])
    }

    @Test func whereGradients() {
        let condition = Tensor([1, 0, 0, 1, 1, 0], shape: [2, 3])
        let cond = condition.scalars.map(Double.init)
        checkGradients(
            [randomTensor([2, 3], seed: 1), randomTensor([3], seed: 2)],
            forward: { Tensor.where(condition, $0[0], $0[1]) },
            reference: { x in (0..<6).map { cond[$0] != 0 ? x[0][$0] : x[1][$0 % 3] } })
    }

    @Test func maskedFillGradients() {
        let mask = Tensor([0, 1, 0], shape: [1, 3])
        checkGradients(
            [randomTensor([2, 3], seed: 3)],
            forward: { $0[0].maskedFill(mask, with: -9) },
            reference: { x in (0..<6).map { $0 % 3 == 1 ? -9 : x[0][$0] } })
    }
}
