import SnipTensor
import Testing

/// The size classes of the pool of large buffers (`StoragePool`, seen through
/// `TensorMemory.allocationSize`): small requests are exact; large ones are rounded up to one of
/// eight classes per doubling, by at most 12.5 %, so that sizes that move a little from one
/// training step to the next share a class.
struct StoragePoolTests {
    @Test func smallRequestsAreExactAndLargeOnesRoundUpByAtMostAnEighth() {
        #expect(TensorMemory.allocationSize(forBytes: 4) == 4)
        #expect(TensorMemory.allocationSize(forBytes: 256 * 1024 - 1) == 256 * 1024 - 1)
        #expect(TensorMemory.allocationSize(forBytes: 256 * 1024) == 256 * 1024)
        // 1,200,000 bytes: between 2^20 and 2^21, classes 128 KiB apart
        #expect(TensorMemory.allocationSize(forBytes: 1_200_000) == 10 * 131_072)
        #expect(TensorMemory.allocationSize(forBytes: 1 << 21) == 1 << 21)
        #expect(TensorMemory.allocationSize(forBytes: (1 << 21) + 1) == (1 << 21) + (1 << 18))
        var size = 256 * 1024
        while size < 1 << 34 {
            let rounded = TensorMemory.allocationSize(forBytes: size)
            #expect(rounded >= size && Double(rounded) <= 1.125 * Double(size), "\(size) → \(rounded)")
            #expect(rounded % 4096 == 0, "\(size) → \(rounded)")
            size = size * 7 / 5 + 13
        }
    }

    @Test func sizesAFewPercentApartShareAClass() {
        // a packed [N, 256] activation of a batch whose formulas are a few tokens longer or shorter
        let sizes = (25_000...25_400).map { $0 * 256 * 4 }
        let classes = Set(sizes.map { TensorMemory.allocationSize(forBytes: $0) })
        #expect(classes.count == 1, "\(classes.sorted())")
    }
}
