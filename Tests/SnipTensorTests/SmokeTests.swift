import SnipTensor
import Testing

@Test func additionWorks() {
    let a = Tensor([1, 2, 3])
    #expect((a + a).scalars == [2, 4, 6])
}
