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

    @Test func thePoolKeepsTwiceWhatTheProcessHasHadLiveWithinAFloorAndHalfTheMemory() {
        let gib = 1 << 30
        // a small run: the 1 GiB floor
        #expect(TensorMemory.poolLimit(forPeakLiveBytes: 200 << 20, physicalMemory: 24 * gib) == gib)
        // a batch-1,024 step with 3 GiB live: twice that, so that the next step finds its temporaries
        #expect(TensorMemory.poolLimit(forPeakLiveBytes: 3 * gib, physicalMemory: 24 * gib) == 6 * gib)
        #expect(TensorMemory.poolLimit(forPeakLiveBytes: 600 << 20, physicalMemory: 24 * gib) == 1200 << 20)
        // never more than half the machine
        #expect(TensorMemory.poolLimit(forPeakLiveBytes: 10 * gib, physicalMemory: 24 * gib) == 12 * gib)
        #expect(TensorMemory.poolLimit(forPeakLiveBytes: 0, physicalMemory: gib) == gib / 2)
    }

    @Test func theHighWaterMarkRemembersMemoryNoLongerLive() {
        var seen = 0
        do {
            let big = Tensor.zeros([1 << 20])  // 4 MiB live
            seen = TensorMemory.liveBytes
            #expect(big.shape == [1 << 20])
        }
        #expect(seen >= 4 << 20)
        #expect(TensorMemory.highWaterBytes >= seen)
    }
}
