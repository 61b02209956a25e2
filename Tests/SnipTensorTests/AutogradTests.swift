import Foundation
import SnipTensor
import Testing
import TestSupport

struct AutogradTests {
    @Test func noGradScopeRecordsNothing() {
        var x = Tensor([1, 2])
        x.requiresGrad = true
        let y = withoutGrad { x * 3 }
        #expect(!y.requiresGrad)
        #expect(GradMode.isEnabled)
        let z = x * 3
        #expect(z.requiresGrad)
    }

    @Test func detachCutsTheGraph() {
        var x = Tensor([1, 2])
        x.requiresGrad = true
        let y = (x * x).detached() * x  // only the last factor carries a gradient
        y.sum().backward()
        #expect(x.grad?.scalars == [1, 4])
    }

    @Test func sharedSubgraphsAreVisitedOnce() {
        var x = Tensor([2])
        x.requiresGrad = true
        let y = x * x  // 4
        let z = y * y + y  // x^4 + x^2 → 4x^3 + 2x = 36
        z.sum().backward()
        #expect(x.grad?.scalars == [36])
    }

    /// Each node's saved tensors go as soon as its backward has run, not when the graph dies.
    @Test func backwardFreesSavedTensorsAsItGoes() {
        var x = Tensor([1, -2, 3])
        x.requiresGrad = true
        weak var saved: TensorStorage?
        let loss: Tensor
        do {
            let h = (x * 2).relu()  // relu keeps its output for backward
            saved = h.storage
            loss = (h * h).sum()
        }
        #expect(saved != nil)  // held by the graph
        loss.backward()
        #expect(saved == nil)  // released, though `loss` is still alive
        #expect(x.grad?.scalars == [8, 0, 24])
    }

    @Test func tensorMemoryCountsLiveStorage() {
        let bytes = 64 << 20
        let big = Tensor.zeros([bytes / 4])
        // other tests allocate and free concurrently; these bounds hold whatever they do
        #expect(TensorMemory.liveBytes >= bytes)
        #expect(TensorMemory.peakBytes >= bytes)
        withExtendedLifetime(big) {}
    }

    #if os(Linux)
    /// AddressSanitizer replaces glibc's allocator (whose threshold `mallopt` sets).
    @Test(.disabled(if: dlsym(UnsafeMutableRawPointer(bitPattern: 0), "__asan_init") != nil,
                    "AddressSanitizer's allocator has no mmap threshold"))
    func largeBuffersAreMappedOneByOne() {
        _ = Tensor.zeros([1 << 20])  // the first large buffer sets glibc's threshold
        #expect(TensorMemory.largeBuffersAreMapped)
    }
    #endif

    @Test func deepChainsDoNotOverflowTheStack() {
        var x = Tensor([1])
        x.requiresGrad = true
        var y = x
        for _ in 0..<20_000 { y = y + 0.0001 }
        y.sum().backward()
        #expect(x.grad?.scalars == [1])
    }

    @Test func creationAndSeededRandomness() {
        #expect(Tensor.arange(0, 5).scalars == [0, 1, 2, 3, 4])
        #expect(Tensor.arange(1, 2, step: 0.25).scalars == [1, 1.25, 1.5, 1.75])
        #expect(Tensor.full([2], value: 7).scalars == [7, 7])
        #expect(Tensor.zeros([2, 0]).count == 0)
        var g1 = SeededGenerator(seed: 42)
        var g2 = SeededGenerator(seed: 42)
        let a = Tensor.randomNormal([1000], using: &g1)
        let b = Tensor.randomNormal([1000], using: &g2)
        #expect(a.scalars == b.scalars)
        let mean = a.mean().item
        let std = ((a - mean) * (a - mean)).mean().item.squareRoot()
        #expect(Swift.abs(mean) < 0.1 && Swift.abs(std - 1) < 0.1)
        let u = Tensor.randomUniform([1000], low: 2, high: 3, using: &g1)
        #expect(u.scalars.allSatisfy { $0 >= 2 && $0 < 3 })
    }
}
