import SnipMath
import Testing

/// The helpers on `Sample` that training's derived functions share.
struct SampleTests {
    /// `minMaxScaled` maps to [0, 1]; `varies` tells constant outputs (up to 10^-9 of their
    /// magnitude) from varying ones.
    @Test func scalingAndVariation() {
        #expect(Sample.minMaxScaled([2, 4, 3]).map { ($0 * 1e6).rounded() / 1e6 } == [0, 1, 0.5])
        #expect(Sample.minMaxScaled([]) == [])
        #expect(Sample.varies([1, 1.5]))
        #expect(!Sample.varies([3, 3, 3]))
        #expect(!Sample.varies([]))
        #expect(!Sample.varies([1e6, 1e6 + 1e-4]))  // a relative spread of 10^-10
        #expect(Sample.varies([1e6, 1e6 + 1e-2]))
        #expect(!Sample.varies([0, 5e-10]))  // below the absolute floor
    }
}
